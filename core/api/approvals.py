"""Approvals of every ticket kind, and the caller's approval delegations (written through core.approvals)."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.db.models import Q
from drf_spectacular.utils import (OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view)
from rest_framework import exceptions, mixins, permissions as drf_permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import approvals, permissions, queries
from core.converters import parse_id
from core.models import Approval, ApprovalDelegation, ApprovalStage

from .directory import BoundedLookupMixin
from .pagination import NamePagination, TicketCursorPagination
from .params import search_text
from .schema import ERRORS
from .serializers import SafePrimaryKeyRelatedField, display_name

PERSON = {"type": "object", "nullable": True, "properties": {
    "id": {"type": "integer", "nullable": True}, "name": {"type": "string", "nullable": True}},
    "description": "id and name; both null for someone of another organization a requester may not know."}
extend_schema_field_person = extend_schema_field(PERSON)


class NoIntegrationWrites(drf_permissions.BasePermission):
    """Integration accounts read (what they may see, usually nothing) but never decide or delegate."""

    def has_permission(self, request, view):
        if request.method in drf_permissions.SAFE_METHODS or permissions.is_agent(request.user):
            return True
        return not permissions.has_role(request.user, permissions.INTEGRATION)


class StageSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApprovalStage
        fields = ("id", "order", "name", "rule", "required", "state", "opened_at", "decided_at")
        read_only_fields = fields


class ApprovalSerializer(serializers.ModelSerializer):
    """Rows come from core.queries.approvals_visible_to, with `.people` set by queries.approval_people."""

    ticket_number = serializers.CharField(source="ticket.number", read_only=True)
    ticket_title = serializers.CharField(source="ticket.title", read_only=True)
    ticket_kind = serializers.CharField(source="ticket.kind", read_only=True)
    stage = StageSerializer(read_only=True)
    approver = serializers.SerializerMethodField()
    on_behalf_of = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = Approval
        fields = ("id", "ticket", "ticket_number", "ticket_title", "ticket_kind", "stage", "state", "approver",
                  "on_behalf_of", "comment", "decided_by", "decided_at", "created_at")
        read_only_fields = fields

    @extend_schema_field_person
    def get_approver(self, obj):
        return obj.people["approver"]

    @extend_schema_field_person
    def get_on_behalf_of(self, obj):
        return obj.people["on_behalf_of"]

    @extend_schema_field_person
    def get_decided_by(self, obj):
        return obj.people["decided_by"]


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000,
                                    help_text=_("Required to reject."))


BOOL_PARAM = ("true", "1")


@extend_schema_view(
    list=extend_schema(tags=["approvals"], responses={200: ApprovalSerializer(many=True), **ERRORS}, parameters=[
        OpenApiParameter("mine", bool, description=_("Only what waits for your decision now.")),
        OpenApiParameter("ticket", int, description=_("A ticket id.")),
        OpenApiParameter("state", str, enum=Approval.State.values, description=_("The approval's state."))]),
    retrieve=extend_schema(tags=["approvals"], responses={200: ApprovalSerializer, **ERRORS}),
    approve=extend_schema(tags=["approvals"], request=DecisionSerializer,
                          responses={200: ApprovalSerializer, **ERRORS}, summary=_("Approve")),
    reject=extend_schema(tags=["approvals"], request=DecisionSerializer,
                         responses={200: ApprovalSerializer, **ERRORS}, summary=_("Reject (a comment is required)")),
)
class ApprovalViewSet(BoundedLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Approvals on tickets you may see and those you are asked to decide, newest first (keyset pages).
    Nobody approves their own request (403)."""

    serializer_class = ApprovalSerializer
    pagination_class = TicketCursorPagination
    permission_classes = [drf_permissions.IsAuthenticated, NoIntegrationWrites]
    filter_backends = []

    def get_queryset(self):
        user = self.request.user
        params = self.request.query_params
        if self.action != "list":
            return queries.approvals_visible_to(user)
        if params.get("mine", "").lower() in BOOL_PARAM:
            rows = approvals.waiting_for(user).select_related(*queries.APPROVAL_RELATED)
        else:
            rows = queries.approvals_visible_to(user)
        if "ticket" in params:
            if (ticket_id := parse_id(params["ticket"])) is None:
                raise exceptions.ValidationError({"ticket": [_("A ticket id is required.")]})
            rows = rows.filter(ticket_id=ticket_id)
        if state := search_text(self.request, "state"):
            if state not in Approval.State.values:
                raise exceptions.ValidationError({"state": [_("Unknown state.")]})
            rows = rows.filter(state=state)
        return rows

    def get_serializer(self, *args, **kwargs):
        rows = args[0] if args else kwargs.get("instance")
        if rows is not None:
            queries.approval_people(rows if kwargs.get("many") else [rows], self.request.user)
        return super().get_serializer(*args, **kwargs)

    def _decide(self, request, approve):
        approval = self.get_object()
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        approvals.decide(approval, request.user, approve, body.validated_data.get("comment", ""))
        return Response(self.get_serializer(queries.approvals_visible_to(request.user).get(pk=approval.pk)).data)

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, True)

    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, False)


