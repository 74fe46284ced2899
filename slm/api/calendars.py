"""REST API of business calendars: CRUD with nested hours and exceptions, elapsed, due, holiday import."""

import datetime as dt
import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from slm import calendar as business
from slm import services
from slm.models import BusinessCalendar, CalendarException

from .common import ConfigurationViewSet

TIME_RE = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2}))?$")
MAX_RANGE = dt.timedelta(days=3660)
MAX_SECONDS = 10 * 366 * 86_400


@extend_schema_field(OpenApiTypes.STR)
class WallTimeField(serializers.Field):
    """A local wall-clock time "HH:MM[:SS]"; an end may be "24:00" (stored as 00:00, meaning the end of day)."""

    def __init__(self, is_end=False, **kwargs):
        self.is_end = is_end
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        match = TIME_RE.match(data) if isinstance(data, str) else None
        if not match:
            raise ValidationError(_("Enter a time as HH:MM."))
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
        if self.is_end and (hour, minute, second) == (24, 0, 0):
            return dt.time(0)
        if hour > 23 or minute > 59 or second > 59:
            raise ValidationError(_("Enter a time between 00:00 and 23:59%(end)s.") % {
                "end": " " + str(_("or 24:00")) if self.is_end else ""})
        return dt.time(hour, minute, second)

    def to_representation(self, value):
        if value is None:
            return None
        if self.is_end and value == dt.time(0):
            return "24:00"
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")


class HoursSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6)
    start = WallTimeField()
    end = WallTimeField(is_end=True)

    def validate(self, attrs):
        if attrs["end"] != dt.time(0) and attrs["end"] <= attrs["start"]:
            raise ValidationError({"end": _("The end must be after the start.")})
        return attrs


class ExceptionSerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=CalendarException.Kind.choices)
    start = WallTimeField(required=False, allow_null=True)
    end = WallTimeField(is_end=True, required=False, allow_null=True)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)

    def validate(self, attrs):
        if attrs["kind"] == CalendarException.Kind.HOLIDAY:
            attrs["start"] = attrs["end"] = None
            return attrs
        if attrs.get("start") is None or attrs.get("end") is None:
            raise ValidationError({"start": _("A working day needs a start and an end.")})
        if attrs["end"] != dt.time(0) and attrs["end"] <= attrs["start"]:
            raise ValidationError({"end": _("The end must be after the start.")})
        return attrs


class CalendarSerializer(serializers.ModelSerializer):
    hours = HoursSerializer(many=True, required=False)
    exceptions = ExceptionSerializer(many=True, required=False)

    class Meta:
        model = BusinessCalendar
        fields = ("id", "name", "timezone", "description", "version", "hours", "exceptions")
        read_only_fields = ("version",)

    def create(self, validated):
        hours, exceptions = validated.pop("hours", []), validated.pop("exceptions", [])
        return services.save_calendar(None, validated, hours, exceptions)

    def update(self, instance, validated):
        default = None if self.partial else []
        hours, exceptions = validated.pop("hours", default), validated.pop("exceptions", default)
        return services.save_calendar(instance, validated, hours, exceptions)


def parse_instant(params, name):
    raw = params.get(name, "")
    try:
        value = dt.datetime.fromisoformat(raw.strip().replace(" ", "+")) if raw else None
    except ValueError:
        value = None
    if value is None:
        raise ValidationError({name: [_("Enter an ISO 8601 date and time with a UTC offset.")]})
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError({name: [_("The time needs a UTC offset (e.g. 2026-10-01T09:00:00+08:00).")]})
    return value


class ImportHolidaysSerializer(serializers.Serializer):
    country = serializers.RegexField(r"^[A-Za-z]{2,3}$", max_length=3)
    year = serializers.IntegerField(min_value=1950, max_value=2100)


class CalendarViewSet(ConfigurationViewSet):
    """Business calendars (managers and admins write; service desk staff read)."""

    serializer_class = CalendarSerializer
    queryset = BusinessCalendar.objects.prefetch_related("hours", "exceptions")
    delete_service = staticmethod(services.delete_calendar)

    @extend_schema(parameters=[OpenApiParameter("start", str, required=True),
                               OpenApiParameter("end", str, required=True)],
                   responses={200: {"type": "object", "properties": {"seconds": {"type": "number"}}}})
    @action(detail=True, methods=["get"])
    def elapsed(self, request, pk=None):
        """Working seconds in [start, end) (0 if end <= start)."""
        calendar = self.get_object()
        start, end = parse_instant(request.query_params, "start"), parse_instant(request.query_params, "end")
        if end - start > MAX_RANGE:
            raise ValidationError({"end": [_("The range may span at most ten years.")]})
        try:
            return Response({"seconds": business.elapsed(calendar, start, end)})
        except (OverflowError, business.CalendarError) as exc:
            raise ValidationError({"end": [str(exc)]})

    @extend_schema(parameters=[OpenApiParameter("start", str, required=True),
                               OpenApiParameter("seconds", int, required=True)],
                   responses={200: {"type": "object", "properties": {"due": {"type": "string"}}}})
    @action(detail=True, methods=["get"])
    def due(self, request, pk=None):
        """The earliest instant t > start with exactly `seconds` working seconds in [start, t); start if 0."""
        calendar = self.get_object()
        start = parse_instant(request.query_params, "start")
        raw = request.query_params.get("seconds", "").strip()
        if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_SECONDS:
            raise ValidationError({"seconds": [_("Enter a whole number of seconds from 0 to %(max)d.") % {
                "max": MAX_SECONDS}]})
        try:
            due = business.due(calendar, start, int(raw))
        except (OverflowError, business.CalendarError) as exc:
            raise ValidationError({"seconds": [str(exc)]})
        local = due.astimezone(business.load(calendar).tz) if int(raw) else start
        return Response({"due": local.isoformat()})

    @extend_schema(request=ImportHolidaysSerializer,
                   responses={200: {"type": "object", "properties": {"added": {"type": "integer"}}}})
    @action(detail=True, methods=["post"], url_path="import-holidays")
    def import_holidays(self, request, pk=None):
        """Add a country's public holidays of a year (for CN also its make-up working days)."""
        calendar = self.get_object()
        serializer = ImportHolidaysSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        added = services.import_holidays(calendar, serializer.validated_data["country"],
                                         serializer.validated_data["year"])
        return Response({"added": added})
