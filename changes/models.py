"""Change enablement: changes (tickets, CHG…) of three types, the change models that decide their authority,
the risk questionnaire, standard change templates, CAB meetings, blackout windows and releases."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.approval_models import ApprovalRule
from core.models import Ticket


class ChangeType(models.TextChoices):
    STANDARD = "standard", _("Standard")
    NORMAL = "normal", _("Normal")
    EMERGENCY = "emergency", _("Emergency")


class RiskLevel(models.IntegerChoices):
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")


class Outcome(models.TextChoices):
    SUCCESSFUL = "successful", _("Successful")
    WITH_ISSUES = "successful_with_issues", _("Successful with issues")
    FAILED = "failed", _("Failed")
    BACKED_OUT = "backed_out", _("Backed out")


FAILED_OUTCOMES = (Outcome.FAILED, Outcome.BACKED_OUT)


class ChangeAdvisoryBoard(models.Model):
    """A change authority made of several people: the CAB, or the emergency CAB."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    emergency = models.BooleanField(_("emergency CAB"), default=False)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("members"), related_name="boards")
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("chair"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    rule = models.CharField(_("rule"), max_length=10, choices=ApprovalRule.choices, default=ApprovalRule.N_OF_M)
    required = models.PositiveSmallIntegerField(_("approvals needed"), default=2,
                                                help_text=_("For “N of the approvers”: N."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("change advisory board")
        verbose_name_plural = _("change advisory boards")

    def __str__(self):
        return self.name


class ChangeModel(models.Model):
    """How changes of one kind are assessed and authorised. Versioned: a change keeps the version it was
    raised under; editing a model in use saves a new version (changes.models_admin)."""

    name = models.CharField(_("name"), max_length=150)
    change_type = models.CharField(_("change type"), max_length=10, choices=ChangeType.choices,
                                   default=ChangeType.NORMAL)
    description = models.TextField(_("description"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    previous_version = models.ForeignKey("self", verbose_name=_("previous version"), null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="next_versions")
    active = models.BooleanField(_("active"), default=True,
                                 help_text=_("Only the active version of a model is offered for new changes."))
    requires_review = models.BooleanField(_("post-implementation review always required"), default=False)
    lead_time_days = models.PositiveSmallIntegerField(
        _("minimum lead time (days)"), default=0,
        help_text=_("How long before its planned start a change must be raised."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = _("change model")
        verbose_name_plural = _("change models")

    def __str__(self):
        return f"{self.name} v{self.version}"


class Authority(models.TextChoices):
    PEER = "peer", _("A peer reviewer (a member of the change's team)")
    TEAM_MANAGER = "team_manager", _("The team's manager")
    BOARD = "board", _("A change advisory board")
    GROUP = "group", _("A named group")
    USER = "user", _("A user")


class AuthorityStep(models.Model):
    """One authorisation stage of a change model, asked when the change's risk is within [min_risk, max_risk];
    stages are asked in order, each after the last approved."""

    model = models.ForeignKey(ChangeModel, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    name = models.CharField(_("name"), max_length=150, blank=True)
    min_risk = models.PositiveSmallIntegerField(_("from risk"), choices=RiskLevel.choices, default=RiskLevel.LOW)
    max_risk = models.PositiveSmallIntegerField(_("up to risk"), choices=RiskLevel.choices, default=RiskLevel.HIGH)
    authority = models.CharField(_("change authority"), max_length=20, choices=Authority.choices)
    board = models.ForeignKey(ChangeAdvisoryBoard, verbose_name=_("board"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey("core.Team", verbose_name=_("group"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(_("rule"), max_length=10, choices=ApprovalRule.choices, default=ApprovalRule.ANY)
    required = models.PositiveSmallIntegerField(_("approvals needed"), default=1)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("authorisation step")
        verbose_name_plural = _("authorisation steps")


class RiskQuestion(models.Model):
    """One question of the risk questionnaire; each option scores 0 (no risk) to 4, weighted by `weight`."""

    text = models.CharField(_("question"), max_length=255)
    help_text = models.CharField(_("help text"), max_length=255, blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    options = models.JSONField(_("options"), default=list,
                               help_text=_('A list of {"label": ..., "score": 0 to 4}.'))
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("risk question")
        verbose_name_plural = _("risk questions")

    def __str__(self):
        return self.text


class ChangeTemplate(models.Model):
    """A standard change: its procedure is risk-assessed and authorised once, then raised without approval."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        AUTHORISED = "authorised", _("Authorised")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    team = models.ForeignKey("core.Team", verbose_name=_("implementing team"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    service = models.ForeignKey("slm.Service", verbose_name=_("service"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    implementation_plan = models.TextField(_("implementation plan"))
    backout_plan = models.TextField(_("back-out plan"))
    test_plan = models.TextField(_("test plan"), blank=True)
    configuration_items = models.ManyToManyField("cmdb.ConfigurationItem", verbose_name=_("configuration items"),
                                                 blank=True, related_name="+")
    ci_classes = models.ManyToManyField("cmdb.CIClass", verbose_name=_("configuration item classes"), blank=True,
                                        related_name="+")
    duration_minutes = models.PositiveIntegerField(_("usual duration (minutes)"), default=60)
    risk_level = models.PositiveSmallIntegerField(_("risk"), choices=RiskLevel.choices, default=RiskLevel.LOW)
    risk_assessment = models.TextField(_("risk assessment"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.PROPOSED)
    authorised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("authorised by"), null=True,
                                      blank=True, on_delete=models.SET_NULL, related_name="+")
    authorised_at = models.DateTimeField(_("authorised at"), null=True, blank=True)
    review_date = models.DateField(_("review date"), null=True, blank=True,
                                   help_text=_("The authorisation lapses after this date until reviewed."))
    failure_threshold = models.PositiveSmallIntegerField(
        _("review threshold (%)"), default=10,
        help_text=_("Flag the template for review when this share of its changes fail or cause incidents."))
    flagged_for_review = models.BooleanField(_("flagged for review"), default=False)
    catalog_item = models.OneToOneField("servicerequests.CatalogItem", verbose_name=_("catalogue item"),
                                        null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="change_template",
                                        help_text=_("Offer this standard change in the portal's catalogue."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("standard change template")
        verbose_name_plural = _("standard change templates")

    def __str__(self):
        return self.name


class Release(models.Model):
    """A version of services or CIs made available together, delivered by its changes."""

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DEPLOYED = "deployed", _("Deployed")
        CANCELLED = "cancelled", _("Cancelled")

    name = models.CharField(_("name"), max_length=200)
    version = models.CharField(_("version"), max_length=50)
    description = models.TextField(_("description"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PLANNED)
    planned_date = models.DateField(_("planned deployment"), null=True, blank=True)
    deployed_at = models.DateTimeField(_("deployed at"), null=True, blank=True)
    configuration_items = models.ManyToManyField("cmdb.ConfigurationItem", verbose_name=_("configuration items"),
                                                 blank=True, related_name="releases")
    services = models.ManyToManyField("slm.Service", verbose_name=_("services"), blank=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-planned_date", "-id"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="release_name_version_unique")]
        verbose_name = _("release")
        verbose_name_plural = _("releases")

    def __str__(self):
        return f"{self.name} {self.version}"


class Change(Ticket):
    TICKET_KIND = "change"

    change_type = models.CharField(_("change type"), max_length=10, choices=ChangeType.choices,
                                   default=ChangeType.NORMAL)
    model = models.ForeignKey(ChangeModel, verbose_name=_("change model"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="changes")
    template = models.ForeignKey(ChangeTemplate, verbose_name=_("template"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="changes")
    release = models.ForeignKey(Release, verbose_name=_("release"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="changes")
    reason = models.TextField(_("reason for change"), blank=True)
    planned_start = models.DateTimeField(_("planned start"), null=True, blank=True)
    planned_end = models.DateTimeField(_("planned end"), null=True, blank=True)
    actual_start = models.DateTimeField(_("actual start"), null=True, blank=True)
    actual_end = models.DateTimeField(_("actual end"), null=True, blank=True)
    implementation_plan = models.TextField(_("implementation plan"), blank=True)
    backout_plan = models.TextField(_("back-out plan"), blank=True)
    test_plan = models.TextField(_("test plan"), blank=True)
    configuration_items = models.ManyToManyField("cmdb.ConfigurationItem", through="ChangeCI",
                                                 verbose_name=_("configuration items"), blank=True,
                                                 related_name="changes")
    services = models.ManyToManyField("slm.Service", verbose_name=_("services"), blank=True,
                                      related_name="changes")
    # The services the change can affect: its own plus those its CIs' impact reaches (kept by changes.risk).
    affected_services = models.ManyToManyField("slm.Service", through="ChangeService",
                                               verbose_name=_("affected services"), blank=True,
                                               related_name="affecting_changes")
    risk_answers = models.JSONField(_("risk answers"), default=dict, blank=True)
    risk_level = models.PositiveSmallIntegerField(_("risk"), choices=RiskLevel.choices, null=True, blank=True)
    risk_score = models.PositiveSmallIntegerField(_("risk score"), null=True, blank=True)
    risk_inputs = models.JSONField(_("risk inputs"), default=dict, blank=True)
    risk_assessed_at = models.DateTimeField(_("risk assessed at"), null=True, blank=True)
    authorised_at = models.DateTimeField(_("authorised at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=25, choices=Outcome.choices, blank=True)
    outcome_notes = models.TextField(_("implementation notes"), blank=True)
    review_required = models.BooleanField(_("post-implementation review required"), default=False)
    review_notes = models.TextField(_("post-implementation review"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        indexes = [models.Index(fields=["planned_start", "planned_end"], name="change_planned_window")]


class ChangeCI(models.Model):
    """A configuration item a change touches, with the change's planned window copied so that the conflict
    query reads one index (changes.conflicts)."""

    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="ci_links")
    configuration_item = models.ForeignKey("cmdb.ConfigurationItem", on_delete=models.CASCADE, related_name="+")
    planned_start = models.DateTimeField(null=True)
    planned_end = models.DateTimeField(null=True)
    active = models.BooleanField(default=True)  # false once the change is closed, rejected or cancelled

    class Meta:
        constraints = [models.UniqueConstraint(fields=["change", "configuration_item"], name="change_ci_unique")]
        indexes = [models.Index(fields=["configuration_item", "planned_start", "planned_end"],
                                name="change_ci_window", condition=models.Q(active=True))]


class ChangeService(models.Model):
    """A service a change can affect (named on it, or reached by its CIs' impact), window copied as ChangeCI."""

    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="service_links")
    service = models.ForeignKey("slm.Service", on_delete=models.CASCADE, related_name="+")
    via = models.ForeignKey("cmdb.ConfigurationItem", null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")
    planned_start = models.DateTimeField(null=True)
    planned_end = models.DateTimeField(null=True)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["change", "service"], name="change_service_unique")]
        indexes = [models.Index(fields=["service", "planned_start", "planned_end"],
                                name="change_service_window", condition=models.Q(active=True))]


class ChangeTask(models.Model):
    """A step of a change's implementation handed to a team; written through changes.services (audited on the
    change)."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        SKIPPED = "skipped", _("Skipped")

    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="tasks")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("title"), max_length=255)
    team = models.ForeignKey("core.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("change task")
        verbose_name_plural = _("change tasks")

    def __str__(self):
        return self.title


class BlackoutWindow(models.Model):
    """A period when no change may be implemented: for the listed services, or everywhere when none."""

    name = models.CharField(_("name"), max_length=200)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    services = models.ManyToManyField("slm.Service", verbose_name=_("services"), blank=True, related_name="+",
                                      help_text=_("Empty: every service."))
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["start", "end"], name="blackout_window")]
        constraints = [models.CheckConstraint(condition=models.Q(end__gt=models.F("start")),
                                              name="blackout_end_after_start")]
        verbose_name = _("blackout window")
        verbose_name_plural = _("blackout windows")

    def __str__(self):
        return self.name


class TemplateEvent(models.Model):
    """The lifecycle history of a standard change template: who did what, when (append-only, changes.templates)."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        REPROPOSED = "reproposed", _("Procedure changed: back to proposed")
        AUTHORISED = "authorised", _("Authorised")
        REVIEWED = "reviewed", _("Authorisation renewed")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")
        FLAGGED = "flagged", _("Flagged for review")
        UNFLAGGED = "unflagged", _("Review flag cleared")

    template = models.ForeignKey(ChangeTemplate, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["template", "-at"], name="template_event_recent")]
        verbose_name = _("template event")
        verbose_name_plural = _("template events")


from .authority_models import AuthorisationStage  # noqa: E402,F401  (changes.authority's record of stage owners)
from .cab_models import AgendaItem, CabMeeting  # noqa: E402,F401
