"""Event management: raw events as received, the alerts they are deduplicated into, and the admin rules
that map alerts to configuration items and open incidents for them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Impact, Urgency


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    MAJOR = "major", _("Major")
    MINOR = "minor", _("Minor")
    WARNING = "warning", _("Warning")
    INFO = "info", _("Info")
    CLEAR = "clear", _("Clear")


# Lower is more severe; used to compare against a rule's minimum severity and to sort the console.
SEVERITY_RANK = {value: rank for rank, value in enumerate(Severity.values, 1)}


class Event(models.Model):
    """One received event (or one webhook call), stored before it is acknowledged; processed by Celery."""

    source = models.CharField(_("source"), max_length=100)
    format = models.CharField(_("format"), max_length=30)
    payload = models.JSONField(_("payload"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, null=True, blank=True)
    # The account that posted it: idempotency keys are unique per account and source.
    account = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Failed processing is retried with backoff (retry_at); after the last attempt it waits for an agent.
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    retry_at = models.DateTimeField(_("retry at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.UniqueConstraint(fields=["account", "source", "idempotency_key"],
                                    condition=Q(idempotency_key__isnull=False),
                                    name="event_account_source_idempotency_key"),
        ]
        indexes = [
            models.Index(fields=["id"], condition=Q(processed_at__isnull=True), name="event_unprocessed"),
        ]

    def __str__(self):
        return f"{self.format} #{self.pk} from {self.source}"


class Alert(models.Model):
    """A deduplicated condition: repeats of the same fingerprint count on the one open alert."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    fingerprint = models.CharField(_("fingerprint"), max_length=255)  # indexed by the constraint and index below
    source = models.CharField(_("source"), max_length=100)
    node = models.CharField(_("node"), max_length=255, blank=True)
    check_name = models.CharField(_("check"), max_length=255)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    message = models.TextField(_("message"), blank=True)
    labels = models.JSONField(_("labels"), default=dict, blank=True)
    configuration_item = models.ForeignKey("cmdb.ConfigurationItem", verbose_name=_("configuration item"),
                                           null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts",
                                           db_index=False)  # alert_ci_state leads with it
    service = models.ForeignKey("slm.Service", verbose_name=_("service"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="alerts")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    count = models.PositiveIntegerField(_("count"), default=1)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    incident = models.ForeignKey("incidents.Incident", verbose_name=_("incident"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="alerts",
                                 db_index=False)  # alert_incident_state leads with it
    rule = models.ForeignKey("events.IncidentRule", verbose_name=_("incident rule"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    last_note_at = models.DateTimeField(_("last work note at"), null=True, blank=True)

    class Meta:
        ordering = ["-last_seen", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(fields=["fingerprint"], condition=Q(state="open"), name="alert_open_fingerprint"),
        ]
        # Every repeat rewrites its alert's row, and a row that moves is written into every index whose condition
        # it meets: no index is kept for one the others cover, and the lookup of a fingerprint's last closed alert
        # with an incident ("fired again") has a partial index only closed alerts are written into.
        indexes = [
            models.Index(fields=["state", "-last_seen"], name="alert_state_last_seen"),
            models.Index(fields=["incident", "state"], name="alert_incident_state"),
            models.Index(fields=["configuration_item", "state"], name="alert_ci_state"),
            models.Index(fields=["fingerprint", "-closed_at", "-id"], name="alert_closed_fingerprint",
                         condition=Q(state="closed", incident__isnull=False)),
        ]

    def __str__(self):
        return f"{self.check_name} on {self.node or '?'} ({self.severity})"

    @property
    def is_open(self):
        return self.state == self.State.OPEN


class CIMappingRule(models.Model):
    """Maps an alert to a configuration item; tried in order before the default (CI named like the node)."""

    class Match(models.TextChoices):
        NODE_NAME = "node_name", _("Node name (optionally through a pattern)")
        ATTRIBUTE = "attribute", _("A CI attribute equals the node")
        LABEL = "label", _("A label holds the CI name or external id")

    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)
    source = models.CharField(_("source"), max_length=100, blank=True, help_text=_("Empty: every source."))
    match = models.CharField(_("match by"), max_length=20, choices=Match.choices, default=Match.NODE_NAME)
    key = models.CharField(_("attribute or label"), max_length=100, blank=True,
                           help_text=_("The CI attribute (match by attribute) or the label (match by label)."))
    pattern = models.CharField(
        _("pattern"), max_length=200, blank=True,
        help_text=_("A regular expression applied to the node (or label); its group “name” is the CI name, "
                    "e.g. ^(?P<name>[^.]+)\\. strips the domain."))

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("CI mapping rule")
        verbose_name_plural = _("CI mapping rules")

    def __str__(self):
        return self.name

    def clean(self):
        import re

        from django.core.exceptions import ValidationError

        if self.match in (self.Match.ATTRIBUTE, self.Match.LABEL) and not self.key:
            raise ValidationError({"key": _("Name the attribute or label to match.")})
        if self.pattern:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValidationError({"pattern": _("Not a valid regular expression: %(error)s") % {"error": exc}})


class IncidentRule(models.Model):
    """Which alerts open an incident, and with what impact, urgency and team; the first matching rule wins."""

    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)
    source = models.CharField(_("source"), max_length=100, blank=True, help_text=_("Empty: every source."))
    min_severity = models.CharField(_("minimum severity"), max_length=10, default=Severity.MAJOR,
                                    choices=[c for c in Severity.choices if c[0] != Severity.CLEAR])
    ci_class = models.ForeignKey("cmdb.CIClass", verbose_name=_("CI class"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+", help_text=_("Empty: any class."))
    max_service_criticality = models.PositiveSmallIntegerField(
        _("service at least this critical"), null=True, blank=True,
        choices=[(1, _("Critical")), (2, _("High")), (3, _("Medium")), (4, _("Low"))],
        help_text=_("Matches alerts whose service criticality is this or more critical; empty: any."))
    open_incident = models.BooleanField(_("open an incident"), default=True,
                                        help_text=_("Off: matching alerts are only shown in the console."))
    impact = models.PositiveSmallIntegerField(_("impact"), choices=Impact.choices, default=Impact.MEDIUM)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices, default=Urgency.MEDIUM)
    team = models.ForeignKey("core.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    auto_resolve = models.BooleanField(_("resolve when cleared"), default=True,
                                       help_text=_("Resolve the incident when its last alert clears."))

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("incident rule")
        verbose_name_plural = _("incident rules")

    def __str__(self):
        return self.name
