"""The improvement register's API shapes. The spine's own impact, urgency and priority are left out: an
improvement is prioritised by its assessment, whose `urgency` is the model's urgency_rating (1 to 5)."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import permissions
from core.api.serializers import (SafePrimaryKeyRelatedField, TicketDetailMixin, TicketSerializer, UserNameField,
                                  transition_serializer_for)
from core.models import Organization, Team
from improvement import measuring
from improvement.models import (Closure, Improvement, ImprovementTask, MetricName, Practice, QuarterBudget,
                                TimerMetric)
from improvement.workflow import STATES, WORKFLOW
from incidents.models import Category
from slm.models import Service

User = get_user_model()

SPINE_LEFT_OUT = ("impact", "urgency", "priority", "priority_label")
SPINE_FIELDS = tuple(name for name in TicketSerializer.spine_fields if name not in SPINE_LEFT_OUT)
SPINE_READ_ONLY = tuple(name for name in TicketSerializer.spine_read_only if name not in SPINE_LEFT_OUT)

RATINGS = ("benefit", "cost", "effort", "risk", "urgency", "alignment")
STAGE_CONTENT = ("vision", "objective", "baseline_days", "swot_strengths", "swot_weaknesses", "swot_opportunities",
                 "swot_threats", "scorecard_financial", "scorecard_customer", "scorecard_internal",
                 "scorecard_learning", "assessment_notes", "target_value", "plan", "business_case", "estimated_cost",
                 "annual_benefit", "effort_days", "payback_months", "action_notes", "action_started_on",
                 "evaluation", "follow_ups", "lessons", "closure", "withdrawn_reason")
IMPROVEMENT_FIELDS = ("source", "services", "stage", *RATINGS, "score", "metric", "baseline", "result", "owner",
                      "owner_name", "practices", "target_date", "quarter", "evidence", *STAGE_CONTENT,
                      "rank_override", "rank_reason", "source_ticket", "source_review_action")
IMPROVEMENT_READ_ONLY = ("score", "evidence", "action_started_on", "rank_override", "rank_reason", "source_ticket",
                         "source_review_action")

# Model field -> the API's name for it, for messages from the services (which speak of model fields).
API_NAMES = {"urgency_rating": "urgency", "state": "stage"}
METRIC_FIELDS = {"metric_name": "name", "metric_timer": "timer", "metric_service": "service",
                 "metric_organization": "organization", "metric_team": "team", "metric_category": "category"}


def api_errors(errors):
    """{model field: messages} -> {API field: messages}; the metric's fields nest under `metric`."""
    translated, metric = {}, {}
    for name, messages in errors.items():
        if name in METRIC_FIELDS:
            metric[METRIC_FIELDS[name]] = messages
        else:
            translated[API_NAMES.get(name, name)] = messages
    if metric:
        translated["metric"] = metric
    return translated


def _iso(day):
    return day.isoformat() if day is not None else None


@extend_schema_field({"type": "string", "description": "achieved, partly_achieved, not_achieved or blank"})
class OutcomeField(serializers.CharField):
    """Documented without an enum component: changes already call another choice set `outcome`."""


