"""REST API of the service level reports, satisfaction surveys and service reviews."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions as drf_permissions, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core import permissions
from core.models import Organization

from .. import reports, reports_service, reviews, surveys
from ..models import SatisfactionSurvey, Service, ServiceReview, ServiceReviewAction


class IsAgent(drf_permissions.BasePermission):
    """Reports are read by service desk staff: agents, managers, admins."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and permissions.is_agent(request.user))


class ReviewPermission(IsAgent):
    """Agents read service reviews; managers and admins write them."""

    def has_permission(self, request, view):
        if request.method in drf_permissions.SAFE_METHODS:
            return super().has_permission(request, view)
        return bool(request.user and request.user.is_authenticated and permissions.is_manager(request.user))


def _django_errors(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except DjangoValidationError as exc:
        raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


class ReportQuerySerializer(serializers.Serializer):
    period = serializers.CharField(required=False, allow_blank=True, help_text=_("2026-10 or 2026Q3"))
    start = serializers.CharField(required=False, allow_blank=True, help_text=_("YYYY-MM-DD, with end"))
    end = serializers.CharField(required=False, allow_blank=True, help_text=_("YYYY-MM-DD, included"))
    group_by = serializers.ChoiceField(choices=reports.GROUP_BY_CHOICES, default="service")
    service = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    organization = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    kind = serializers.CharField(required=False, allow_blank=True, max_length=20)
    team = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    category = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1,
                                        help_text=_("Only incidents of this category or subcategory."))
    timer_metric = serializers.ChoiceField(choices=reports.TIMER_METRICS, required=False, allow_blank=True,
                                           help_text=_("Only response or resolution timers (SLA compliance)."))
    value = serializers.CharField(required=False, allow_blank=True, max_length=20,
                                  help_text=_("Only the rows of this grouping value (an id, or “none”)."))

    def validate(self, attrs):
        attrs["period_obj"] = _django_errors(reports.parse_period, attrs.get("period"), attrs.get("start"),
                                             attrs.get("end"))
        attrs["key"] = _django_errors(reports.parse_key, attrs.get("group_by"), attrs.get("value"))
        return attrs


SCOPE = ("service", "organization", "kind", "team", "category")


def report_query(request):
    """(period, group_by, scope filters, key, timer metric) from the query string; bad input is a 400."""
    query = ReportQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    data = query.validated_data
    scope = {name: data.get(name) for name in SCOPE}
    return data["period_obj"], data["group_by"], scope, data["key"], data.get("timer_metric") or None


REPORT_PARAMETERS = [OpenApiParameter(name, str, required=False) for name in ReportQuerySerializer().fields]


