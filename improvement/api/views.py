from contextlib import contextmanager

import django_filters as filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core import permissions
from core.api.schema import CONFLICTS, ERRORS, IF_MATCH
from core.api.serializers import MAX_ID
from core.api.views import SUB_RESOURCE, TicketViewSet
from core.filters import ORDERING_CHOICES, ORDERINGS as TICKET_ORDERINGS
from core.workflow import TransitionError
from improvement import metrics, queries, services
from improvement.filters import ImprovementFilter
from improvement.models import Improvement, ImprovementTask
from improvement.workflow import REQUIRED, WORKFLOW, next_stage

from .serializers import (ImprovementAdvanceSerializer, ImprovementDetailSerializer, ImprovementRankSerializer,
                          ImprovementRegisterSerializer, ImprovementSerializer, ImprovementTaskSerializer,
                          ImprovementTransitionSerializer, api_errors)

REGISTER_LIMIT = 500

# The `ordering` choice -> sort keys ending in a unique key, so every sorted list still pages by keyset.
ORDERINGS = {
    **TICKET_ORDERINGS,
    "-score": ("-score", "-id"), "score": ("score", "id"),
    "target_date": ("target_date", "id"), "-target_date": ("-target_date", "-id"),
    "-created_at": ("-created_at", "-id"), "created_at": ("created_at", "id"),
}
DATED = ("target_date", "-target_date")


class ImprovementApiFilter(ImprovementFilter):
    """The register's FilterSet with the API's sort orders: score, target date, created."""

    ordering = filters.ChoiceFilter(method="filter_ordering", label=gettext_lazy("Sort"), choices=[
        *ORDERING_CHOICES,
        ("-score", gettext_lazy("Score (highest first)")), ("score", gettext_lazy("Score (lowest first)")),
        ("target_date", gettext_lazy("Target date (soonest first; records with a target date only)")),
        ("-target_date", gettext_lazy("Target date (latest first; records with a target date only)")),
        ("-created_at", gettext_lazy("Created (newest first)")),
        ("created_at", gettext_lazy("Created (oldest first)")),
    ])
    orderings = ORDERINGS

    class Meta(ImprovementFilter.Meta):
        pass

    def filter_ordering(self, queryset, name, value):
        if value in DATED:  # keyset pages need a value to sort by
            queryset = queryset.filter(target_date__isnull=False)
        return super().filter_ordering(queryset, name, value)


@contextmanager
def api_field_names():
    """Service refusals name model fields; answer with the API's names (urgency, metric.name, ...)."""
    try:
        yield
    except TransitionError as exc:
        raise exceptions.ValidationError(api_errors(exc.errors))
    except DjangoValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise exceptions.ValidationError(api_errors(exc.message_dict))


def create_improvement(actor, data):
    with api_field_names():
        return services.create_improvement(actor, data)


def update_improvement(improvement, actor, data, expected_version=None):
    with api_field_names():
        return services.update_improvement(improvement, actor, data, expected_version)


class RankedRow:
    """What queries.ranked orders by, without loading the whole record."""

    __slots__ = ("pk", "score", "rank_override", "rank")

    def __init__(self, pk, score, rank_override):
        self.pk, self.score, self.rank_override = pk, score, rank_override


WRITES = {200: ImprovementDetailSerializer, **ERRORS, **CONFLICTS}
TASK_ID = OpenApiParameter("task_id", int, OpenApiParameter.PATH)