class ImprovementMetricSerializer(serializers.Serializer):
    """The metric the improvement moves and what it is measured for (a service, an organization, a team and/or
    a category). Written as a whole: keys left out are cleared. Checked when the record advances: a draft may be
    incomplete."""

    name = serializers.ChoiceField(MetricName.choices, source="metric_name", allow_blank=True, help_text=gettext_lazy(
        "sla_compliance, mtta, mttr, availability, csat or incident_volume (blank while not chosen)."))
    timer = serializers.ChoiceField(TimerMetric.choices, source="metric_timer", required=False, allow_blank=True,
                         help_text=gettext_lazy("SLA compliance only: response, resolution or blank (both)."))
    service = SafePrimaryKeyRelatedField(source="metric_service", queryset=Service.objects.all(), required=False,
                                         allow_null=True)
    organization = SafePrimaryKeyRelatedField(source="metric_organization", queryset=Organization.objects.all(),
                                              required=False, allow_null=True)
    team = SafePrimaryKeyRelatedField(source="metric_team", queryset=Team.objects.all(), required=False,
                                      allow_null=True)
    category = SafePrimaryKeyRelatedField(source="metric_category", queryset=Category.objects.all(),
                                          required=False, allow_null=True)

    CLEARED = {"metric_name": "", "metric_timer": "", "metric_service": None, "metric_organization": None,
               "metric_team": None, "metric_category": None}

    def validate_empty_values(self, data):
        if data is None:  # `"metric": null` clears the metric
            return True, dict(self.CLEARED)
        return super().validate_empty_values(data)

    def validate(self, attrs):
        if "metric_name" not in attrs:
            raise serializers.ValidationError({"name": [_("This field is required.")]})
        return {**self.CLEARED, **attrs}

    def to_representation(self, improvement):
        if not improvement.metric_name and not any(getattr(improvement, f"{name}_id") for name in (
                "metric_service", "metric_organization", "metric_team", "metric_category")):
            return None
        return {"name": improvement.metric_name, "timer": improvement.metric_timer,
                "service": improvement.metric_service_id, "organization": improvement.metric_organization_id,
                "team": improvement.metric_team_id, "category": improvement.metric_category_id}


class ImprovementBaselineSerializer(serializers.Serializer):
    value = serializers.FloatField(allow_null=True, help_text=gettext_lazy("Null when nothing was measured."))
    period_start = serializers.DateField()
    period_end = serializers.DateField()


class ImprovementResultSerializer(ImprovementBaselineSerializer):
    outcome = OutcomeField(allow_blank=True, help_text=gettext_lazy(
        "achieved, partly_achieved or not_achieved; blank without a target or a result value."))


class ImprovementTaskSerializer(serializers.ModelSerializer):
    owner = SafePrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    owner_name = UserNameField(source="owner", allow_null=True)
    done = serializers.BooleanField(required=False, help_text=gettext_lazy("Done (true) or still to do."))

    class Meta:
        model = ImprovementTask
        fields = ("id", "title", "owner", "owner_name", "due_date", "done", "done_at", "created_at")
        read_only_fields = ("done_at", "created_at")

    def to_representation(self, task):
        data = super().to_representation(task)
        data["done"] = task.done_at is not None
        return data


class ImprovementSerializer(TicketSerializer):
    stage = serializers.ChoiceField(list(STATES.items()), source="state", read_only=True, help_text=gettext_lazy(
        "The step of the continual improvement model the record is at; moved by the advance action."))
    services = SafePrimaryKeyRelatedField(many=True, required=False, queryset=Service.objects.all(),
                                          help_text=gettext_lazy("Ids of the affected services."))
    urgency = serializers.IntegerField(source="urgency_rating", required=False, min_value=1, max_value=5,
                                       help_text=gettext_lazy("Urgency: 1 can wait to 5 pressing."))
    metric = ImprovementMetricSerializer(source="*", required=False, allow_null=True)
    baseline = serializers.SerializerMethodField(help_text=gettext_lazy(
        "Measured when the record enters “where are we now”; null until then."))
    result = serializers.SerializerMethodField(help_text=gettext_lazy(
        "Measured from the start of action until the record closes; null until then."))
    owner = SafePrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    owner_name = UserNameField(source="owner", allow_null=True)
    practices = serializers.ListField(child=serializers.ChoiceField(Practice.choices), required=False,
                                      max_length=len(Practice),
                                      help_text=gettext_lazy("The affected practices."))
    quarter = serializers.CharField(max_length=7, required=False, allow_blank=True, help_text=gettext_lazy(
        "The quarter whose budget and capacity it is planned against, as 2026Q3."))
    payback_months = serializers.DecimalField(max_digits=None, decimal_places=1, read_only=True, allow_null=True,
                                              help_text=gettext_lazy("Estimated cost / annual benefit x 12."))
    closure = serializers.ChoiceField(Closure.choices, read_only=True, allow_blank=True)

    class Meta:
        model = Improvement
        fields = SPINE_FIELDS + IMPROVEMENT_FIELDS
        read_only_fields = SPINE_READ_ONLY + IMPROVEMENT_READ_ONLY

    def validate_owner(self, owner):
        if owner is not None and not permissions.is_agent(owner):
            raise serializers.ValidationError(_("Only service desk staff can own an improvement."))
        return owner

    @extend_schema_field(ImprovementBaselineSerializer(allow_null=True))
    def get_baseline(self, improvement):
        if improvement.baseline_captured_at is None:
            return None
        return {"value": improvement.baseline_value, "period_start": _iso(improvement.baseline_start),
                "period_end": _iso(improvement.baseline_end)}

    @extend_schema_field(ImprovementResultSerializer(allow_null=True))
    def get_result(self, improvement):
        if improvement.result_measured_at is None:
            return None
        return {"value": improvement.result_value, "period_start": _iso(improvement.result_start),
                "period_end": _iso(improvement.result_end), "outcome": improvement.outcome}