class ComplianceReportView(APIView):
    """SLA compliance per group: measured, met, breached, compliance %, MTTA, MTTR, and the trend; with the
    incidents raised in the period within the same scope."""

    permission_classes = [IsAgent]

    @extend_schema(parameters=REPORT_PARAMETERS, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        period, group_by, scope, key, timer_metric = report_query(request)
        report = reports.compliance(period, group_by, key=key, timer_metric=timer_metric, **scope)
        report["incident_volume"] = reports.incident_volume(
            period, **{name: scope[name] for name in ("service", "organization", "team", "category")})
        return Response(report)


class BreachListView(APIView):
    """Timers breached in the period, newest first, with their tickets (at most 200)."""

    permission_classes = [IsAgent]

    @extend_schema(parameters=REPORT_PARAMETERS, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        period, group_by, scope, key, timer_metric = report_query(request)
        rows = reports.breaches(period, group_by, key=key, timer_metric=timer_metric, **scope)
        return Response({"period": period.as_dict(), "results": [reports.breach_dict(t) for t in rows]})


class AvailabilityReportView(APIView):
    """Availability achieved per service against its SLA target, from major incidents' outages."""

    permission_classes = [IsAgent]

    @extend_schema(parameters=REPORT_PARAMETERS, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        period, _group_by, scope, _key, _timer_metric = report_query(request)
        services = [scope["service"]] if scope["service"] else None
        return Response(reports.availability(period, services, scope["organization"]))


class SatisfactionReportView(APIView):
    """Satisfaction scores (average, count, distribution) per service, team, organization or priority, and over
    everything in scope (total)."""

    permission_classes = [IsAgent]

    @extend_schema(parameters=REPORT_PARAMETERS, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        period, group_by, scope, _key, _timer_metric = report_query(request)
        rows = _django_errors(reports.satisfaction, period, group_by, **scope)
        return Response({"period": period.as_dict(), "group_by": group_by, "rows": rows,
                         "total": reports.satisfaction_total(period, **scope)})


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, str):
            return data.encode(self.charset)
        return "\n".join(f"{k},{v}" for k, v in (data or {}).items()).encode(self.charset)


class ServiceReportView(APIView):
    """The monthly service report of one service (and customer) as JSON, or CSV with ?format=csv."""

    permission_classes = [IsAgent]
    renderer_classes = [renderers.JSONRenderer, CSVRenderer]

    @extend_schema(parameters=[OpenApiParameter("period", str), OpenApiParameter("organization", int)],
                   responses=OpenApiTypes.OBJECT)
    def get(self, request, pk):
        service = get_object_or_404(Service, pk=pk)
        query = ReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        organization = None
        if query.validated_data.get("organization"):
            organization = Organization.objects.filter(pk=query.validated_data["organization"]).first()
            if organization is None:
                raise ValidationError({"organization": [_("Unknown organization.")]})
        report = reports_service.service_report(service, organization, query.validated_data["period_obj"])
        if request.accepted_renderer.format == "csv":
            return Response(reports_service.service_report_csv(report), headers={
                "Content-Disposition": f'attachment; filename="service-{service.pk}-'
                                       f'{report["period"]["label"]}.csv"'})
        return Response(report)


# --- surveys --------------------------------------------------------------------------------------

class SurveySerializer(serializers.ModelSerializer):
    ticket_number = serializers.CharField(source="ticket.number", read_only=True)
    ticket_title = serializers.CharField(source="ticket.title", read_only=True)

    class Meta:
        model = SatisfactionSurvey
        fields = ("id", "ticket", "ticket_number", "ticket_title", "rating", "comment", "sent_at", "answered_at")
        read_only_fields = fields


class SurveyAnswerSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class SurveyViewSet(viewsets.ReadOnlyModelViewSet):
    """The requester's own satisfaction surveys; answer one with POST .../answer/."""

    serializer_class = SurveySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return SatisfactionSurvey.objects.none()
        if self.action == "answer":  # someone else's survey: 403, not 404
            return SatisfactionSurvey.objects.select_related("ticket")
        return surveys.surveys_of(self.request.user)

    @extend_schema(request=SurveyAnswerSerializer, responses=SurveySerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        survey = self.get_object()
        if survey.requester_id != request.user.pk:
            return Response({"detail": _("Only the requester can answer this survey.")},
                            status=status.HTTP_403_FORBIDDEN)
        data = SurveyAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            survey = surveys.answer_survey(survey, request.user, data.validated_data["rating"],
                                           data.validated_data["comment"])
        except surveys.SurveyAlreadyAnswered as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return Response(SurveySerializer(survey).data)


# --- service reviews ------------------------------------------------------------------------------

class ReviewActionSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(required=False)

    class Meta:
        model = ServiceReviewAction
        fields = ("id", "description", "owner", "due_date", "status")


class ServiceReviewSerializer(serializers.ModelSerializer):
    actions = ReviewActionSerializer(many=True, required=False)
    service_name = serializers.CharField(source="service.name", read_only=True)
    report_period = serializers.CharField(source="reviewed_period", read_only=True)

    class Meta:
        model = ServiceReview
        fields = ("id", "service", "service_name", "organization", "date", "period", "report_period",
                  "participants", "findings", "decisions", "actions", "created_at", "updated_at")
        read_only_fields = ("created_at", "updated_at")

    def create(self, validated_data):
        actions = validated_data.pop("actions", [])
        return _django_errors(reviews.create_review, self.context["request"].user, validated_data, actions)

    def update(self, instance, validated_data):
        actions = validated_data.pop("actions", None)
        return _django_errors(reviews.update_review, instance, self.context["request"].user, validated_data,
                              actions)


class ServiceReviewViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin,
                           viewsets.ReadOnlyModelViewSet):
    """Service review meetings with their actions (nested); agents read, managers write."""

    serializer_class = ServiceReviewSerializer
    permission_classes = [ReviewPermission]
    filterset_fields = ["service", "organization"]

    def get_queryset(self):
        return reviews.reviews_for(self.request.user).prefetch_related("actions")

    def perform_destroy(self, instance):
        reviews.delete_review(instance, self.request.user)
