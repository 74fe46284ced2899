"""SLA timers and their timeline.

A timer's `state` is running, paused, stopped or cancelled (its ticket was cancelled: left out of every
SLA number). Being breached is orthogonal: `breached_at` is set once
(a running timer can be breached and keep running). On stop, `met` says whether the target was met.
`elapsed_seconds` are business seconds accumulated up to `elapsed_at`; while running,
elapsed(now) = elapsed_seconds + calendar.elapsed(elapsed_at, now). `next_check_at` is the next warning or
breach instant (null when paused, stopped, or nothing is left to flag): the sweep selects on it.

Reports read only this table: each timer carries copies of its ticket's grouping fields (kind, service, team,
organization, priority), its ticket's created_at and the instant its metric was reached on the ticket
(first_response_at for a response timer, resolved_at for a resolution timer), kept by the timer sync
(slm.timers) on every ticket write, and `counted_at`, the instant its outcome became known (breached_at,
else stopped_at when stopped with an outcome; null while not measured), kept by save() and the sweep.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .agreements import ServiceLevelTarget


class SLATimer(models.Model):
    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        PAUSED = "paused", _("Paused")
        STOPPED = "stopped", _("Stopped")
        CANCELLED = "cancelled", _("Cancelled")

    ticket = models.ForeignKey("core.Ticket", on_delete=models.CASCADE, related_name="sla_timers")
    target = models.ForeignKey(ServiceLevelTarget, verbose_name=_("service level target"),
                               on_delete=models.PROTECT, related_name="timers")
    metric = models.CharField(_("metric"), max_length=10, choices=ServiceLevelTarget.Metric.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.RUNNING)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    elapsed_seconds = models.BigIntegerField(_("elapsed business seconds"), default=0)
    elapsed_at = models.DateTimeField(_("elapsed measured at"), default=timezone.now)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    next_check_at = models.DateTimeField(_("next check at"), null=True, blank=True)
    warned_percent = models.PositiveSmallIntegerField(_("highest warning sent (%)"), default=0)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    met = models.BooleanField(_("met"), null=True, blank=True)
    # The calendar version due_at and next_check_at were computed with (null: 24x7); the sweep recomputes
    # them first when the calendar has changed since.
    calendar_version = models.PositiveIntegerField(_("calendar version"), null=True, blank=True, editable=False)
    counted_at = models.DateTimeField(_("counted in reports at"), null=True, blank=True, editable=False)
    ticket_kind = models.CharField(_("ticket kind"), max_length=20, blank=True, default="", editable=False)
    ticket_service = models.ForeignKey("slm.Service", verbose_name=_("ticket's service"), null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+", db_index=False,
                                       editable=False)
    ticket_team = models.ForeignKey("core.Team", verbose_name=_("ticket's team"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+", db_index=False, editable=False)
    ticket_organization = models.ForeignKey("core.Organization", verbose_name=_("ticket's organization"),
                                            null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                            db_index=False, editable=False)
    ticket_priority = models.PositiveSmallIntegerField(_("ticket's priority"), null=True, blank=True,
                                                       editable=False)
    ticket_created_at = models.DateTimeField(_("ticket created at"), null=True, blank=True, editable=False)
    ticket_reached_at = models.DateTimeField(_("ticket responded / resolved at"), null=True, blank=True,
                                             editable=False)

    class Meta:
        ordering = ["ticket", "metric"]
        verbose_name = _("SLA timer")
        verbose_name_plural = _("SLA timers")
        constraints = [models.UniqueConstraint(fields=["ticket", "metric"], name="slm_timer_ticket_metric")]
        indexes = [
            # The sweep: WHERE next_check_at <= now -> a range scan over only the timers with a check pending.
            models.Index(fields=["next_check_at", "id"], name="slm_timer_next_check",
                         condition=Q(next_check_at__isnull=False)),
            models.Index(fields=["due_at"], name="slm_timer_due_running",
                         condition=Q(state="running")),
            models.Index(fields=["ticket"], name="slm_timer_breached",
                         condition=Q(breached_at__isnull=False)),
            # Compliance and breach reports: a range of counted_at, grouped and scoped by the ticket copies;
            # every column they read is in the index (index-only scans).
            models.Index(fields=["counted_at", "ticket_service", "ticket_team", "ticket_organization",
                                 "ticket_priority", "target", "met", "breached_at", "ticket_kind"],
                         name="slm_timer_counted", condition=Q(counted_at__isnull=False)),
            # MTTA / MTTR grouped by agreement or target: a range of the instant the metric was reached.
            models.Index(fields=["ticket_reached_at", "target", "metric", "ticket_created_at", "ticket_service",
                                 "ticket_organization", "ticket_kind"],
                         name="slm_timer_reached", condition=Q(ticket_reached_at__isnull=False)),
        ]

    def __str__(self):
        return f"{self.ticket_id} {self.metric} ({self.state})"

    COPIED_FIELDS = ["ticket_kind", "ticket_service", "ticket_team", "ticket_organization", "ticket_priority",
                     "ticket_created_at", "ticket_reached_at"]

    @staticmethod
    def outcome_instant(breached_at, stopped_at, met):
        """counted_at: when the outcome became known (None: not measured)."""
        if breached_at is not None:
            return breached_at
        return stopped_at if met is not None else None

    def copy_ticket(self, ticket):
        """Take the ticket's reporting fields (any Ticket row; not saved here)."""
        self.ticket_kind = ticket.kind
        self.ticket_service_id = ticket.service_id
        self.ticket_team_id = ticket.team_id
        self.ticket_organization_id = ticket.organization_id
        self.ticket_priority = ticket.priority
        self.ticket_created_at = ticket.created_at
        self.ticket_reached_at = ticket.first_response_at if self.metric == "response" else ticket.resolved_at
        if self.state == self.State.CANCELLED:
            self.ticket_reached_at = None

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "counted_at", "ticket_reached_at"}
        elif self.ticket_created_at is None and self.ticket_id is not None:
            from core.models import Ticket

            self.copy_ticket(Ticket.objects.get(pk=self.ticket_id))
        self.set_counted()
        super().save(*args, **kwargs)

    def set_counted(self):
        """counted_at from the outcome; a cancelled timer is never measured (out of compliance, MTTA and MTTR).
        save() calls it; a bulk insert must call it for each timer."""
        self.counted_at = self.outcome_instant(self.breached_at, self.stopped_at, self.met)
        if self.state == self.State.CANCELLED:
            self.counted_at = self.ticket_reached_at = None

    @property
    def is_breached(self):
        return self.breached_at is not None


class SLATimerEvent(models.Model):
    class Kind(models.TextChoices):
        ATTACHED = "attached", _("Attached")
        STARTED = "started", _("Started")
        PAUSED = "paused", _("Paused")
        RESUMED = "resumed", _("Resumed")
        RETARGETED = "retargeted", _("Re-targeted")
        WARNED = "warned", _("Warning")
        BREACHED = "breached", _("Breached")
        MET = "met", _("Met")
        STOPPED = "stopped", _("Stopped after breach")
        REPAIRED = "repaired", _("Repaired")
        CANCELLED = "cancelled", _("Cancelled")

    timer = models.ForeignKey(SLATimer, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    audit_entry = models.ForeignKey("core.AuditEntry", verbose_name=_("caused by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["timer", "at"], name="slm_timerevent_timer_at")]
        verbose_name = _("SLA timer event")
        verbose_name_plural = _("SLA timer events")

    def __str__(self):
        return f"{self.timer_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"
