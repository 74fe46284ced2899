"""Problem management: problems (tickets), their investigation tasks, trend-analysis candidates and the record
of workarounds applied to incidents. Incidents link to their problem through core's TicketLink ("caused by")."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Ticket


class Origin(models.TextChoices):
    TREND_ANALYSIS = "trend_analysis", _("Trend analysis of incidents")
    RECURRING_INCIDENT = "recurring_incident", _("Recurring incident noticed by the desk")
    MAJOR_INCIDENT = "major_incident", _("Major incident review")
    SUPPLIER = "supplier", _("Information from a supplier or partner")
    DEVELOPMENT = "development", _("Information from development, test or project teams")


class Technique(models.TextChoices):
    NONE = "", _("None")
    FIVE_WHYS = "five_whys", _("5 whys")
    ISHIKAWA = "ishikawa", _("Ishikawa (cause and effect)")


class ResolutionCode(models.TextChoices):
    FIX_APPLIED = "fix_applied", _("Permanent fix applied")
    RISK_ACCEPTED = "risk_accepted", _("Risk accepted (no fix)")
    DUPLICATE = "duplicate", _("Duplicate problem")


FIVE_WHYS = ("why_1", "why_2", "why_3", "why_4", "why_5")
ISHIKAWA = ("fishbone_people", "fishbone_process", "fishbone_technology", "fishbone_suppliers",
            "fishbone_environment", "fishbone_measurement")


class Problem(Ticket):
    TICKET_KIND = "problem"

    origin = models.CharField(_("origin"), max_length=30, choices=Origin.choices, default=Origin.RECURRING_INCIDENT)
    category = models.ForeignKey("incidents.Category", verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+", limit_choices_to={"parent": None})
    affected_services = models.ManyToManyField("slm.Service", verbose_name=_("other affected services"), blank=True,
                                               related_name="+")
    affected_cis = models.ManyToManyField("cmdb.ConfigurationItem", verbose_name=_("other affected configuration items"),
                                          blank=True, related_name="+")
    root_cause = models.TextField(_("root cause"), blank=True)
    workaround = models.TextField(_("workaround"), blank=True)
    known_error = models.BooleanField(_("known error"), default=False)
    known_error_at = models.DateTimeField(_("known error since"), null=True, blank=True)
    review_date = models.DateField(_("known error review date"), null=True, blank=True,
                                   help_text=_("When the known error is re-assessed."))
    review_notified_for = models.DateField(_("review announced for"), null=True, blank=True, editable=False)
    technique = models.CharField(_("analysis technique"), max_length=20, choices=Technique.choices, blank=True)
    why_1 = models.TextField(_("why 1"), blank=True)
    why_2 = models.TextField(_("why 2"), blank=True)
    why_3 = models.TextField(_("why 3"), blank=True)
    why_4 = models.TextField(_("why 4"), blank=True)
    why_5 = models.TextField(_("why 5"), blank=True)
    fishbone_people = models.TextField(_("people"), blank=True)
    fishbone_process = models.TextField(_("process and method"), blank=True)
    fishbone_technology = models.TextField(_("technology and equipment"), blank=True)
    fishbone_suppliers = models.TextField(_("suppliers and materials"), blank=True)
    fishbone_environment = models.TextField(_("environment"), blank=True)
    fishbone_measurement = models.TextField(_("measurement"), blank=True)
    resolution_code = models.CharField(_("resolution code"), max_length=20, choices=ResolutionCode.choices,
                                       blank=True)
    resolution_notes = models.TextField(_("resolution notes"), blank=True)

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        indexes = [models.Index(fields=["known_error", "review_date"], name="problem_known_error_review")]

    def clean(self):
        super().clean()
        if self.known_error and not self.root_cause.strip() and not self.workaround.strip():
            raise ValidationError({"known_error": _("A known error needs a documented root cause or workaround.")})


class InvestigationTask(models.Model):
    """A piece of root-cause investigation handed to a team; written through problems.services (audited on
    the problem)."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("title"), max_length=255)
    team = models.ForeignKey("core.Team", verbose_name=_("team"), on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    due_date = models.DateField(_("due date"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    findings = models.TextField(_("findings"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["team", "state"], name="problem_task_team_state")]
        verbose_name = _("investigation task")
        verbose_name_plural = _("investigation tasks")

    def __str__(self):
        return self.title


class Candidate(models.Model):
    """A cluster of similar incidents proposed by trend analysis as a possible problem."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        DISMISSED = "dismissed", _("Dismissed")

    class Dimension(models.TextChoices):
        CONFIGURATION_ITEM = "configuration_item", _("Configuration item")
        SERVICE = "service", _("Service")
        CATEGORY = "category", _("Category")

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    dimension = models.CharField(_("shared by"), max_length=20, choices=Dimension.choices)
    service = models.ForeignKey("slm.Service", verbose_name=_("service"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="+")
    configuration_item = models.ForeignKey("cmdb.ConfigurationItem", verbose_name=_("configuration item"),
                                           null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("incidents.Category", verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=255, help_text=_("The most typical incident title."))
    terms = models.CharField(_("common terms"), max_length=255, blank=True)
    incident_ids = models.JSONField(_("incidents"), default=list)
    incident_count = models.PositiveIntegerField(_("incident count"), default=0)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    score = models.FloatField(_("score"), default=0)
    dismissed_count = models.PositiveIntegerField(_("incidents when dismissed"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    problem = models.ForeignKey(Problem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["-score", "-id"]
        indexes = [models.Index(fields=["status", "-score"], name="problem_candidate_status")]
        verbose_name = _("problem candidate")
        verbose_name_plural = _("problem candidates")

    def __str__(self):
        return self.title


class WorkaroundApplication(models.Model):
    """A workaround of a known error applied to an incident (what "resolved by a workaround" reports count)."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="applications")
    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="workarounds_applied")
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)
    public = models.BooleanField(_("sent to the requester"), default=False)

    class Meta:
        ordering = ["-applied_at"]
        constraints = [models.UniqueConstraint(fields=["problem", "incident"], name="workaround_once_per_incident")]
        verbose_name = _("applied workaround")
        verbose_name_plural = _("applied workarounds")
