from django.utils.translation import gettext as _
from rest_framework import serializers

from cmdb.models import ConfigurationItem
from slm.models import Service

from core.models import LinkKind, TicketLink
from core.api.serializers import TicketDetailMixin, TicketSerializer, UserNameField, transition_serializer_for
from changes.models import Change, ChangeType, RiskLevel
from changes.workflow import WORKFLOW

CHANGE_FIELDS = ("type", "model", "template", "release", "reason", "planned_start", "planned_end", "actual_start",
                 "actual_end", "implementation_plan", "backout_plan", "test_plan", "configuration_items",
                 "services", "risk_answers", "risk", "authorised_at", "outcome", "outcome_notes",
                 "review_required", "review_notes", "reviewed_at", "rejection_reason")
CHANGE_READ_ONLY = ("authorised_at", "outcome", "outcome_notes", "review_required", "reviewed_at",
                    "rejection_reason", "actual_start", "actual_end")


class ChangeSerializer(TicketSerializer):
    type = serializers.ChoiceField(source="change_type", choices=ChangeType.choices, required=False)
    configuration_items = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=ConfigurationItem.objects.all(),
        help_text="Ids of the configuration items the change touches.")
    services = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Service.objects.all(),
        help_text="Ids of the services the change is for (those its CIs can affect are found in the CMDB).")
    risk = serializers.SerializerMethodField(help_text="Read-only: level, score and the inputs it came from.")

    class Meta:
        model = Change
        fields = TicketSerializer.spine_fields + CHANGE_FIELDS
        read_only_fields = TicketSerializer.spine_read_only + CHANGE_READ_ONLY
        extra_kwargs = {"title": {"required": False}}

    def validate(self, attrs):
        """A standard change takes its title from its template; every other change needs one."""
        attrs = super().validate(attrs)
        if self.instance is None and not attrs.get("template") and not (attrs.get("title") or "").strip():
            raise serializers.ValidationError({"title": [_("This field is required.")]})
        return attrs

    def get_risk(self, change) -> dict:
        level = change.risk_level
        return {"level": RiskLevel(level).name.lower() if level else None, "score": change.risk_score,
                "inputs": change.risk_inputs, "assessed_at": change.risk_assessed_at}


class ChangeDetailSerializer(TicketDetailMixin, ChangeSerializer):
    created_by_name = UserNameField(source="created_by", allow_null=True)
    caused_incidents = serializers.SerializerMethodField(
        help_text="Read-only: ids of the incidents recorded as caused by this change.")

    class Meta(ChangeSerializer.Meta):
        fields = ChangeSerializer.Meta.fields + ("created_by_name", "allowed_transitions", "caused_incidents")

    def get_caused_incidents(self, change) -> list[int]:
        return sorted(TicketLink.objects.filter(kind=LinkKind.CAUSED_BY, target_id=change.pk,
                                                source__kind="incident").values_list("source_id", flat=True))


ChangeTransitionSerializer = transition_serializer_for(Change, WORKFLOW)
