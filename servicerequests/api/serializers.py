from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import permissions
from core.api.serializers import (SafePrimaryKeyRelatedField, TicketDetailMixin, TicketSerializer, UserNameField,
                                  transition_serializer_for)
from servicerequests.models import CatalogItem, ServiceRequest, Task
from servicerequests.queries import approval_summary
from servicerequests.workflow import REQUEST_WORKFLOW, TASK_WORKFLOW

REQUEST_FIELDS = ("catalog_item", "catalog_item_name", "request_type", "variables", "expected_by", "stage",
                  "approval", "tasks", "rejection_reason", "on_hold_reason", "resolution_notes")
# Set by the item, the plan or transitions, never by a PATCH.
REQUEST_READ_ONLY = ("request_type", "expected_by", "stage", "rejection_reason", "on_hold_reason",
                     "resolution_notes")
MAX_VARIABLES = 200

APPROVAL_SCHEMA = {"type": "object", "properties": {
    "state": {"type": "string", "enum": ["none", "waiting", "approved", "rejected", "cancelled"]},
    "stages": {"type": "array", "items": {"type": "object", "properties": {
        "order": {"type": "integer"}, "name": {"type": "string"}, "state": {"type": "string"}}}}}}
TASKS_SCHEMA = {"type": "array", "nullable": True, "items": {"type": "object", "properties": {
    "id": {"type": "integer"}, "number": {"type": "string"}, "title": {"type": "string"},
    "stage": {"type": "integer"}, "state": {"type": "string"}}}}


class RequestSerializer(TicketSerializer):
    """A request; `tasks` is for service desk staff only (absent for requesters)."""

    title = serializers.CharField(required=False, allow_blank=True, max_length=255,
                                  help_text="Defaults to the catalogue item's name.")
    catalog_item = SafePrimaryKeyRelatedField(queryset=CatalogItem.objects.all(), help_text=(
        "The catalogue item ordered; fixed once the request is made."))
    catalog_item_name = serializers.CharField(source="catalog_item.name", read_only=True)
    variables = serializers.JSONField(required=False, help_text=(
        "The answers to the item's form: {field name: value}. Bad answers: 400 {\"variables\": {name: [...]}}."))
    approval = serializers.SerializerMethodField()
    tasks = serializers.SerializerMethodField()

    class Meta:
        model = ServiceRequest
        fields = TicketSerializer.spine_fields + REQUEST_FIELDS
        read_only_fields = TicketSerializer.spine_read_only + REQUEST_READ_ONLY

    def validate_catalog_item(self, item):
        if self.instance is not None and item.pk != self.instance.catalog_item_id:
            raise serializers.ValidationError(_("This cannot be changed after the request is made."))
        return item

    def validate_variables(self, value):
        if not isinstance(value, dict) or len(value) > MAX_VARIABLES:
            raise serializers.ValidationError(_("Give the answers as an object of at most %(count)d names and "
                                                "values.") % {"count": MAX_VARIABLES})
        if self.instance is not None and value != self.instance.variables:
            raise serializers.ValidationError(_("This cannot be changed after the request is made."))
        return value

    @extend_schema_field(APPROVAL_SCHEMA)
    def get_approval(self, obj):
        stages = list(obj.approval_stages.all())
        return {"state": approval_summary(stages),
                "stages": [{"order": s.order, "name": s.name, "state": s.state} for s in stages]}

    @extend_schema_field(TASKS_SCHEMA)
    def get_tasks(self, obj):
        tasks = getattr(obj, "plan_tasks", None)
        if tasks is None:
            return None
        return [{"id": t.pk, "number": t.number, "title": t.title, "stage": t.stage, "state": t.state}
                for t in tasks]

    def to_representation(self, obj):
        data = super().to_representation(obj)
        request = self.context.get("request")
        if request is not None and not permissions.is_agent(request.user):
            data.pop("tasks", None)
        return data


class RequestDetailSerializer(TicketDetailMixin, RequestSerializer):
    created_by_name = UserNameField(source="created_by", allow_null=True)

    class Meta(RequestSerializer.Meta):
        fields = RequestSerializer.Meta.fields + ("created_by_name", "allowed_transitions")


RequestTransitionSerializer = transition_serializer_for(ServiceRequest, REQUEST_WORKFLOW)

TASK_FIELDS = ("request", "request_number", "stage", "template", "resolution_notes")
TASK_READ_ONLY = ("requester", "stage", "template", "resolution_notes")


class TaskSerializer(TicketSerializer):
    request = SafePrimaryKeyRelatedField(queryset=ServiceRequest.objects.all(), help_text=(
        "The id of the service request this task fulfils; fixed once the task exists."))
    request_number = serializers.CharField(source="request.number", read_only=True)

    class Meta:
        model = Task
        fields = TicketSerializer.spine_fields + TASK_FIELDS
        read_only_fields = TicketSerializer.spine_read_only + TASK_READ_ONLY

    def validate_request(self, request):
        if self.instance is not None and request.pk != self.instance.request_id:
            raise serializers.ValidationError(_("A task stays with its request."))
        return request


class TaskDetailSerializer(TicketDetailMixin, TaskSerializer):
    created_by_name = UserNameField(source="created_by", allow_null=True)

    class Meta(TaskSerializer.Meta):
        fields = TaskSerializer.Meta.fields + ("created_by_name", "allowed_transitions")


TaskTransitionSerializer = transition_serializer_for(Task, TASK_WORKFLOW)
