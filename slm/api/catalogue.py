"""REST API of the service catalogue, agreements, service level targets and escalation rules."""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from cmdb.models import ConfigurationItem
from core import hooks, permissions
from core.api.params import search_text
from core.api.serializers import SafePrimaryKeyRelatedField
from core.models import Organization, Team
from slm import services
from slm.models import Agreement, BusinessCalendar, EscalationRule, Service, ServiceLevelTarget
from slm.queries import catalogue_for

from .common import ConfigurationViewSet

User = get_user_model()


def ids(queryset):
    return SafePrimaryKeyRelatedField(queryset=queryset, many=True, required=False)


class ServiceSerializer(serializers.ModelSerializer):
    owner = SafePrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    service_hours = SafePrimaryKeyRelatedField(queryset=BusinessCalendar.objects.all(), required=False,
                                               allow_null=True)
    supporting_teams = ids(Team.objects.all())
    customers = ids(Organization.objects.all())
    stakeholders = ids(User.objects.all())
    configuration_items = serializers.SerializerMethodField()

    class Meta:
        model = Service
        fields = ("id", "name", "description", "owner", "status", "criticality", "service_hours",
                  "supporting_teams", "customers", "stakeholders", "configuration_items")

    def get_configuration_items(self, obj) -> list[int]:
        return [ci.pk for ci in obj.configuration_items.all()]

    def save_with(self, instance, validated):
        m2m = {name: validated.pop(name, None) for name in ("supporting_teams", "customers", "stakeholders")}
        return services.save_service(instance, validated, m2m)

    def create(self, validated):
        return self.save_with(None, validated)

    def update(self, instance, validated):
        return self.save_with(instance, validated)


class CustomerServiceSerializer(serializers.ModelSerializer):
    """What a requester reads of a service offered to their organization: no other customers, people, teams
    or configuration items (those are the provider's)."""

    service_hours_name = serializers.SerializerMethodField()

    class Meta:
        model = Service
        fields = ("id", "name", "description", "status", "criticality", "service_hours_name")
        read_only_fields = fields

    def get_service_hours_name(self, obj) -> str | None:
        return obj.service_hours.name if obj.service_hours_id else None


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("search", str, description=_("Part of the service name."))]))
class ServiceViewSet(ConfigurationViewSet):
    """The service catalogue: everyone logged in reads (requesters: services offered to their organization)."""

    serializer_class = ServiceSerializer
    requesters_read = True
    delete_service = staticmethod(services.delete_service)

    def get_serializer_class(self):
        if permissions.is_agent(self.request.user) or getattr(self, "swagger_fake_view", False):
            return ServiceSerializer
        return CustomerServiceSerializer

    def get_queryset(self):
        queryset = catalogue_for(self.request.user)
        if permissions.is_agent(self.request.user):
            queryset = queryset.prefetch_related(
                "supporting_teams", "customers", "stakeholders",
                Prefetch("configuration_items", queryset=ConfigurationItem.objects.only("id", "service_id")))
        if self.action == "list" and (text := search_text(self.request, "search")):
            queryset = queryset.filter(name__icontains=text)
        return queryset


class TargetSerializer(serializers.ModelSerializer):
    agreement = SafePrimaryKeyRelatedField(queryset=Agreement.objects.all())
    service = SafePrimaryKeyRelatedField(queryset=Service.objects.all(), required=False, allow_null=True)
    organization = SafePrimaryKeyRelatedField(queryset=Organization.objects.all(), required=False,
                                              allow_null=True)
    calendar = SafePrimaryKeyRelatedField(queryset=BusinessCalendar.objects.all(), required=False,
                                          allow_null=True)
    priority = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    target_seconds = serializers.IntegerField(min_value=1, max_value=10 * 366 * 86_400)
    pause_states = serializers.ListField(child=serializers.CharField(max_length=30), required=False,
                                         max_length=20)
    warning_thresholds = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=99),
                                               required=False, max_length=10)

    class Meta:
        model = ServiceLevelTarget
        fields = ("id", "agreement", "name", "metric", "ticket_kind", "priority", "service", "organization",
                  "category_id", "target_seconds", "calendar", "pause_states", "warning_thresholds", "active")

    def validate(self, attrs):
        kind = attrs.get("ticket_kind", getattr(self.instance, "ticket_kind", "incident"))
        registry = hooks.ticket_kinds.get(kind)
        if registry is None or not registry.sla_timed:
            raise serializers.ValidationError({"ticket_kind": _("Unknown ticket kind.")})
        unknown = [s for s in attrs.get("pause_states", []) if s not in registry.workflow.states]
        if unknown:
            raise serializers.ValidationError({"pause_states": _("Unknown states: %(states)s.") % {
                "states": ", ".join(unknown)}})
        return attrs

    def create(self, validated):
        return services.save_target(None, validated)

    def update(self, instance, validated):
        return services.save_target(instance, validated)


