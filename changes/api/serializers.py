from django.utils.translation import gettext as _
from rest_framework import serializers

from changes.models import Change, ChangeModel, ChangeType, Outcome, RiskLevel
from changes.workflow import WORKFLOW
from cmdb.models import ConfigurationItem
from core.api.serializers import (SafePrimaryKeyRelatedField, TicketDetailMixin, TicketSerializer, UserNameField,
                                  transition_serializer_for)
from core.models import LinkKind, TicketLink
from slm.models import Service

CHANGE_FIELDS = ("type", "model", "template", "release", "reason", "planned_start", "planned_end", "actual_start",
                 "actual_end", "implementation_plan", "backout_plan", "test_plan", "configuration_items",
                 "services", "risk_answers", "risk", "authorised_at", "outcome", "outcome_notes",
                 "review_required", "review_notes", "reviewed_at", "rejection_reason")
CHANGE_READ_ONLY = ("authorised_at", "outcome", "outcome_notes", "review_required", "reviewed_at",
                    "rejection_reason", "actual_start", "actual_end",
                    # a change has no requester side; its release is set by the release (changes.releases)
                    "requester", "organization", "release")


class ChangeSerializer(TicketSerializer):
    type = serializers.ChoiceField(source="change_type", choices=ChangeType.choices, required=False)
    configuration_items = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=ConfigurationItem.objects.all(),
        help_text="Ids of the configuration items the change touches.")
    services = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Service.objects.all(),
        help_text="Ids of the services the change is for (those its CIs can affect are found in the CMDB).")
    outcome = serializers.ChoiceField(choices=Outcome.choices, read_only=True, allow_blank=True)
    risk = serializers.SerializerMethodField(help_text="Read-only: level, score and the inputs it came from.")
    model = SafePrimaryKeyRelatedField(
        required=False, allow_null=True, queryset=ChangeModel.objects.all(),
        help_text="Id of the active change model of the change's type; chosen when the change is raised only.")

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
        self._validate_model(attrs)
        return attrs

    def _validate_model(self, attrs):
        """The model is chosen when the change is raised: an active model of the change's type. Afterwards it is
        fixed (the same model given back is ignored)."""
        if "model" not in attrs:
            return
        model = attrs["model"]
        if self.instance is not None:
            if getattr(model, "pk", None) != self.instance.model_id:
                raise serializers.ValidationError({"model": [_("The change model cannot be changed after the "
                                                               "change is raised.")]})
            attrs.pop("model")
            return
        if model is None:
            attrs.pop("model")
            return
        change_type = attrs.get("change_type") or (ChangeType.STANDARD if attrs.get("template")
                                                    else ChangeType.NORMAL)
        if not model.active:
            raise serializers.ValidationError({"model": [_("This change model is not active: choose its current "
                                                           "version.")]})
        if model.change_type != change_type:
            raise serializers.ValidationError({"model": [_("This change model is for %(type)s changes.") % {
                "type": ChangeType(model.change_type).label}]})

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
