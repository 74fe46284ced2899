from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import TicketDetailMixin, TicketSerializer, UserNameField, transition_serializer_for
from incidents.models import Category, Incident, OnHoldReason, ResolutionCode
from incidents.workflow import WORKFLOW

INCIDENT_FIELDS = ("category", "category_name", "subcategory", "on_hold_reason", "resolution_code",
                   "resolution_notes", "reopen_count", "is_major", "major_incident_manager", "parent",
                   "outage_start", "outage_end")
# Set by transitions (resolve, hold) or by the engine, never by a PATCH.
INCIDENT_READ_ONLY = ("on_hold_reason", "resolution_code", "resolution_notes", "reopen_count")


class IncidentSerializer(TicketSerializer):
    """A row of the incident list: names of what incidents.queries.LIST_RELATED already joined."""

    category_name = serializers.CharField(source="category.name", read_only=True, allow_null=True)
    on_hold_reason = serializers.ChoiceField(choices=OnHoldReason.choices, read_only=True, allow_blank=True)
    resolution_code = serializers.ChoiceField(choices=ResolutionCode.choices, read_only=True, allow_blank=True)

    class Meta:
        model = Incident
        fields = TicketSerializer.spine_fields + INCIDENT_FIELDS
        read_only_fields = TicketSerializer.spine_read_only + INCIDENT_READ_ONLY


class IncidentDetailSerializer(TicketDetailMixin, IncidentSerializer):
    subcategory_name = serializers.CharField(source="subcategory.name", read_only=True, allow_null=True)
    parent_number = serializers.CharField(source="parent.number", read_only=True, allow_null=True)
    major_incident_manager_name = UserNameField(source="major_incident_manager", allow_null=True)
    created_by_name = UserNameField(source="created_by", allow_null=True)
    on_hold_reason_label = serializers.SerializerMethodField()
    resolution_code_label = serializers.SerializerMethodField()
    ticket_references = {"parent": ("parent", "parent_number")}

    class Meta(IncidentSerializer.Meta):
        fields = IncidentSerializer.Meta.fields + (
            "subcategory_name", "parent_number", "major_incident_manager_name", "created_by_name",
            "on_hold_reason_label", "resolution_code_label", "allowed_transitions")

    @extend_schema_field(OpenApiTypes.STR)
    def get_on_hold_reason_label(self, obj):
        return str(obj.get_on_hold_reason_display()) if obj.on_hold_reason else ""

    @extend_schema_field(OpenApiTypes.STR)
    def get_resolution_code_label(self, obj):
        return str(obj.get_resolution_code_display()) if obj.resolution_code else ""


IncidentTransitionSerializer = transition_serializer_for(Incident, WORKFLOW, extra_fields={
    "resolve_children": serializers.BooleanField(required=False, default=False, help_text=_(
        "When resolving a major incident, resolve its open child incidents with the same resolution.")),
})


class CategorySerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = Category
        fields = ("id", "name", "parent", "label", "active")
        read_only_fields = fields
