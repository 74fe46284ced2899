"""Serializers shared by every practice's ticket API: the ticket spine, comments, attachments, audit, links."""

import copy

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import hooks, permissions
from core.converters import MAX_ID, parse_id
from core.models import Attachment, AuditEntry, Comment, LinkKind, Ticket, TicketLink




class SafePrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id outside the database's integer range is simply an unknown id (400), not a crash."""

    def to_internal_value(self, data):
        if isinstance(data, str) and data.strip().lstrip("-").isdigit():
            if parse_id(data) is None:
                self.fail("does_not_exist", pk_value=data)
            data = int(data)
        if isinstance(data, int) and not isinstance(data, bool) and not 0 < data <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


def display_name(user):
    return (user.get_full_name() or user.username) if user else None


@extend_schema_field({"type": "string", "nullable": True, "readOnly": True})
class UserNameField(serializers.Field):
    """A user's display name, read from a relation the queryset already joined."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return display_name(value)


class TransitionOptionSerializer(serializers.Serializer):
    to = serializers.CharField()
    label = serializers.CharField()
    required = serializers.ListField(child=serializers.CharField())
    optional = serializers.ListField(child=serializers.CharField())


class PrebuiltFieldsMixin:
    """Building a ModelSerializer's fields from the model costs more than serialising a ticket with them, and
    DRF does it for every serializer instance. They are built once per class and shallow-copied per instance
    (each copy is then bound to its own serializer); a nested serializer is still deep-copied."""

    def get_fields(self):
        cls = type(self)
        prebuilt = cls.__dict__.get("_prebuilt_fields")
        if prebuilt is None:
            prebuilt = super().get_fields()
            cls._prebuilt_fields = prebuilt
        return {name: copy.deepcopy(field) if isinstance(field, serializers.BaseSerializer) else copy.copy(field)
                for name, field in prebuilt.items()}


class TicketSerializer(PrebuiltFieldsMixin, serializers.ModelSerializer):
    """Fields of the Ticket spine; practices extend Meta.fields and Meta.read_only_fields."""

    slim_method_fields = ("state_label",)  # read only the row's own columns (core.api.slim)

    state_label = serializers.SerializerMethodField()
    priority_label = serializers.CharField(source="get_priority_display", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True, allow_null=True)
    assignee_name = UserNameField(source="assignee", allow_null=True)
    requester_name = UserNameField(source="requester", allow_null=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True, allow_null=True)
    service_name = serializers.CharField(source="service.name", read_only=True, allow_null=True)
    configuration_item_name = serializers.CharField(source="configuration_item.name", read_only=True,
                                                    allow_null=True)
    version = serializers.IntegerField(required=False, min_value=1, help_text=_(
        "The version you edited; a stale version is refused with 409 Conflict."))

    serializer_related_field = SafePrimaryKeyRelatedField

    spine_fields = ("id", "number", "kind", "title", "description", "state", "state_label", "impact", "urgency",
                    "priority", "priority_label", "channel", "service", "service_name", "configuration_item",
                    "configuration_item_name", "organization", "organization_name", "requester",
                    "requester_name", "team", "team_name", "assignee", "assignee_name", "created_by",
                    "created_at", "updated_at", "first_response_at", "resolved_at", "closed_at", "version")
    spine_read_only = ("number", "kind", "state", "priority", "created_by", "created_at", "updated_at",
                       "first_response_at", "resolved_at", "closed_at")

    class Meta:
        model = Ticket
        fields = ()

    @extend_schema_field(OpenApiTypes.STR)
    def get_state_label(self, obj):
        return str(hooks.ticket_kinds[obj.kind].workflow.label(obj.state))


class TicketDetailMixin(serializers.Serializer):
    allowed_transitions = serializers.SerializerMethodField()
    # Relation to another ticket -> the output fields naming it, emptied for a requester who may not see it.
    ticket_references = {}

    def to_representation(self, obj):
        data = super().to_representation(obj)
        request = self.context.get("request")
        user = request.user if request else None
        if user is None or permissions.is_agent(user):
            return data
        for name, outputs in self.ticket_references.items():
            related = getattr(obj, name, None)
            if related is not None and not permissions.can_view(user, related):
                data.update(dict.fromkeys(outputs))
        return data

    @extend_schema_field(TransitionOptionSerializer(many=True))
    def get_allowed_transitions(self, obj):
        from core import services

        request = self.context.get("request")
        user = request.user if request else None
        return [{"to": t.to, "label": str(t.label), "required": list(t.required), "optional": list(t.optional)}
                for t in services.allowed_transitions(obj, user)]


def transition_serializer_for(model, workflow, extra_fields=None):
    """A serializer class for `POST {id}/transition/` of one practice, built from its workflow table."""
    names = []
    for targets in workflow.transitions.values():
        for transition in targets.values():
            names += [n for n in (*transition.required, *transition.optional) if n not in names]

    class Meta:
        fields = tuple(names)
        extra_kwargs = {name: {"required": False} for name in names}

    Meta.model = model
    attrs = {
        "Meta": Meta,
        "to": serializers.ChoiceField(choices=list(workflow.states.items()), help_text=_("The target state.")),
        "comment": serializers.CharField(required=False, allow_blank=True, help_text=_(
            "Optional comment added with the change.")),
        "internal": serializers.BooleanField(required=False, default=False, help_text=_(
            "Add the comment as an internal work note.")),
        "version": serializers.IntegerField(required=False, min_value=1),
        **(extra_fields or {}),
    }
    Meta.fields = (*Meta.fields, *(name for name in attrs if name != "Meta"))  # declaration order: a stable schema
    return type(f"{model.__name__}TransitionSerializer", (serializers.ModelSerializer,), attrs)


class CommentSerializer(serializers.ModelSerializer):
    internal = serializers.BooleanField(source="is_internal", required=False, default=False, help_text=_(
        "An internal work note, never shown to requesters."))
    author_name = UserNameField(source="author", allow_null=True)

    class Meta:
        model = Comment
        fields = ("id", "body", "internal", "author", "author_name", "created_at")
        read_only_fields = ("author", "created_at")


class AttachmentSerializer(serializers.ModelSerializer):
    internal = serializers.BooleanField(source="is_internal", read_only=True)
    uploaded_by_name = UserNameField(source="uploaded_by", allow_null=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ("id", "filename", "content_type", "size", "internal", "uploaded_by", "uploaded_by_name",
                  "created_at", "url")
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_url(self, obj):
        """The permission-checked download view; files are never served from MEDIA_URL."""
        path = reverse("attachment_download", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False, use_url=False)
    internal = serializers.BooleanField(required=False, default=False)


class AuditEntrySerializer(serializers.ModelSerializer):
    action_label = serializers.CharField(source="get_action_display", read_only=True)
    actor_name = UserNameField(source="actor", allow_null=True)
    changes = serializers.JSONField(read_only=True, help_text=_("{field: [old, new]}"))

    class Meta:
        model = AuditEntry
        fields = ("id", "action", "action_label", "actor", "actor_name", "changes", "request_id", "created_at")
        read_only_fields = fields


class LinkedTicketSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ticket
        fields = ("id", "number", "kind", "title", "state")
        read_only_fields = fields


class TicketLinkSerializer(serializers.ModelSerializer):
    """A link seen from one ticket: `ticket` is the other end, `direction` says which way the link points."""

    direction = serializers.SerializerMethodField()
    ticket = serializers.SerializerMethodField()
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = TicketLink
        fields = ("id", "kind", "kind_label", "direction", "ticket", "created_at")
        read_only_fields = fields

    @extend_schema_field({"type": "string", "enum": ["outgoing", "incoming"]})
    def get_direction(self, obj):
        return "outgoing" if obj.source_id == self.context["ticket_id"] else "incoming"

    @extend_schema_field(LinkedTicketSerializer)
    def get_ticket(self, obj):
        other = obj.target if obj.source_id == self.context["ticket_id"] else obj.source
        return LinkedTicketSerializer(other).data


class TicketLinkCreateSerializer(serializers.Serializer):
    target = SafePrimaryKeyRelatedField(queryset=Ticket.objects.all(), help_text=_(
        "The id of the ticket to link to."))
    kind = serializers.ChoiceField(choices=LinkKind.choices, default=LinkKind.RELATED)


class ErrorSerializer(serializers.Serializer):
    """Errors: `detail` for the request as a whole, or field name -> list of messages."""

    detail = serializers.CharField(required=False)


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current_version = serializers.IntegerField()


class WatchStateSerializer(serializers.Serializer):
    watching = serializers.BooleanField(read_only=True)
