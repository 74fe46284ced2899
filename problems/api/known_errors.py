"""Known errors in the API: suggestions for an incident, a searchable list, and the error-control actions
(apply a workaround to an incident, communicate it, resolve a fixed problem's incidents). Staff only."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions as drf_permissions
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.directory import StaffOnly
from core.api.pagination import KeysetPagination
from core.api.params import search_text
from core.api.schema import ERRORS
from core.converters import parse_id
from incidents import queries as incident_queries
from incidents.models import ResolutionCode as IncidentResolution

from .. import matching, queries, workaround_services
from ..queries import problem_url
from ..models import Problem

MAX_SUGGESTIONS = 20
SEARCH_WORDS = 5


class KnownErrorSerializer(serializers.Serializer):
    problem = serializers.IntegerField(source="pk", help_text=_("The problem's id."))
    number = serializers.CharField()
    title = serializers.CharField()
    state = serializers.CharField()
    root_cause = serializers.CharField()
    workaround = serializers.CharField()
    known_error_at = serializers.DateTimeField(allow_null=True)
    review_date = serializers.DateField(allow_null=True)
    url = serializers.SerializerMethodField()

    def get_url(self, problem) -> str:
        return problem_url(problem.pk)


class SuggestionSerializer(KnownErrorSerializer):
    score = serializers.FloatField(required=False, help_text=_(
        "With ?incident=: 0..1 from the shared configuration item, service, category and text."))


class KnownErrorPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text=_("The next page (always null for suggestions)."))
    previous = serializers.URLField(allow_null=True)
    results = SuggestionSerializer(many=True)


class KnownErrorPagination(KeysetPagination):
    page_size = 25
    max_page_size = 100
    ordering = ("-id",)


def _bad(field, message):
    return serializers.ValidationError({field: [message]})


class KnownErrorListView(APIView):
    """GET /known-errors/?incident=ID: the best known errors for an incident; without it, known errors (?q=)."""

    permission_classes = [drf_permissions.IsAuthenticated, StaffOnly]

    @extend_schema(tags=["problems"], summary=_("Known errors: suggestions for an incident, or a searchable list"),
                   parameters=[OpenApiParameter("incident", str, description=_("An incident id: its suggestions.")),
                               OpenApiParameter("q", str, description=_("Words in title, root cause or workaround.")),
                               OpenApiParameter("limit", int, description=_("Suggestions to return (1-20)."))],
                   responses={200: KnownErrorPageSerializer, **ERRORS})
    def get(self, request):
        raw = request.query_params.get("incident")
        if raw is not None:
            return self.suggestions(request, raw)
        problems = matching.known_errors().only(*matching.CANDIDATE_FIELDS, "review_date")
        for word in search_text(request, "q").split()[:SEARCH_WORDS]:
            problems = problems.filter(Q(title__icontains=word) | Q(root_cause__icontains=word) |
                                       Q(workaround__icontains=word) | Q(number__iexact=word))
        paginator = KnownErrorPagination()
        page = paginator.paginate_queryset(problems, request, self)
        return paginator.get_paginated_response(KnownErrorSerializer(page, many=True).data)

    def suggestions(self, request, raw):
        incident_id = parse_id(raw)
        if incident_id is None:
            raise _bad("incident", _("A valid incident id is required."))
        limit = parse_id(request.query_params.get("limit", "5"))
        if limit is None or limit > MAX_SUGGESTIONS:
            raise _bad("limit", _("A whole number from 1 to %(max)d is required.") % {"max": MAX_SUGGESTIONS})
        incident = get_object_or_404(incident_queries.incident_detail(request.user), pk=incident_id)
        rows = []
        for problem, score in matching.suggest_known_errors(incident, limit=limit):
            problem.score = score
            rows.append(problem)
        return Response({"next": None, "previous": None, "results": SuggestionSerializer(rows, many=True).data})


class ApplyWorkaroundSerializer(serializers.Serializer):
    problem = serializers.CharField(max_length=20, help_text=_("The known error's problem id."))
    public = serializers.BooleanField(default=False, help_text=_("Send it to the requester as a public reply."))

    def validate_problem(self, value):
        problem_id = parse_id(value)
        if problem_id is None:
            raise serializers.ValidationError(_("A valid problem id is required."))
        problem = Problem.objects.filter(kind=Problem.TICKET_KIND, pk=problem_id).first()
        if problem is None:
            raise serializers.ValidationError(_("No such problem."))
        return problem


class AppliedSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    incident = serializers.IntegerField()
    problem = serializers.IntegerField()
    comment = serializers.IntegerField()
    public = serializers.BooleanField()
    link = serializers.DictField()


class ApplyWorkaroundView(APIView):
    """POST /incidents/{id}/apply-workaround/ {"problem": id, "public": false}."""

    permission_classes = [drf_permissions.IsAuthenticated, StaffOnly]

    @extend_schema(tags=["problems"], request=ApplyWorkaroundSerializer, responses={201: AppliedSerializer, **ERRORS},
                   summary=_("Apply a known error's workaround to an incident"))
    def post(self, request, pk):
        incident = get_object_or_404(incident_queries.incident_detail(request.user), pk=pk)
        body = ApplyWorkaroundSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        problem = body.validated_data["problem"]
        application, comment = workaround_services.apply_workaround(
            incident, problem, request.user, public=body.validated_data["public"])
        return Response({"application": application.pk, "incident": incident.pk, "problem": problem.pk,
                         "comment": comment.pk, "public": application.public,
                         "link": {"source": incident.pk, "target": problem.pk, "kind": "caused_by"}},
                        status=status.HTTP_201_CREATED)


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class CommunicateWorkaroundView(APIView):
    """POST /problems/{id}/communicate-workaround/: a public reply to each open linked incident, once."""

    permission_classes = [drf_permissions.IsAuthenticated, StaffOnly]

    @extend_schema(tags=["problems"], request=None, responses={200: CountSerializer, **ERRORS},
                   summary=_("Send the workaround to the open linked incidents"))
    def post(self, request, pk):
        problem = get_object_or_404(queries.problem_detail(request.user), pk=pk)
        return Response({"count": workaround_services.communicate_workaround(problem, request.user)})


class ResolveIncidentsSerializer(serializers.Serializer):
    resolution_code = serializers.ChoiceField(
        choices=[(code, IncidentResolution(code).label) for code in workaround_services.RESOLVE_CODES],
        default=IncidentResolution.SOLVED_PERMANENTLY)


class ResolveIncidentsView(APIView):
    """POST /problems/{id}/resolve-incidents/: resolve the open linked incidents of a fixed problem."""

    permission_classes = [drf_permissions.IsAuthenticated, StaffOnly]

    @extend_schema(tags=["problems"], request=ResolveIncidentsSerializer, responses={200: CountSerializer, **ERRORS},
                   summary=_("Resolve the open incidents linked to a fixed problem"))
    def post(self, request, pk):
        problem = get_object_or_404(queries.problem_detail(request.user), pk=pk)
        body = ResolveIncidentsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response({"count": workaround_services.resolve_linked_incidents(
            problem, request.user, body.validated_data["resolution_code"])})
