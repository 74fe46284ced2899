"""API of the change schedule: blackout windows (staff read; managers and change authorities write) and
GET /api/v1/change-schedule/?start=&end= (the changes, blackout windows and maintenance windows in a range)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import permissions as drf_permissions, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from changes import schedule
from changes.models import BlackoutWindow
from core import permissions
from core.api.directory import BoundedLookupMixin, StaffOnly
from core.api.pagination import KeysetPagination
from core.api.schema import ERRORS
from core.api.serializers import SafePrimaryKeyRelatedField
from core.converters import parse_id


class StaffReadAuthorityWrite(drf_permissions.BasePermission):
    """Service desk staff read; managers, change authorities and admins write; requesters 403."""

    def has_permission(self, request, view):
        if not permissions.is_agent(request.user):
            return False
        return request.method in drf_permissions.SAFE_METHODS or permissions.is_change_authority(request.user)


class BlackoutPagination(KeysetPagination):
    page_size = 100
    ordering = ("-start", "-id")


def _service_queryset():
    from slm.models import Service

    return Service.objects.all()


class BlackoutWindowSerializer(serializers.ModelSerializer):
    services = SafePrimaryKeyRelatedField(queryset=_service_queryset(), many=True, required=False, help_text=_(
        "Service ids; empty: every service (a global blackout)."))

    class Meta:
        model = BlackoutWindow
        fields = ("id", "name", "start", "end", "services", "reason", "created_at")
        read_only_fields = ("id", "created_at")

    def validate(self, attrs):
        start = attrs.get("start", getattr(self.instance, "start", None))
        end = attrs.get("end", getattr(self.instance, "end", None))
        if start and end and end <= start:
            raise ValidationError({"end": [_("The end must be after the start.")]})
        return attrs


def _crud_schema(tag, serializer):
    return extend_schema_view(**{name: extend_schema(tags=[tag], responses={code: body, **ERRORS})
                                 for name, code, body in (
                                     ("list", 200, serializer(many=True)), ("retrieve", 200, serializer),
                                     ("create", 201, serializer), ("update", 200, serializer),
                                     ("partial_update", 200, serializer), ("destroy", 204, None))})


@_crud_schema("change schedule", BlackoutWindowSerializer)
class BlackoutWindowViewSet(BoundedLookupMixin, viewsets.ModelViewSet):
    """Blackout windows: periods when no change may be implemented, for the listed services or everywhere.
    `?start=&end=` lists those overlapping a range."""

    serializer_class = BlackoutWindowSerializer
    permission_classes = [drf_permissions.IsAuthenticated, StaffReadAuthorityWrite]
    pagination_class = BlackoutPagination
    filter_backends = []

    def get_queryset(self):
        qs = BlackoutWindow.objects.prefetch_related("services")
        if self.action == "list" and ("start" in self.request.query_params or "end" in self.request.query_params):
            start, end = _range(self.request)
            qs = qs.filter(start__lt=end, end__gt=start)
        service = self.request.query_params.get("service") if self.action == "list" else None
        if service is not None:
            service_id = parse_id(service)
            if service_id is None:
                raise ValidationError({"service": [_("A service id is required.")]})
            from django.db.models import Q

            qs = qs.filter(Q(services=service_id) | Q(services=None)).distinct()
        return qs

    def _save(self, serializer, window=None):
        try:
            serializer.instance = schedule.save_blackout(self.request.user, serializer.validated_data, window)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict)

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    def perform_destroy(self, instance):
        schedule.delete_blackout(self.request.user, instance)


def _range(request):
    try:
        return schedule.parse_range(request.query_params.get("start"), request.query_params.get("end"))
    except DjangoValidationError as exc:
        raise ValidationError(exc.message_dict)


def _optional_id(request, name):
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    value = parse_id(raw)
    if value is None:
        raise ValidationError({name: [_("A valid id is required.")]})
    return value


def change_entry(entry):
    return {key: entry[key] for key in ("id", "number", "title", "type", "type_label", "state", "state_label",
                                        "risk", "risk_label", "planned_start", "planned_end", "team",
                                        "conflict")} | {
        "conflicts": [{key: c[key] for key in ("kind", "change", "blackout_window", "detail")}
                      for c in entry["conflicts"]]}


def blackout_entry(window):
    return {"id": window.pk, "name": window.name, "start": window.start, "end": window.end,
            "services": [s.pk for s in window.services.all()], "reason": window.reason}


ScheduleSerializer = inline_serializer("ChangeSchedule", {
    "changes": serializers.ListField(child=serializers.DictField()),
    "blackout_windows": serializers.ListField(child=serializers.DictField()),
    "maintenance_windows": serializers.ListField(child=serializers.DictField()),
    "truncated": serializers.BooleanField()})


class ChangeScheduleView(APIView):
    """The change schedule of a range (at most 100 days): changes with their conflicts, blackout windows and the
    occurrences of agreed agreements' maintenance windows."""

    permission_classes = [drf_permissions.IsAuthenticated, StaffOnly]

    @extend_schema(tags=["change schedule"], responses={200: ScheduleSerializer, **ERRORS}, parameters=[
        OpenApiParameter("start", str, required=True, description=_("ISO date or date-time.")),
        OpenApiParameter("end", str, required=True, description=_("ISO date or date-time, at most 100 days on.")),
        OpenApiParameter("service", int, description=_("Only what concerns this service.")),
        OpenApiParameter("team", int, description=_("Only the changes of this team."))])
    def get(self, request):
        from core.models import Team
        from slm.models import Service

        start, end = _range(request)
        service_id, team_id = _optional_id(request, "service"), _optional_id(request, "team")
        service = Service.objects.filter(pk=service_id).first() if service_id else None
        team = Team.objects.filter(pk=team_id).first() if team_id else None
        if service_id and service is None:
            raise ValidationError({"service": [_("Unknown service.")]})
        if team_id and team is None:
            raise ValidationError({"team": [_("Unknown team.")]})
        found = schedule.entries(start, end, request.user, service=service, team=team)
        return Response({
            "start": start, "end": end,
            "changes": [change_entry(entry) for entry in found["changes"]],
            "blackout_windows": [blackout_entry(window) for window in found["blackout_windows"]],
            "maintenance_windows": found["maintenance_windows"],
            "truncated": found["truncated"]})
