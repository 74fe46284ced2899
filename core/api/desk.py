"""API of assignment rules and canned responses: agents read, managers and admins write."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import exceptions, permissions as drf_permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import assignment, canned, desk_services, permissions, queries
from core.converters import parse_id
from core.desk_models import AssignMode, AssignmentRule, CannedResponse, unknown_placeholder_message
from core.models import Team, Ticket

from .directory import BoundedLookupMixin
from .pagination import KeysetPagination
from .schema import ERRORS
from .serializers import SafePrimaryKeyRelatedField


class StaffReadManagerWrite(drf_permissions.BasePermission):
    """Service desk staff may read; managers and admins may write; requesters get 403."""

    def has_permission(self, request, view):
        if not permissions.is_agent(request.user):
            return False
        return request.method in drf_permissions.SAFE_METHODS or permissions.is_manager(request.user)


class RulePagination(KeysetPagination):
    page_size = 100
    ordering = ("order", "id")


class TitlePagination(KeysetPagination):
    page_size = 100
    ordering = ("title", "id")


class AssignmentRuleSerializer(serializers.ModelSerializer):
    team = SafePrimaryKeyRelatedField(queryset=Team.objects.all())
    team_name = serializers.CharField(source="team.name", read_only=True)
    conditions = serializers.DictField(child=serializers.JSONField(), required=False, help_text=_(
        "Field -> value or list of values, e.g. {\"kind\": \"incident\", \"priority\": [1, 2], \"category\": 4}. "
        "Keys: ticket fields (kind, service, configuration_item, organization, channel, priority, impact, "
        "urgency) or id/choice fields of a kind's model. All must match."))
    assign = serializers.ChoiceField(choices=AssignMode.choices, required=False)

    class Meta:
        model = AssignmentRule
        fields = ("id", "name", "order", "active", "conditions", "team", "team_name", "assign", "created_at")
        read_only_fields = ("id", "team_name", "created_at")

    def validate_conditions(self, value):
        normalized, errors = assignment.validate_conditions(value)
        if errors:
            raise serializers.ValidationError(errors)
        return normalized


class CannedResponseSerializer(serializers.ModelSerializer):
    team = SafePrimaryKeyRelatedField(queryset=Team.objects.all(), allow_null=True, required=False)
    team_name = serializers.CharField(source="team.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = CannedResponse
        fields = ("id", "title", "body", "team", "team_name", "active", "created_at", "updated_at")
        read_only_fields = ("id", "team_name", "created_at", "updated_at")

    def validate_body(self, value):
        unknown = canned.unknown_placeholders(value)
        if unknown:
            raise serializers.ValidationError(unknown_placeholder_message(unknown))
        return value


class ConfigViewSet(BoundedLookupMixin, viewsets.ModelViewSet):
    """CRUD written through core.desk_services."""

    permission_classes = [drf_permissions.IsAuthenticated, StaffReadManagerWrite]
    filter_backends = []
    save_service = delete_service = None

    def perform_create(self, serializer):
        serializer.instance = type(self).save_service(self.request.user, serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = type(self).save_service(self.request.user, serializer.validated_data,
                                                      serializer.instance)

    def perform_destroy(self, instance):
        type(self).delete_service(self.request.user, instance)


def crud_schema(tag, serializer):
    return extend_schema_view(**{name: extend_schema(tags=[tag], responses={code: body, **ERRORS})
                                 for name, code, body in (
                                     ("list", 200, serializer(many=True)), ("retrieve", 200, serializer),
                                     ("create", 201, serializer), ("update", 200, serializer),
                                     ("partial_update", 200, serializer), ("destroy", 204, None))})


@crud_schema("assignment rules", AssignmentRuleSerializer)
class AssignmentRuleViewSet(ConfigViewSet):
    serializer_class = AssignmentRuleSerializer
    pagination_class = RulePagination
    save_service = desk_services.save_assignment_rule
    delete_service = desk_services.delete_assignment_rule

    def get_queryset(self):
        return queries.assignment_rules()


RenderedSerializer = inline_serializer("RenderedCannedResponse", {"body": serializers.CharField()})


@crud_schema("canned responses", CannedResponseSerializer)
class CannedResponseViewSet(ConfigViewSet):
    """Agents list the active responses that are global or for their teams; managers and admins all."""

    serializer_class = CannedResponseSerializer
    pagination_class = TitlePagination
    save_service = desk_services.save_canned_response
    delete_service = desk_services.delete_canned_response

    def get_queryset(self):
        return queries.canned_responses_for(self.request.user)

    @extend_schema(tags=["canned responses"], summary=_("Render for a ticket"), responses={200: RenderedSerializer,
                   **ERRORS}, parameters=[OpenApiParameter("ticket", int, required=True,
                                                           description=_("The ticket the reply is for."))])
    @action(detail=True, methods=["get"], pagination_class=None)
    def render(self, request, pk=None):
        response = self.get_object()
        if not response.active:
            raise exceptions.NotFound()
        ticket_id = parse_id(request.query_params.get("ticket", ""))
        if ticket_id is None:
            raise exceptions.ValidationError({"ticket": [_("A ticket id is required.")]})
        tickets = permissions.visible_tickets(request.user, Ticket.objects.select_related("requester", "team"))
        ticket = get_object_or_404(tickets, pk=ticket_id)
        return Response({"body": canned.render(response.body, ticket, request.user)}, status=status.HTTP_200_OK)
