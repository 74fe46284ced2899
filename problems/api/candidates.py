"""API of trend-analysis candidates: service desk staff list, run, accept and dismiss them."""

import uuid

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.directory import BoundedLookupMixin, StaffOnly
from core.api.pagination import KeysetPagination
from core.api.schema import ERRORS
from problems import candidate_queries, candidate_services, trends
from problems.models import Candidate
from problems.queries import problem_url


class CandidatePagination(KeysetPagination):
    page_size = 25
    max_page_size = 100
    ordering = ("-score", "-id")


class CandidateSerializer(serializers.ModelSerializer):
    incidents = serializers.ListField(child=serializers.IntegerField(), source="incident_ids", read_only=True,
                                      help_text=_("Ids of the incidents in the cluster."))
    service_name = serializers.CharField(source="service.name", read_only=True, allow_null=True, default=None)
    configuration_item_name = serializers.CharField(source="configuration_item.name", read_only=True,
                                                    allow_null=True, default=None)
    category_name = serializers.CharField(source="category.name", read_only=True, allow_null=True, default=None)
    problem_url = serializers.SerializerMethodField()

    class Meta:
        model = Candidate
        fields = ("id", "status", "dimension", "title", "terms", "incidents", "incident_count", "first_seen",
                  "last_seen", "score", "service", "service_name", "configuration_item", "configuration_item_name",
                  "category", "category_name", "dismissed_count", "decided_by", "decided_at", "problem",
                  "problem_url", "created_at", "updated_at")
        read_only_fields = fields

    @extend_schema_field({"type": "string", "nullable": True})
    def get_problem_url(self, obj):
        return problem_url(obj.problem) if obj.problem_id else None


AcceptedSerializer = inline_serializer("AcceptedCandidate", {
    "id": serializers.IntegerField(), "number": serializers.CharField(), "title": serializers.CharField(),
    "url": serializers.CharField(), "candidate": serializers.IntegerField()})
RunSerializer = inline_serializer("TrendRun", {
    "status": serializers.CharField(), "task_id": serializers.CharField(required=False),
    "incidents": serializers.IntegerField(required=False), "clusters": serializers.IntegerField(required=False),
    "created": serializers.IntegerField(required=False), "updated": serializers.IntegerField(required=False),
    "reproposed": serializers.IntegerField(required=False), "unchanged": serializers.IntegerField(required=False),
    "removed": serializers.IntegerField(required=False)})


class CandidateViewSet(BoundedLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       viewsets.GenericViewSet):
    """Clusters of similar incidents proposed as problems (agents and managers)."""

    permission_classes = [StaffOnly]
    serializer_class = CandidateSerializer
    pagination_class = CandidatePagination
    filter_backends = []

    def get_queryset(self):
        if self.action != "list":
            return candidate_queries.candidate_detail()
        wanted = self.request.query_params.get("status", Candidate.Status.PROPOSED)
        if wanted not in Candidate.Status.values:
            raise exceptions.ValidationError({"status": [_("Choose one of: %(choices)s.") % {
                "choices": ", ".join(Candidate.Status.values)}]})
        return candidate_queries.candidates(wanted)

    @extend_schema(tags=["problem candidates"], responses={200: CandidateSerializer(many=True), **ERRORS},
                   parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=list(Candidate.Status.values),
                                                description=_("proposed (default), accepted or dismissed."))])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(tags=["problem candidates"], responses={200: CandidateSerializer, **ERRORS})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(tags=["problem candidates"], request=None, responses={200: RunSerializer, 202: RunSerializer,
                   **ERRORS}, summary=_("Run trend analysis now"), description=_(
                       "Analyses within the request (200 with the summary) when the window holds at most "
                       "PROBLEM_TREND_SYNC_LIMIT incidents, else queues the analysis (202 with the task id)."))
    @action(detail=False, methods=["post"], pagination_class=None)
    def run(self, request):
        if trends.window_size(settings.PROBLEM_TREND_SYNC_LIMIT + 1) <= settings.PROBLEM_TREND_SYNC_LIMIT:
            return Response({"status": "done", **candidate_services.run_analysis()})
        from problems.tasks import run_trend_analysis

        task_id = str(uuid.uuid4())
        transaction.on_commit(lambda: run_trend_analysis.apply_async(task_id=task_id))
        return Response({"status": "queued", "task_id": task_id}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(tags=["problem candidates"], request=None,
                   responses={201: AcceptedSerializer, 200: AcceptedSerializer, **ERRORS},
                   summary=_("Accept: create the problem and link the incidents"),
                   description=_("201 with the new problem; 200 with the same problem when already accepted."))
    @action(detail=True, methods=["post"], pagination_class=None)
    def accept(self, request, pk=None):
        problem, created = candidate_services.accept_candidate(self.get_object(), request.user)
        body = {"id": problem.pk, "number": problem.number, "title": problem.title,
                "url": problem_url(problem), "candidate": int(pk)}
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(tags=["problem candidates"], request=None, responses={200: CandidateSerializer, **ERRORS},
                   summary=_("Dismiss: not proposed again unless the cluster grows"))
    @action(detail=True, methods=["post"], pagination_class=None)
    def dismiss(self, request, pk=None):
        candidate = candidate_services.dismiss_candidate(self.get_object(), request.user)
        return Response(self.get_serializer(candidate_queries.candidate_detail().get(pk=candidate.pk)).data)
