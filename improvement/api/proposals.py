"""The feeds' proposals in the API: staff read them, managers accept (the improvement is created) or dismiss them
with a reason; staff turn a problem or a service review action into an improvement. Requesters: 403."""

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.directory import BoundedLookupMixin, StaffOnly
from core.api.pagination import KeysetPagination
from core.api.schema import ERRORS
from core.converters import MAX_ID
from improvement import feeds, proposal_queries
from improvement.models import Proposal

TAG = "improvement proposals"


class ProposalPagination(KeysetPagination):
    page_size = 25
    max_page_size = 100
    ordering = ("-id",)


class ProposalSerializer(serializers.ModelSerializer):
    service_name = serializers.CharField(source="service.name", read_only=True)
    decided_by_name = serializers.SerializerMethodField()
    improvement_number = serializers.CharField(source="improvement.number", read_only=True, allow_null=True,
                                               default=None)

    class Meta:
        model = Proposal
        fields = ("id", "source", "state", "service", "service_name", "title", "summary", "period_start",
                  "period_end", "count", "evidence", "created_at", "decided_by", "decided_by_name", "decided_at",
                  "dismiss_reason", "improvement", "improvement_number")
        read_only_fields = fields

    @extend_schema_field({"type": "string", "nullable": True})
    def get_decided_by_name(self, obj):
        user = obj.decided_by
        return (user.get_full_name() or user.username) if user else None


class DismissSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text=_("Why the proposal is dismissed (kept)."))


class _IdField(serializers.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


class FromProblemSerializer(serializers.Serializer):
    problem = _IdField(help_text=_("The problem's id."))

    def validate_problem(self, value):
        from problems.models import Problem

        problem = Problem.objects.filter(pk=value).first()
        if problem is None:
            raise serializers.ValidationError(_("Unknown problem."))
        return problem


class FromReviewActionSerializer(serializers.Serializer):
    action = _IdField(help_text=_("The service review action's id."))

    def validate_action(self, value):
        from slm.models import ServiceReviewAction

        found = ServiceReviewAction.objects.filter(pk=value).first()
        if found is None:
            raise serializers.ValidationError(_("Unknown service review action."))
        return found


CreatedSerializer = inline_serializer("ImprovementCreated", {
    "id": serializers.IntegerField(), "number": serializers.CharField(), "title": serializers.CharField(),
    "url": serializers.CharField()})


def _created(improvement):
    from django.urls import reverse

    body = {"id": improvement.pk, "number": improvement.number, "title": improvement.title,
            "url": reverse("improvement:detail", args=[improvement.pk])}
    return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG])
class ProposalViewSet(BoundedLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Improvements the feeds propose from repeated SLA breaches and from complaints and low survey scores."""

    permission_classes = [StaffOnly]
    serializer_class = ProposalSerializer
    pagination_class = ProposalPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = proposal_queries.ProposalFilter

    def get_queryset(self):
        return proposal_queries.proposals_for(self.request.user)

    @extend_schema(tags=[TAG], responses={200: ProposalSerializer(many=True), **ERRORS})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(tags=[TAG], responses={200: ProposalSerializer, **ERRORS})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(tags=[TAG], request=None, responses={201: CreatedSerializer, **ERRORS},
                   summary=_("Accept: create the improvement with the evidence (managers)"))
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def accept(self, request, pk=None):
        return _created(feeds.accept(self.get_object(), request.user))

    @extend_schema(tags=[TAG], request=DismissSerializer, responses={200: ProposalSerializer, **ERRORS},
                   summary=_("Dismiss with a reason (managers)"))
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def dismiss(self, request, pk=None):
        proposal = self.get_object()
        body = DismissSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        feeds.dismiss(proposal, request.user, body.validated_data["reason"])
        return Response(self.get_serializer(self.get_queryset().get(pk=proposal.pk)).data)

    @extend_schema(tags=[TAG], request=FromProblemSerializer, responses={201: CreatedSerializer, **ERRORS},
                   summary=_("Turn a problem whose fix needs investment into an improvement"))
    @action(detail=False, methods=["post"], url_path="from-problem", pagination_class=None, filter_backends=[])
    def from_problem(self, request):
        body = FromProblemSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return _created(feeds.from_problem(body.validated_data["problem"], request.user))

    @extend_schema(tags=[TAG], request=FromReviewActionSerializer, responses={201: CreatedSerializer, **ERRORS},
                   summary=_("Turn a service review action into an improvement"))
    @action(detail=False, methods=["post"], url_path="from-review-action", pagination_class=None,
            filter_backends=[])
    def from_review_action(self, request):
        body = FromReviewActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return _created(feeds.from_review_action(body.validated_data["action"], request.user))
