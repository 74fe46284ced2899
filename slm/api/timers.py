"""REST API of SLA timers: read under the ticket's visibility rules; repair for managers."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions as drf_permissions
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from core import permissions
from core.api.directory import BoundedLookupMixin
from core.api.pagination import NamePagination
from core.converters import MAX_ID, parse_id
from core.models import Ticket
from slm import clock, queries, services
from slm.models import SLATimer, SLATimerEvent


class TimerEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    cause = serializers.SerializerMethodField()

    class Meta:
        model = SLATimerEvent
        fields = ("kind", "at", "data", "audit_entry", "cause", "actor")

    def get_actor(self, obj) -> str | None:
        actor = obj.audit_entry.actor if obj.audit_entry_id else None
        return (actor.get_full_name() or actor.username) if actor else None

    def get_cause(self, obj) -> str | None:
        return obj.audit_entry.get_action_display() if obj.audit_entry_id else None


class TimerSerializer(serializers.ModelSerializer):
    target_name = serializers.CharField(source="target.name", read_only=True)
    target_seconds = serializers.IntegerField(source="target.target_seconds", read_only=True)
    elapsed_seconds = serializers.SerializerMethodField()
    percent = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()
    breached = serializers.SerializerMethodField()
    events = TimerEventSerializer(many=True, read_only=True)

    class Meta:
        model = SLATimer
        fields = ("id", "ticket", "metric", "target", "target_name", "target_seconds", "started_at", "due_at",
                  "elapsed_seconds", "percent", "state", "breached", "breached_at", "stopped_at", "met", "events")

    # What a requester reads of a timer on their own ticket: when it is due and whether it runs; the service
    # desk's targets, percentages, breaches and timeline stay internal (as on the ticket page).
    REQUESTER_FIELDS = ("id", "ticket", "metric", "started_at", "due_at", "state", "stopped_at")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and permissions.has_role(request.user, permissions.REQUESTER) \
                and not permissions.is_agent(request.user):
            data = {name: data[name] for name in self.REQUESTER_FIELDS}
        return data

    def now(self):
        return self.context.setdefault("now", timezone.now())

    def get_elapsed_seconds(self, obj) -> int:
        return int(clock.elapsed_now(obj, self.now()))

    def get_percent(self, obj) -> float:
        return round(clock.percent(obj, self.now()), 2)

    def get_state(self, obj) -> str:
        return queries.status_of(obj)

    def get_breached(self, obj) -> bool:
        return obj.breached_at is not None


class RepairSerializer(serializers.Serializer):
    tickets = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1,
                                    max_length=500)

    def validate_tickets(self, value):
        found = set(Ticket.objects.filter(pk__in=value).values_list("pk", flat=True))
        missing = sorted(set(value) - found)
        if missing:
            raise ValidationError(_("Unknown tickets: %(ids)s.") % {"ids": ", ".join(map(str, missing))})
        return sorted(set(value))


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("ticket", int, description=_("A ticket id."))]))
class TimerViewSet(BoundedLookupMixin, viewsets.ReadOnlyModelViewSet):
    """SLA timers, visible under the same rules as their tickets."""

    serializer_class = TimerSerializer
    permission_classes = [drf_permissions.IsAuthenticated]
    pagination_class = NamePagination
    filter_backends = []

    def get_queryset(self):
        timers = queries.visible_timers(self.request.user)
        ticket = self.request.query_params.get("ticket", "").strip()
        if self.action == "list" and ticket:
            if parse_id(ticket) is None:
                raise ValidationError({"ticket": [_("A ticket id is required.")]})
            timers = timers.filter(ticket_id=parse_id(ticket))
        return timers

    @extend_schema(request=RepairSerializer, responses={200: {"type": "object"}})
    @action(detail=False, methods=["post"])
    def repair(self, request):
        """Recompute the timers of these tickets from their audited history (managers)."""
        if not permissions.is_manager(request.user):
            raise PermissionDenied(_("Only managers can repair SLA timers."))
        serializer = RepairSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.repair_timers(serializer.validated_data["tickets"], request.user)
        return Response({"repaired": {str(k): v for k, v in report.items()}})