class ImprovementDetailSerializer(TicketDetailMixin, ImprovementSerializer):
    created_by_name = UserNameField(source="created_by", allow_null=True)
    tasks = ImprovementTaskSerializer(many=True, read_only=True)

    class Meta(ImprovementSerializer.Meta):
        fields = ImprovementSerializer.Meta.fields + ("created_by_name", "tasks", "allowed_transitions")


class ImprovementAdvanceSerializer(ImprovementSerializer):
    """The body of `advance`: any stage content (PATCH semantics), and the version you edited."""

    class Meta(ImprovementSerializer.Meta):
        extra_kwargs = {"title": {"required": False}}


class ImprovementRegisterRowSerializer(ImprovementSerializer):
    rank = serializers.IntegerField(read_only=True, help_text=gettext_lazy("The place in the register (1 first)."))

    class Meta(ImprovementSerializer.Meta):
        fields = ("rank",) + ImprovementSerializer.Meta.fields


class ImprovementQuarterUseSerializer(serializers.Serializer):
    quarter = serializers.CharField()
    budget = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    capacity_days = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True)
    planned_cost = serializers.DecimalField(max_digits=None, decimal_places=2, help_text=gettext_lazy(
        "Estimated cost of the records planned against the quarter (stage plan)."))
    planned_days = serializers.DecimalField(max_digits=None, decimal_places=1)
    committed_cost = serializers.DecimalField(max_digits=None, decimal_places=2, help_text=gettext_lazy(
        "Estimated cost of the records taking action or past it (withdrawn ones left out)."))
    committed_days = serializers.DecimalField(max_digits=None, decimal_places=1)


class ImprovementRegisterSerializer(serializers.Serializer):
    results = ImprovementRegisterRowSerializer(many=True)
    truncated = serializers.BooleanField(help_text=gettext_lazy("More open improvements match than are shown."))
    budgets = ImprovementQuarterUseSerializer(many=True)


class ImprovementRankSerializer(serializers.Serializer):
    rank = serializers.IntegerField(min_value=1, max_value=2**31 - 1, allow_null=True, help_text=gettext_lazy(
        "The place in the register, or null to go back to the score's place."))
    reason = serializers.CharField(max_length=2000, help_text=gettext_lazy("Why the rank is set by hand (kept)."))
    version = serializers.IntegerField(required=False, min_value=1)


class QuarterBudgetSerializer(serializers.ModelSerializer):
    quarter = serializers.CharField(max_length=7, help_text=gettext_lazy("The quarter, as 2026Q3."))

    class Meta:
        model = QuarterBudget
        fields = ("id", "quarter", "budget", "capacity_days", "notes")

    def validate_quarter(self, value):
        value = value.strip().upper().replace("-Q", "Q")
        if not measuring.valid_quarter(value):
            raise serializers.ValidationError(_("Enter a quarter as 2026Q3."))
        return value


ImprovementTransitionSerializer = transition_serializer_for(Improvement, WORKFLOW)
