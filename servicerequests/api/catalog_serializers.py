"""Serializers of the request catalogue: items with their form (`fields`), fulfilment plan (`approval`,
`tasks`, staff only) and expected fulfilment; categories."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import permissions
from core.api.serializers import SafePrimaryKeyRelatedField, display_name
from core.approval_models import ApprovalRule
from core.models import Organization, Team
from slm.models import Service

from ..models import ApproverType, CatalogCategory, CatalogItem, FieldType, Icon, RequestType

# Shown only to service desk staff: who the item is offered to and how it is fulfilled.
STAFF_ONLY = ("organizations", "team", "approval", "tasks")
SMALL = {"min_value": 0, "max_value": 32767}
NESTED = ("fields", "approval", "tasks")


def _number(value):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _rows_by_index(detail):
    """DRF's nested list errors ([{}, {"min": [...]}]) in the shape catalog_services answers ({"1": {...}})."""
    if not isinstance(detail, dict):
        return detail
    reshaped = {}
    for key, value in detail.items():
        if key in NESTED and isinstance(value, list) and all(isinstance(row, dict) for row in value):
            value = {str(index): row for index, row in enumerate(value) if row}
        reshaped[key] = value
    return reshaped


class ShownWhenSerializer(serializers.Serializer):
    field = serializers.SlugField(max_length=50, help_text=_("The name of an earlier field."))
    value = serializers.CharField(max_length=255, help_text=_("The value of that field that shows this one."))


class ItemFieldSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50, help_text=_("The variable's key: letters, digits, _ and -."))
    label = serializers.CharField(max_length=150)
    type = serializers.ChoiceField(choices=FieldType.choices)
    required = serializers.BooleanField(default=False)
    choices = serializers.ListField(child=serializers.CharField(max_length=255), default=list, max_length=200,
                                    help_text=_("The options of a choice or multiple-choice field."))
    min = serializers.DecimalField(max_digits=15, decimal_places=4, coerce_to_string=False, allow_null=True,
                                   required=False, help_text=_("Smallest number, or shortest text length."))
    max = serializers.DecimalField(max_digits=15, decimal_places=4, coerce_to_string=False, allow_null=True,
                                   required=False, help_text=_("Largest number, or longest text length."))
    pattern = serializers.CharField(max_length=1000, allow_blank=True, required=False,
                                    help_text=_("A regular expression the whole text must match."))
    shown_when = ShownWhenSerializer(allow_null=True, required=False,
                                     help_text=_("Show the field only when another field has this value."))
    help_text = serializers.CharField(max_length=255, allow_blank=True, required=False)
    default = serializers.CharField(max_length=255, allow_blank=True, required=False)

    def to_representation(self, field):
        shown = {"field": field.shown_when_field, "value": field.shown_when_value} if field.shown_when_field else None
        return {"name": field.name, "label": field.label, "type": field.type, "required": field.required,
                "choices": list(field.choices or []), "min": _number(field.min_value), "max": _number(field.max_value),
                "pattern": field.pattern, "shown_when": shown, "help_text": field.help_text, "default": field.default}


class ApprovalStepSerializer(serializers.Serializer):
    order = serializers.IntegerField(required=False, min_value=1, max_value=32767)
    approver = serializers.ChoiceField(choices=ApproverType.choices)
    group = SafePrimaryKeyRelatedField(queryset=Team.objects.all(), allow_null=True, required=False)
    group_name = serializers.CharField(source="group.name", read_only=True, allow_null=True, default=None)
    user = SafePrimaryKeyRelatedField(queryset=get_user_model().objects.all(), allow_null=True, required=False)
    user_name = serializers.SerializerMethodField()
    rule = serializers.ChoiceField(choices=ApprovalRule.choices, default=ApprovalRule.ANY)
    required = serializers.IntegerField(default=1, help_text=_("For “N of the approvers”: N."), **SMALL)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_user_name(self, step):
        return display_name(step.user) if step.user_id else None


class TaskTemplateSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, min_value=1, help_text=_(
        "Give the id of an existing task template to keep it; without one a new template is made."))
    stage = serializers.IntegerField(default=1, help_text=_("Stages run in order; tasks of a stage in parallel."),
                                     **SMALL)
    title = serializers.CharField(max_length=255)
    team = SafePrimaryKeyRelatedField(queryset=Team.objects.all())
    team_name = serializers.CharField(source="team.name", read_only=True)
    instructions = serializers.CharField(allow_blank=True, required=False, max_length=20000)


class ExpectedSerializer(serializers.Serializer):
    due_at = serializers.DateTimeField()
    text = serializers.CharField(help_text=_("E.g. “Usually done within 2 working days; expected by Thu 3 Dec "
                                             "17:00”, in the caller's language and time zone."))


class CatalogItemSerializer(serializers.ModelSerializer):
    """A catalogue item. `organizations`, `team`, `approval` and `tasks` are shown to service desk staff only;
    `expected` is null when no service level target measures requests for the item."""

    category = SafePrimaryKeyRelatedField(queryset=CatalogCategory.objects.all())
    category_name = serializers.CharField(source="category.name", read_only=True)
    service = SafePrimaryKeyRelatedField(queryset=Service.objects.all())
    service_name = serializers.CharField(source="service.name", read_only=True)
    organizations = SafePrimaryKeyRelatedField(queryset=Organization.objects.all(), many=True, required=False,
                                               help_text=_("Empty: every organization the service is offered to."))
    team = SafePrimaryKeyRelatedField(queryset=Team.objects.all(), allow_null=True, required=False)
    icon = serializers.ChoiceField(choices=Icon.choices, required=False)
    request_type = serializers.ChoiceField(choices=RequestType.choices, required=False)
    fields = ItemFieldSerializer(many=True, required=False, help_text=_("The form, in order."))
    approval = ApprovalStepSerializer(source="approval_steps", many=True, required=False)
    tasks = TaskTemplateSerializer(source="task_templates", many=True, required=False)
    expected = serializers.SerializerMethodField()
    order = serializers.IntegerField(required=False, **SMALL)

    class Meta:
        model = CatalogItem
        fields = ("id", "name", "summary", "description", "icon", "category", "category_name", "service",
                  "service_name", "organizations", "request_type", "team", "needs_approval", "active", "order",
                  "fields", "approval", "tasks", "expected", "created_at", "updated_at")
        read_only_fields = ("id", "created_at", "updated_at")

    @extend_schema_field(ExpectedSerializer(allow_null=True))
    def get_expected(self, item):
        return self.context.get("expected", {}).get(item.pk)

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and not permissions.is_agent(request.user):
            for name in STAFF_ONLY:
                fields.pop(name, None)
        return fields

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            raise serializers.ValidationError(_rows_by_index(error.detail))

    def service_data(self):
        """validated_data in catalog_services.save_item's names."""
        data = dict(self.validated_data)
        if "approval_steps" in data:
            data["approval"] = [dict(row) for row in data.pop("approval_steps")]
        if "task_templates" in data:
            data["tasks"] = [dict(row) for row in data.pop("task_templates")]
        if "fields" in data:
            data["fields"] = [{**row, "shown_when": dict(row["shown_when"]) if row.get("shown_when") else None}
                              for row in data["fields"]]
        return data


class CatalogCategorySerializer(serializers.ModelSerializer):
    order = serializers.IntegerField(required=False, **SMALL)

    class Meta:
        model = CatalogCategory
        fields = ("id", "name", "description", "order")
        read_only_fields = ("id",)
