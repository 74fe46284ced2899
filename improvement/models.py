"""The continual improvement register: improvements (tickets, IMP…) that walk the seven steps of the continual
improvement model as their stages, their tasks, the quarters' budgets and the proposals the feeds make.

An improvement is a ticket (its own numbers, audit trail, comments, links and the shared ticket UI) without SLA
timers: it is not a promise to a customer with a clock on it. Its baseline and result are measured from the
same report functions the service level reports use (improvement.metrics), never typed."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Ticket


class Source(models.TextChoices):
    BREACH_TREND = "breach_trend", _("SLA breach trend")
    SERVICE_REVIEW = "service_review", _("Service review action")
    PROBLEM = "problem", _("Problem")
    FEEDBACK = "feedback", _("Customer feedback or complaint")
    SURVEY = "survey", _("Survey")
    STAFF_IDEA = "staff_idea", _("Staff idea")
    AUDIT = "audit", _("Audit")
    SWOT_REVIEW = "swot_review", _("SWOT or scorecard review")


class Practice(models.TextChoices):
    SERVICE_DESK = "service_desk", _("Service desk")
    INCIDENT = "incident", _("Incident management")
    SERVICE_REQUEST = "service_request", _("Service request management")
    PROBLEM = "problem", _("Problem management")
    CHANGE = "change", _("Change enablement")
    SERVICE_LEVEL = "service_level", _("Service level management")
    CONFIGURATION = "configuration", _("Service configuration management")
    EVENT = "event", _("Monitoring and event management")
    KNOWLEDGE = "knowledge", _("Knowledge management")
    IMPROVEMENT = "improvement", _("Continual improvement")


class MetricName(models.TextChoices):
    SLA_COMPLIANCE = "sla_compliance", _("SLA compliance (%)")
    MTTA = "mtta", _("Mean time to acknowledge (seconds)")
    MTTR = "mttr", _("Mean time to resolve (seconds)")
    AVAILABILITY = "availability", _("Availability (%)")
    CSAT = "csat", _("Customer satisfaction (average rating 1-5)")
    INCIDENT_VOLUME = "incident_volume", _("Incident volume (incidents raised in as many days as the baseline)")


# Metrics where a lower value is better; for the others a higher value is better.
LOWER_IS_BETTER = frozenset({MetricName.MTTA, MetricName.MTTR, MetricName.INCIDENT_VOLUME})


class TimerMetric(models.TextChoices):
    ANY = "", _("Response and resolution")
    RESPONSE = "response", _("Response")
    RESOLUTION = "resolution", _("Resolution")


class Outcome(models.TextChoices):
    ACHIEVED = "achieved", _("Achieved")
    PARTLY_ACHIEVED = "partly_achieved", _("Partly achieved")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")


class Closure(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


RATING = [MinValueValidator(1), MaxValueValidator(5)]
# The assessment's model fields; the API calls urgency_rating `urgency` (a ticket's own urgency is 1 high to 3 low).
ASSESSMENT = ("benefit", "cost", "effort", "risk", "urgency_rating", "alignment")
SWOT = ("swot_strengths", "swot_weaknesses", "swot_opportunities", "swot_threats")
SCORECARD = ("scorecard_financial", "scorecard_customer", "scorecard_internal", "scorecard_learning")
METRIC_SCOPE = ("metric_service", "metric_organization", "metric_team", "metric_category")


def rating(label, help_text):
    return models.PositiveSmallIntegerField(label, default=3, validators=RATING, help_text=help_text)


def priority_score(benefit, cost, effort, risk, urgency_rating, alignment):
    """Value over effort: (benefit + urgency + alignment) / (cost + effort + risk) x 10, two decimals.
    Each rating is 1 to 5, so the score runs from 2.00 (little value, heavy) to 50.00 (great value, light);
    all ratings at 3 give 10.00."""
    value = Decimal(benefit + urgency_rating + alignment)
    load = Decimal(cost + effort + risk)
    return (value * 10 / load).quantize(Decimal("0.01"))


class Improvement(Ticket):
    TICKET_KIND = "improvement"

    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.STAFF_IDEA)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+",
                              help_text=_("Accountable for the improvement and its benefits."))
    services = models.ManyToManyField("slm.Service", verbose_name=_("affected services"), blank=True,
                                      related_name="+")
    practices = models.JSONField(_("affected practices"), default=list, blank=True)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    quarter = models.CharField(_("planned quarter"), max_length=6, blank=True,
                               help_text=_("The quarter whose budget and capacity it is planned against (2026Q3)."))
    source_ticket = models.ForeignKey(Ticket, verbose_name=_("source ticket"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    source_review_action = models.ForeignKey("slm.ServiceReviewAction", verbose_name=_("source review action"),
                                             null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    evidence = models.JSONField(_("evidence"), default=dict, blank=True, editable=False)

    # Assessment: each 1 (low) to 5 (high); see priority_score.
    benefit = rating(_("benefit"), _("Expected benefit: 1 small to 5 large."))
    cost = rating(_("cost"), _("Cost: 1 cheap to 5 expensive."))
    effort = rating(_("effort"), _("Effort: 1 a few hours to 5 months of work."))
    risk = rating(_("risk"), _("Risk of doing it: 1 low to 5 high."))
    urgency_rating = rating(_("urgency"), _("Urgency: 1 can wait to 5 pressing."))
    alignment = rating(_("alignment"), _("Alignment with the objectives: 1 loose to 5 direct."))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, default=Decimal("10.00"),
                                editable=False)
    rank_override = models.PositiveIntegerField(_("rank set by a manager"), null=True, blank=True)
    rank_reason = models.TextField(_("reason for the rank"), blank=True)

    # 1. What is the vision?
    vision = models.TextField(_("vision"), blank=True)
    objective = models.TextField(_("objective served"), blank=True,
                                 help_text=_("The service's or organization's objective this improvement serves."))
    # 2. Where are we now? The metric is named here; its baseline is captured when the stage is entered.
    metric_name = models.CharField(_("metric"), max_length=20, choices=MetricName.choices, blank=True)
    metric_timer = models.CharField(_("SLA timers measured"), max_length=10, choices=TimerMetric.choices,
                                    blank=True)
    metric_service = models.ForeignKey("slm.Service", verbose_name=_("metric: service"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    metric_organization = models.ForeignKey("core.Organization", verbose_name=_("metric: organization"),
                                            null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    metric_team = models.ForeignKey("core.Team", verbose_name=_("metric: team"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    metric_category = models.ForeignKey("incidents.Category", verbose_name=_("metric: category"), null=True,
                                        blank=True, on_delete=models.PROTECT, related_name="+")
    baseline_days = models.PositiveSmallIntegerField(
        _("baseline period (days)"), default=90, validators=[MinValueValidator(7), MaxValueValidator(731)],
        help_text=_("The baseline covers this many days up to the day before it is captured."))
    baseline_value = models.FloatField(_("baseline"), null=True, blank=True, editable=False)
    baseline_start = models.DateField(_("baseline from"), null=True, blank=True, editable=False)
    baseline_end = models.DateField(_("baseline to"), null=True, blank=True, editable=False)
    baseline_captured_at = models.DateTimeField(_("baseline captured at"), null=True, blank=True, editable=False)
    swot_strengths = models.TextField(_("strengths"), blank=True)
    swot_weaknesses = models.TextField(_("weaknesses"), blank=True)
    swot_opportunities = models.TextField(_("opportunities"), blank=True)
    swot_threats = models.TextField(_("threats"), blank=True)
    scorecard_financial = models.TextField(_("financial"), blank=True)
    scorecard_customer = models.TextField(_("customer"), blank=True)
    scorecard_internal = models.TextField(_("internal processes"), blank=True)
    scorecard_learning = models.TextField(_("learning and growth"), blank=True)
    assessment_notes = models.TextField(_("assessment notes"), blank=True,
                                        help_text=_("Audit findings and anything else the baseline rests on."))
    # 3. Where do we want to be?
    target_value = models.FloatField(_("target value"), null=True, blank=True)
    # 4. How do we get there? The plan and its business case.
    plan = models.TextField(_("plan"), blank=True)
    business_case = models.TextField(_("business case"), blank=True)
    estimated_cost = models.DecimalField(_("estimated cost"), max_digits=12, decimal_places=2, null=True,
                                         blank=True, validators=[MinValueValidator(0)])
    annual_benefit = models.DecimalField(_("expected benefit per year"), max_digits=12, decimal_places=2,
                                         null=True, blank=True, validators=[MinValueValidator(0)])
    effort_days = models.DecimalField(_("effort (person-days)"), max_digits=7, decimal_places=1, null=True,
                                      blank=True, validators=[MinValueValidator(0)])
    # 5. Take action: tasks (ImprovementTask) and linked changes and problems (core TicketLink), with notes.
    action_notes = models.TextField(_("action notes"), blank=True)
    action_started_on = models.DateField(_("action started on"), null=True, blank=True, editable=False)
    # 6. Did we get there? Measured over the days since action started, by the beat job until closed.
    result_value = models.FloatField(_("result"), null=True, blank=True, editable=False)
    result_start = models.DateField(_("result from"), null=True, blank=True, editable=False)
    result_end = models.DateField(_("result to"), null=True, blank=True, editable=False)
    result_measured_at = models.DateTimeField(_("result measured at"), null=True, blank=True, editable=False)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True, editable=False)
    evaluation = models.TextField(_("evaluation"), blank=True,
                                  help_text=_("What the result means and why it came out this way."))
    # 7. How do we keep the momentum going?
    follow_ups = models.TextField(_("follow-ups"), blank=True)
    lessons = models.TextField(_("lessons learned"), blank=True)
    closure = models.CharField(_("closure"), max_length=10, choices=Closure.choices, blank=True, editable=False)
    withdrawn_reason = models.TextField(_("reason for withdrawing"), blank=True)

    class Meta:
        verbose_name = _("improvement")
        verbose_name_plural = _("improvements")
        indexes = [models.Index(fields=["-score"], name="improvement_score"),
                   models.Index(fields=["quarter"], name="improvement_quarter"),
                   # the daily re-measuring reads only the open records taking action or past it
                   models.Index(fields=["result_measured_at", "ticket_ptr"], name="improvement_remeasure",
                                condition=models.Q(closure="", action_started_on__isnull=False))]

    @property
    def payback_months(self):
        """Months for the expected benefit to repay the estimated cost (None when either is unknown)."""
        if self.estimated_cost is None or not self.annual_benefit:
            return None
        return (Decimal(self.estimated_cost) * 12 / Decimal(self.annual_benefit)).quantize(Decimal("0.1"))

    def before_transition(self, from_state, to, actor):
        from . import stages

        return stages.on_enter(self, from_state, to, actor)


class ImprovementTask(models.Model):
    """A piece of work in the "take action" stage."""

    improvement = models.ForeignKey(Improvement, verbose_name=_("improvement"), on_delete=models.CASCADE,
                                    related_name="tasks")
    title = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    due_date = models.DateField(_("due date"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("improvement task")
        verbose_name_plural = _("improvement tasks")

    def __str__(self):
        return self.title


class Measurement(models.Model):
    """Each time an improvement's metric was measured: the baseline, then every result (the chart's points)."""

    class Kind(models.TextChoices):
        BASELINE = "baseline", _("Baseline")
        RESULT = "result", _("Result")

    improvement = models.ForeignKey(Improvement, on_delete=models.CASCADE, related_name="measurements")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = models.FloatField(_("value"), null=True, blank=True)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    measured_at = models.DateTimeField(_("measured at"), default=timezone.now)

    class Meta:
        ordering = ["measured_at", "id"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")


class QuarterBudget(models.Model):
    """What a quarter may spend on improvement: money and people's time."""

    quarter = models.CharField(_("quarter"), max_length=6, unique=True, help_text=_("2026Q3"))
    budget = models.DecimalField(_("budget"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    capacity_days = models.DecimalField(_("capacity (person-days)"), max_digits=7, decimal_places=1,
                                        validators=[MinValueValidator(0)])
    notes = models.CharField(_("notes"), max_length=255, blank=True)

    class Meta:
        ordering = ["-quarter"]
        verbose_name = _("quarter budget")
        verbose_name_plural = _("quarter budgets")

    def __str__(self):
        return self.quarter


class Proposal(models.Model):
    """An improvement a feed proposes, with its evidence, waiting for a manager to accept or dismiss it."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        ACCEPTED = "accepted", _("Accepted")
        DISMISSED = "dismissed", _("Dismissed")

    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    service = models.ForeignKey("slm.Service", verbose_name=_("service"), on_delete=models.CASCADE,
                                related_name="+")
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    count = models.PositiveIntegerField(_("occurrences"))
    evidence = models.JSONField(_("evidence"), default=dict)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    dismiss_reason = models.TextField(_("reason for dismissing"), blank=True)
    improvement = models.ForeignKey(Improvement, verbose_name=_("improvement"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="proposals")

    class Meta:
        ordering = ["-id"]
        verbose_name = _("improvement proposal")
        verbose_name_plural = _("improvement proposals")
        indexes = [models.Index(fields=["state", "-id"], name="improvement_proposal_state"),
                   models.Index(fields=["service", "source", "period_end"], name="improvement_proposal_feed")]

    def __str__(self):
        return self.title