User = get_user_model()


class DelegationSerializer(serializers.ModelSerializer):
    user = SafePrimaryKeyRelatedField(queryset=User.objects.all(), required=False, help_text=_(
        "Who is away; yourself unless you are an admin."))
    user_name = serializers.SerializerMethodField()
    delegate = SafePrimaryKeyRelatedField(queryset=User.objects.all())
    delegate_name = serializers.SerializerMethodField()

    class Meta:
        model = ApprovalDelegation
        fields = ("id", "user", "user_name", "delegate", "delegate_name", "starts_on", "ends_on", "created_at")
        read_only_fields = ("id", "user_name", "delegate_name", "created_at")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:  # an unknown id and someone outside my reach read alike: no existence oracle
            self.fields["delegate"].queryset = approvals.delegate_choices(request.user)

    def get_user_name(self, obj) -> str:
        return display_name(obj.user)

    def get_delegate_name(self, obj) -> str:
        return display_name(obj.delegate)


class DelegateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


@extend_schema_view(
    list=extend_schema(tags=["approvals"], responses={200: DelegationSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(tags=["approvals"], responses={200: DelegationSerializer, **ERRORS}),
    create=extend_schema(tags=["approvals"], request=DelegationSerializer,
                         responses={201: DelegationSerializer, **ERRORS}),
    destroy=extend_schema(tags=["approvals"], responses={204: None, **ERRORS}),
    delegates=extend_schema(tags=["approvals"], responses={200: DelegateSerializer(many=True), **ERRORS},
                            summary=_("Whom you may delegate to"), parameters=[
                                OpenApiParameter("search", str, description=_("Part of the name or e-mail."))]),
)
class ApprovalDelegationViewSet(BoundedLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                                mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Your approval delegations (admins: everyone's): while you are away, the delegate approves for you."""

    serializer_class = DelegationSerializer
    pagination_class = TicketCursorPagination
    permission_classes = [drf_permissions.IsAuthenticated, NoIntegrationWrites]
    filter_backends = []

    def get_queryset(self):
        return approvals.delegations_of(self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = approvals.create_delegation(self.request.user, data["delegate"], data["starts_on"],
                                                          data["ends_on"], user=data.get("user"))

    def perform_destroy(self, instance):
        approvals.delete_delegation(self.request.user, instance)

    @action(detail=False, methods=["get"], pagination_class=NamePagination)
    def delegates(self, request):
        """Active users you may name as a delegate (a requester: their own organization's), by `?search=`."""
        users = approvals.delegate_choices(request.user).exclude(pk=request.user.pk).only(
            "id", "username", "first_name", "last_name")
        for word in (search_text(request, "search", "q") or "").split()[:5]:
            users = users.filter(Q(username__icontains=word) | Q(first_name__icontains=word) |
                                 Q(last_name__icontains=word) | Q(email__icontains=word))
        page = self.paginate_queryset(users)
        return self.get_paginated_response(DelegateSerializer([{"id": u.pk, "name": display_name(u)}
                                                               for u in page], many=True).data)
