"""Event ingestion (POST, answered 202 once the rows are committed) and the read-only alert API."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import TicketCursorPagination
from core.api.parsers import SafeJSONParser

from .. import formats, queries, services
from ..filters import AlertFilter
from ..formats.base import refuse_unstorable_text
from ..permissions import CanPostEvents, CanReadAlerts
from .serializers import AcceptedSerializer, AlertSerializer

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description=_("A retry with the same key from the same source stores nothing new and returns the original "
                  "event ids."))


class EventIngestView(APIView):
    """POST /api/v1/events/ (generic, one or a list) and /api/v1/events/<format>/ (alertmanager, grafana, ...)."""

    permission_classes = [CanPostEvents]
    parser_classes = [SafeJSONParser]
    format_name = "generic"

    @extend_schema(operation_id="events_create", request=OpenApiTypes.OBJECT,
                   responses={202: AcceptedSerializer}, parameters=[IDEMPOTENCY_HEADER])
    def post(self, request, format_name=None):
        name = format_name or self.format_name
        event_format = formats.get(name)
        if event_format is None:
            raise NotFound(_("Unknown event format “%(name)s”.") % {"name": name})
        source = (request.query_params.get("source") or name)[:100]
        refuse_unstorable_text(request.data)
        raws = event_format.split(request.data, source)
        header_key = (request.headers.get("Idempotency-Key") or "").strip()[:200] or None
        try:
            accepted = services.accept(name, raws, header_key, account=request.user)
        except services.IdempotencyConflict:
            return Response({"detail": _("This Idempotency-Key was already used for a different request body.")},
                            status=status.HTTP_409_CONFLICT)
        return Response({"accepted": accepted.created, "duplicates": len(accepted.ids) - accepted.created,
                         "ids": accepted.ids}, status=status.HTTP_202_ACCEPTED)


class FormatEventIngestView(EventIngestView):
    """POST /api/v1/events/<format>/: a monitoring tool's native webhook (alertmanager, grafana, ...)."""

    @extend_schema(operation_id="events_format_create", request=OpenApiTypes.OBJECT,
                   responses={202: AcceptedSerializer}, parameters=[
                       IDEMPOTENCY_HEADER, OpenApiParameter("source", OpenApiTypes.STR, description=_(
                           "The source recorded for the webhook's events (default: the format's name)."))])
    def post(self, request, format_name=None):
        return super().post(request, format_name)


class AlertListView(generics.ListAPIView):
    """Alerts, newest first; filter by state, severity, source, CI, service or incident."""

    permission_classes = [CanReadAlerts]
    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    pagination_class = TicketCursorPagination

    def get_queryset(self):
        return queries.alert_list()


class AlertDetailView(generics.RetrieveAPIView):
    permission_classes = [CanReadAlerts]
    serializer_class = AlertSerializer

    def get_queryset(self):
        return queries.alert_detail()