class ImprovementViewSet(TicketViewSet):
    """The continual improvement register: the shared ticket API over improvement.queries, .filters and
    .services, with the seven steps (`advance`), measuring, the manager's rank, tasks and the ranked register.
    Staff only."""

    list_queryset = staticmethod(queries.improvement_list)
    detail_queryset = staticmethod(queries.improvement_detail)
    serializer_class = ImprovementSerializer
    detail_serializer_class = ImprovementDetailSerializer
    transition_serializer_class = ImprovementTransitionSerializer
    create_service = staticmethod(create_improvement)
    update_service = staticmethod(update_improvement)
    transition_service = staticmethod(services.transition_improvement)
    requester_create_fields = ()
    filterset_class = ImprovementApiFilter
    ordering_map = ORDERINGS
    schema_tag = "improvements"

    def _editable(self):
        improvement = self.get_object()
        self._require_change(improvement)
        return improvement

    def _require_change(self, improvement):
        if not permissions.can_edit(self.request.user, improvement):
            raise exceptions.PermissionDenied(_("Only service desk staff can change an improvement."))

    # --- the seven steps ---------------------------------------------------------------------------------------

    @extend_schema(tags=["improvements"], parameters=[IF_MATCH], request=ImprovementAdvanceSerializer,
                   responses=WRITES, summary=gettext_lazy("Write stage content and move to the next stage"))
    @action(detail=True, methods=["post"], filter_backends=[], serializer_class=ImprovementAdvanceSerializer)
    def advance(self, request, pk=None):
        """Any stage content in the body is written first (as a PATCH would), then the record moves to its next
        stage; what the stage still lacks is a 400 naming each field, and nothing is written."""
        improvement = self._editable()
        serializer = ImprovementAdvanceSerializer(improvement, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        body_version = data.pop("version", None)
        self._check_can_advance(improvement, data)

        def write(expected):
            with api_field_names():
                return services.advance(improvement, request.user, data, expected)

        return self.detail_response(self.write_with_version(improvement, write, body_version))

    @staticmethod
    def _check_can_advance(improvement, data):
        """The metric must be measurable to move on (a draft may hold an incomplete one); a refusal names the
        stage's missing content too."""
        to = next_stage(improvement.state)
        if to is None:
            return  # services.advance says why
        merged = metrics.MetricSpec(*(
            _id(data[field]) if field in data else getattr(improvement, attribute) for field, attribute in (
                ("metric_name", "metric_name"), ("metric_timer", "metric_timer"),
                ("metric_service", "metric_service_id"), ("metric_organization", "metric_organization_id"),
                ("metric_team", "metric_team_id"), ("metric_category", "metric_category_id"))))
        errors = metrics.validate_spec(merged)
        if not errors:
            return
        message = _("This field is required to move to “%(state)s”.") % {"state": WORKFLOW.label(to)}
        for name in REQUIRED.get(improvement.state, ()):
            if data.get(name, getattr(improvement, name)) in (None, "") and name not in errors:
                errors[name] = [message]
        raise exceptions.ValidationError(api_errors(errors))

    @extend_schema(tags=["improvements"], parameters=[IF_MATCH], request=None, responses=WRITES,
                   summary=gettext_lazy("Measure “did we get there” now"))
    @action(detail=True, methods=["post"], filter_backends=[])
    def measure(self, request, pk=None):
        """Measure the metric again over the days since action started, with its outcome against the baseline
        and the target (from the start of action until the record closes)."""
        improvement = self._editable()

        def write(expected):
            with api_field_names():
                return services.measure_now(improvement, request.user, expected)

        return self.detail_response(self.write_with_version(improvement, write, None))

    @extend_schema(tags=["improvements"], parameters=[IF_MATCH], request=ImprovementRankSerializer, responses=WRITES,
                   summary=gettext_lazy("Set the register rank by hand, with the reason (managers)"))
    @action(detail=True, methods=["post"], filter_backends=[], serializer_class=ImprovementRankSerializer)
    def rank(self, request, pk=None):
        improvement = self.get_object()
        if not permissions.is_manager(request.user):
            raise exceptions.PermissionDenied(_("Only managers can override the register's ranking."))
        serializer = ImprovementRankSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        def write(expected):
            with api_field_names():
                return services.set_rank(improvement, request.user, data["rank"], data["reason"], expected)

        return self.detail_response(self.write_with_version(improvement, write, data.get("version")))

    # --- tasks ---------------------------------------------------------------------------------------------------

    @extend_schema(tags=["improvements"], methods=["GET"], summary=gettext_lazy("Tasks"),
                   responses={200: ImprovementTaskSerializer(many=True), **ERRORS})
    @extend_schema(tags=["improvements"], methods=["POST"], request=ImprovementTaskSerializer,
                   responses={201: ImprovementTaskSerializer, **ERRORS}, summary=gettext_lazy("Add a task"))
    @action(detail=True, methods=["get", "post"], serializer_class=ImprovementTaskSerializer, **SUB_RESOURCE)
    def tasks(self, request, pk=None):
        improvement = self.get_visible_ticket()
        if request.method == "POST":
            self._require_change(improvement)
            serializer = ImprovementTaskSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            with api_field_names():
                task = services.save_task(improvement, request.user, serializer.validated_data)
            return self._task_response(task, improvement, status.HTTP_201_CREATED)
        tasks = ImprovementTask.objects.filter(improvement_id=improvement.pk).select_related("owner")
        page = self.paginate_queryset(tasks)
        return self.get_paginated_response(ImprovementTaskSerializer(page, many=True).data)

    @extend_schema(tags=["improvements"], methods=["PATCH"], request=ImprovementTaskSerializer, parameters=[TASK_ID],
                   responses={200: ImprovementTaskSerializer, **ERRORS}, summary=gettext_lazy("Change a task"))
    @extend_schema(tags=["improvements"], methods=["DELETE"], request=None, parameters=[TASK_ID],
                   responses={204: None, **ERRORS}, summary=gettext_lazy("Remove a task"))
    @action(detail=True, methods=["patch", "delete"], url_path=r"tasks/(?P<task_id>[0-9]+)", url_name="task-detail",
            serializer_class=ImprovementTaskSerializer, filter_backends=[], pagination_class=None)
    def task(self, request, pk=None, task_id=None):
        improvement = self.get_visible_ticket()
        self._require_change(improvement)
        if int(task_id) > MAX_ID:
            raise exceptions.NotFound()
        task = get_object_or_404(ImprovementTask.objects.select_related("owner", "improvement"),
                                 pk=int(task_id), improvement_id=improvement.pk)
        if request.method == "DELETE":
            with api_field_names():
                services.delete_task(task, request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        serializer = ImprovementTaskSerializer(task, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with api_field_names():
            task = services.save_task(improvement, request.user, serializer.validated_data, task)
        return self._task_response(task, improvement)

    def _task_response(self, task, improvement, status_code=status.HTTP_200_OK):
        task = ImprovementTask.objects.select_related("owner").get(pk=task.pk)
        return Response(ImprovementTaskSerializer(task).data, status=status_code,
                        headers={"ETag": f'"{improvement.version}"'})

    # --- the register ----------------------------------------------------------------------------------------------

    @extend_schema(tags=["improvements"], responses={200: ImprovementRegisterSerializer, **ERRORS},
                   summary=gettext_lazy("The register: open improvements in rank order, with the quarters' budgets"))
    @action(detail=False, methods=["get"], pagination_class=None, serializer_class=ImprovementRegisterSerializer)
    def register(self, request):
        """The open improvements in register order (by score, with the ranks managers set by hand), filtered like
        the list, at most 500 (`truncated` says when more match); and per quarter the budget and capacity with
        what is planned and committed against them (`?quarter=` narrows both)."""
        if not permissions.is_agent(request.user):
            raise exceptions.PermissionDenied(_("Only service desk staff can read the register."))
        open_records = Improvement.objects.filter(kind=Improvement.TICKET_KIND, state__in=WORKFLOW.open_states)
        ranks = queries.ranked(RankedRow(*row) for row in open_records.order_by().values_list(
            "pk", "score", "rank_override"))  # ranks over the whole register, whatever the filter shows
        matching = self.filter_queryset(self.list_queryset(request.user)).filter(state__in=WORKFLOW.open_states)
        wanted = set(matching.order_by().values_list("pk", flat=True))
        order = [row for row in ranks if row.pk in wanted]
        shown = order[:REGISTER_LIMIT]
        records = {record.pk: record for record in matching.order_by().filter(pk__in=[row.pk for row in shown])}
        results = []
        for row in shown:
            record = records[row.pk]
            record.rank = row.rank
            results.append(record)
        quarter = request.query_params.get("quarter", "").strip().upper().replace("-Q", "Q")
        budgets = queries.committed_by_quarter([quarter] if quarter else None)
        return Response(ImprovementRegisterSerializer({"results": results, "truncated": len(order) > REGISTER_LIMIT,
                                            "budgets": budgets}, context=self.get_serializer_context()).data)


def _id(value):
    return getattr(value, "pk", value)
