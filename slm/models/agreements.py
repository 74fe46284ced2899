"""Agreements (SLA, OLA, underpinning contract), their service level targets and escalation rules."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_WARNING_THRESHOLDS = [50, 75, 90]


def default_warning_thresholds():
    return list(DEFAULT_WARNING_THRESHOLDS)


class Agreement(models.Model):
    class Kind(models.TextChoices):
        SLA = "sla", _("Service level agreement")
        OLA = "ola", _("Operational level agreement")
        UC = "uc", _("Underpinning contract")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AGREED = "agreed", _("Agreed")
        EXPIRED = "expired", _("Expired")

    kind = models.CharField(_("kind"), max_length=3, choices=Kind.choices, default=Kind.SLA)
    name = models.CharField(_("name"), max_length=200)
    services = models.ManyToManyField("slm.Service", verbose_name=_("services"), blank=True,
                                      related_name="agreements")
    organization = models.ForeignKey("core.Organization", verbose_name=_("customer"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="agreements")
    team = models.ForeignKey("core.Team", verbose_name=_("internal team"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="agreements")
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    review_date = models.DateField(_("review date"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    previous_version = models.ForeignKey("self", verbose_name=_("previous version"), null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="next_versions")
    provider_responsibilities = models.TextField(_("provider responsibilities"), blank=True)
    customer_responsibilities = models.TextField(_("customer responsibilities"), blank=True)
    maintenance_windows = models.TextField(_("maintenance windows"), blank=True)
    availability_target = models.DecimalField(_("availability target (%)"), max_digits=6, decimal_places=3,
                                              null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self):
        return f"{self.name} v{self.version}"


class TargetSetVersion(models.Model):
    """One row (id 1) whose token is new whenever something target matching reads changes: agreements, targets,
    calendars. slm.matching keeps the matchable targets per token; a new token per change (not a counter) so a
    rolled-back change can never bring an old token back with other targets behind it."""

    token = models.CharField(max_length=32)


class ServiceLevelTarget(models.Model):
    """Which tickets a target applies to (null conditions match anything), what it measures and how long."""

    class Metric(models.TextChoices):
        RESPONSE = "response", _("Response")
        RESOLUTION = "resolution", _("Resolution")

    agreement = models.ForeignKey(Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE,
                                  related_name="targets")
    name = models.CharField(_("name"), max_length=200)
    metric = models.CharField(_("metric"), max_length=10, choices=Metric.choices)
    ticket_kind = models.CharField(_("ticket kind"), max_length=20, default="incident")
    priority = models.PositiveSmallIntegerField(_("priority"), null=True, blank=True)
    service = models.ForeignKey("slm.Service", verbose_name=_("service"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="targets")
    organization = models.ForeignKey("core.Organization", verbose_name=_("organization"), null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="+")
    category_id = models.BigIntegerField(_("category"), null=True, blank=True)
    target_seconds = models.PositiveIntegerField(_("target (seconds)"))
    calendar = models.ForeignKey("slm.BusinessCalendar", verbose_name=_("business calendar"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="targets",
                                 help_text=_("Empty means around the clock (24x7)."))
    pause_states = models.JSONField(_("pause states"), default=list, blank=True)
    warning_thresholds = models.JSONField(_("warning thresholds (%)"), default=default_warning_thresholds,
                                          blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["agreement", "metric", "priority", "id"]
        indexes = [models.Index(fields=["ticket_kind", "metric", "active"], name="slm_target_kind_metric")]
        verbose_name = _("service level target")
        verbose_name_plural = _("service level targets")

    def __str__(self):
        return self.name

    @property
    def target_minutes(self):
        return self.target_seconds // 60

    @property
    def specificity(self):
        return sum(v is not None for v in (self.priority, self.service_id, self.organization_id, self.category_id))


class EscalationRule(models.Model):
    """On a warning threshold or a breach of a target (or of any target for a priority): notify, reassign,
    or raise priority."""

    class Trigger(models.TextChoices):
        WARNING = "warning", _("Warning")
        BREACH = "breach", _("Breach")

    class Action(models.TextChoices):
        NOTIFY = "notify", _("Notify")
        REASSIGN = "reassign", _("Reassign to team")
        RAISE_PRIORITY = "raise_priority", _("Raise priority")

    name = models.CharField(_("name"), max_length=200)
    target = models.ForeignKey(ServiceLevelTarget, verbose_name=_("service level target"), null=True,
                               blank=True, on_delete=models.CASCADE, related_name="escalation_rules")
    priority = models.PositiveSmallIntegerField(_("priority"), null=True, blank=True)
    trigger = models.CharField(_("trigger"), max_length=10, choices=Trigger.choices, default=Trigger.BREACH)
    percent = models.PositiveSmallIntegerField(_("at percent"), null=True, blank=True,
                                               help_text=_("For warnings: the threshold that triggers the rule."))
    action = models.CharField(_("action"), max_length=20, choices=Action.choices, default=Action.NOTIFY)
    notify_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("notify user"), null=True,
                                    blank=True, on_delete=models.CASCADE, related_name="+")
    notify_team = models.ForeignKey("core.Team", verbose_name=_("notify team"), null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="+")
    reassign_team = models.ForeignKey("core.Team", verbose_name=_("reassign to team"), null=True, blank=True,
                                      on_delete=models.CASCADE, related_name="+")
    raise_to_priority = models.PositiveSmallIntegerField(_("raise to priority"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")

    def __str__(self):
        return self.name


class MaintenanceWindow(models.Model):
    """A weekly window the agreement sets aside for maintenance (times in the agreement's service-hours time zone,
    else the site's); the change schedule shows its occurrences."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="maintenance_slots")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"), help_text=_("Earlier than the start: the window runs past midnight."))

    class Meta:
        ordering = ["agreement", "weekday", "start_time"]
        verbose_name = _("maintenance window")
        verbose_name_plural = _("maintenance windows")

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"
