"""A report's period: the dates a reader picks (PeriodForm) and the instants they stand for (Period)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


# The dates a reader may pick: beyond them a period (or a calendar page) would leave the dates Python can count.
EARLIEST_DATE, LATEST_DATE = date(1900, 1, 1), date(9000, 12, 31)


def date_bounds_error(value):
    """The message for a date outside EARLIEST_DATE..LATEST_DATE, or ""."""
    if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
        return _("Choose a date between %(first)s and %(last)s.") % {"first": EARLIEST_DATE.isoformat(),
                                                                      "last": LATEST_DATE.isoformat()}
    return ""


@dataclass
class Period:
    start: datetime  # included
    end: datetime  # excluded

    @classmethod
    def of_dates(cls, first, last):
        """From the start of `first` to the end of `last` (dates, both included), in the current time zone."""
        zone = timezone.get_current_timezone()
        return cls(timezone.make_aware(datetime.combine(first, time.min), zone),
                   timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min), zone))


class PeriodForm(forms.Form):
    """From and to (included); empty means the last `default_days` days up to today; at most `max_days`."""

    default_days = 30
    max_days = 731

    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To (included)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        for name in ("start", "end"):
            message = date_bounds_error(data.get(name))
            if message:
                self.add_error(name, message)
        if self.errors:
            return data
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or end - timedelta(days=self.default_days - 1)
        if start > end:
            self.add_error("start", _("The start must not be after the end."))
        elif (end - start).days >= self.max_days:
            self.add_error("start", _("A period is at most %(days)d days.") % {"days": self.max_days})
        data["start"], data["end"] = start, end
        return data

    def period(self):
        return Period.of_dates(self.cleaned_data["start"], self.cleaned_data["end"])
