"""CAB meetings: their agenda (the changes awaiting the board), minutes and the board's decision per change."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Change, ChangeAdvisoryBoard


class CabMeeting(models.Model):
    """A meeting of a change advisory board: its agenda (the changes awaiting it), minutes and decisions."""

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")

    board = models.ForeignKey(ChangeAdvisoryBoard, verbose_name=_("board"), on_delete=models.PROTECT,
                              related_name="meetings")
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PLANNED)
    minutes = models.TextField(_("minutes"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("CAB meeting")
        verbose_name_plural = _("CAB meetings")

    def __str__(self):
        return self.title


class AgendaItem(models.Model):
    """A change on a meeting's agenda, and the board's decision on it."""

    class Decision(models.TextChoices):
        PENDING = "", _("Not yet discussed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        DEFERRED = "deferred", _("Deferred")

    meeting = models.ForeignKey(CabMeeting, on_delete=models.CASCADE, related_name="agenda")
    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True, default="")
    notes = models.TextField(_("notes"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "change"], name="agenda_meeting_change_unique")]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