class AgreementSerializer(serializers.ModelSerializer):
    services = ids(Service.objects.all())
    organization = SafePrimaryKeyRelatedField(queryset=Organization.objects.all(), required=False,
                                              allow_null=True)
    team = SafePrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)
    targets = TargetSerializer(many=True, read_only=True)
    availability_target = serializers.DecimalField(max_digits=6, decimal_places=3, min_value=0, max_value=100,
                                                   required=False, allow_null=True)

    class Meta:
        model = Agreement
        fields = ("id", "kind", "name", "services", "organization", "team", "supplier", "valid_from", "valid_to",
                  "status", "review_date", "version", "previous_version", "provider_responsibilities",
                  "customer_responsibilities", "maintenance_windows", "availability_target", "targets")
        read_only_fields = ("version", "previous_version")

    def create(self, validated):
        return services.save_agreement(None, validated, validated.pop("services", None))

    def update(self, instance, validated):
        return services.save_agreement(instance, validated, validated.pop("services", None))


class AgreementViewSet(ConfigurationViewSet):
    """SLAs, OLAs and underpinning contracts; an agreed one changes only by a new version."""

    serializer_class = AgreementSerializer
    queryset = Agreement.objects.prefetch_related("services", "targets")
    delete_service = staticmethod(services.delete_agreement)

    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request, pk=None):
        """Copy the agreement and its targets as a draft of the next version."""
        copy = services.new_version(self.get_object())
        return Response(self.get_serializer(copy).data, status=201)


class TargetViewSet(ConfigurationViewSet):
    serializer_class = TargetSerializer
    queryset = ServiceLevelTarget.objects.all()
    delete_service = staticmethod(services.delete_target)


class EscalationRuleSerializer(serializers.ModelSerializer):
    target = SafePrimaryKeyRelatedField(queryset=ServiceLevelTarget.objects.all(), required=False, allow_null=True)
    notify_user = SafePrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    notify_team = SafePrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)
    reassign_team = SafePrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)
    priority = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    raise_to_priority = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    percent = serializers.IntegerField(min_value=1, max_value=99, required=False, allow_null=True)

    class Meta:
        model = EscalationRule
        fields = ("id", "name", "target", "priority", "trigger", "percent", "action", "notify_user", "notify_team",
                  "reassign_team", "raise_to_priority", "active")

    def validate(self, attrs):
        action_name = attrs.get("action", getattr(self.instance, "action", EscalationRule.Action.NOTIFY))
        needed = {EscalationRule.Action.REASSIGN: "reassign_team",
                  EscalationRule.Action.RAISE_PRIORITY: "raise_to_priority"}.get(action_name)
        if needed and attrs.get(needed, getattr(self.instance, needed, None)) is None:
            raise serializers.ValidationError({needed: _("This action needs this field.")})
        return attrs

    def create(self, validated):
        return services.save_escalation_rule(None, validated)

    def update(self, instance, validated):
        return services.save_escalation_rule(instance, validated)


class EscalationRuleViewSet(ConfigurationViewSet):
    serializer_class = EscalationRuleSerializer
    queryset = EscalationRule.objects.all()
    delete_service = staticmethod(services.delete_escalation_rule)
