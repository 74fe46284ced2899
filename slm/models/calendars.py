"""Business calendars: weekly working hours, holidays and make-up working days, in a time zone.

An interval's `end` of 00:00 means 24:00 (the end of the local day); otherwise start < end.
"""

import datetime
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

END_OF_DAY = datetime.time(0, 0)


def validate_timezone(value):
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("Unknown time zone."))


def check_interval(start, end):
    """Messages for an invalid [start, end) interval; end 00:00 means 24:00."""
    if end != END_OF_DAY and end <= start:
        return {"end": _("The end must be after the start.")}
    return {}


class BusinessCalendar(models.Model):
    """Working time: an instant works iff its local wall-clock time falls in [start, end) of an interval
    of its local date (holidays have none; a date with workday exceptions has exactly those)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_timezone])
    description = models.TextField(_("description"), blank=True)
    # Bumped by every write through slm.services; the cache of computed intervals is keyed on it.
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self):
        return self.name


class CalendarHours(models.Model):
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=[
        (0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")), (4, _("Friday")),
        (5, _("Saturday")), (6, _("Sunday"))])
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"), help_text=_("00:00 means 24:00, the end of the day."))

    class Meta:
        ordering = ["weekday", "start"]
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")

    def __str__(self):
        return f"{self.weekday} {self.start:%H:%M}-{'24:00' if self.end == END_OF_DAY else self.end.strftime('%H:%M')}"

    def clean(self):
        errors = check_interval(self.start, self.end)
        if errors:
            raise ValidationError(errors)


class CalendarException(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        WORKDAY = "workday", _("Working day")

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    start = models.TimeField(_("start"), null=True, blank=True)
    end = models.TimeField(_("end"), null=True, blank=True, help_text=_("00:00 means 24:00, the end of the day."))
    name = models.CharField(_("name"), max_length=200, blank=True)

    class Meta:
        ordering = ["date", "start"]
        indexes = [models.Index(fields=["calendar", "date"], name="slm_calexc_cal_date")]
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"

    def clean(self):
        if self.kind == self.Kind.WORKDAY:
            if self.start is None or self.end is None:
                raise ValidationError({"start": _("A working day needs a start and an end.")})
            errors = check_interval(self.start, self.end)
            if errors:
                raise ValidationError(errors)
