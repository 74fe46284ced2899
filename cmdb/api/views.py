from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import NamePagination
from core.api.parsers import SafeJSONParser as JSONParser
from slm.models import Service

from .. import imports, queries, services
from ..filters import ConfigurationItemFilter, RelationshipFilter
from .permissions import CMDBPermission
from .serializers import CIClassSerializer, CIPickSerializer, ConfigurationItemSerializer, RelationshipSerializer


class CSVRenderer(renderers.BaseRenderer):
    """Lets ?format=csv through content negotiation; the export view streams the body itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


def _max_depth(request):
    raw = request.query_params.get("max_depth", "10")
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) <= queries.MAX_DEPTH_LIMIT:
        raise ValidationError({"max_depth": [_("Enter a whole number from 1 to %(max)d.") % {
            "max": queries.MAX_DEPTH_LIMIT}]})
    return int(raw)


def _dry_run(request):
    return request.query_params.get("dry_run", "").lower() in {"1", "true", "yes", "on"}


def _rows(request):
    try:
        return imports.parse_upload(request.FILES.get("file"), None if request.FILES else request.data)
    except imports.ImportFormatError as exc:
        raise ValidationError({"file": [str(exc)]}) from None


def _import_response(report):
    failed = report["errors"] and not report["dry_run"]
    return Response(report, status=status.HTTP_400_BAD_REQUEST if failed else status.HTTP_200_OK)


class CIClassViewSet(viewsets.ModelViewSet):
    serializer_class = CIClassSerializer
    permission_classes = [CMDBPermission]
    pagination_class = NamePagination
    queryset = queries.class_list()

    def perform_destroy(self, instance):
        services.delete_class(instance, self.request.user)


class ConfigurationItemViewSet(viewsets.ModelViewSet):
    serializer_class = ConfigurationItemSerializer
    permission_classes = [CMDBPermission]
    pagination_class = NamePagination
    filterset_class = ConfigurationItemFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return queries.ci_list()

    def get_serializer_class(self):
        if self.action == "list" and "search" in self.request.query_params:
            return CIPickSerializer
        return ConfigurationItemSerializer

    def perform_destroy(self, instance):
        services.delete_ci(instance, self.request.user)

    @extend_schema(parameters=[OpenApiParameter("max_depth", int)], responses={200: dict})
    @action(detail=True, methods=["get"])
    def impact(self, request, pk=None):
        """Every CI and service that depends on this CI, transitively, with the path that explains why."""
        ci = self.get_object()
        rows = queries.impacted([ci.pk], max_depth=_max_depth(request), include_start=True)
        return Response({"ci": {"id": ci.pk, "name": ci.name},
                         "cis": [r.as_dict() for r in rows if r.depth > 0],
                         "services": queries.impacted_services(rows)})

    @extend_schema(parameters=[OpenApiParameter("max_depth", int)], responses={200: dict})
    @action(detail=True, methods=["get"])
    def upstream(self, request, pk=None):
        """Every CI this CI depends on, transitively."""
        ci = self.get_object()
        rows = queries.upstream([ci.pk], max_depth=_max_depth(request))
        return Response({"ci": {"id": ci.pk, "name": ci.name}, "cis": [r.as_dict() for r in rows]})

    @extend_schema(parameters=[OpenApiParameter("dry_run", bool)], responses={200: dict, 400: dict})
    @action(detail=False, methods=["post"], url_path="import")
    def import_(self, request):
        """Upsert CIs from a JSON list or an uploaded CSV/JSON file; all or nothing."""
        return _import_response(imports.import_cis(_rows(request), request.user, dry_run=_dry_run(request)))

    @extend_schema(parameters=[OpenApiParameter("format", str, enum=["csv", "json"])], responses={200: bytes})
    @action(detail=False, methods=["get"], renderer_classes=[renderers.JSONRenderer, CSVRenderer])
    def export(self, request):
        queryset = self.filter_queryset(self.get_queryset()).order_by("id")
        if request.query_params.get("format") == "csv":
            response = StreamingHttpResponse(imports.export_csv_lines(queryset), content_type="text/csv")
            response["Content-Disposition"] = 'attachment; filename="configuration-items.csv"'
        else:
            response = StreamingHttpResponse(imports.export_json_chunks(queryset), content_type="application/json")
            response["Content-Disposition"] = 'attachment; filename="configuration-items.json"'
        return response


class RelationshipViewSet(mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin,
                          mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = RelationshipSerializer
    permission_classes = [CMDBPermission]
    pagination_class = NamePagination
    filterset_class = RelationshipFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return queries.relationship_list()

    def perform_destroy(self, instance):
        services.remove_relationship(instance, self.request.user)

    @extend_schema(parameters=[OpenApiParameter("dry_run", bool)], responses={200: dict, 400: dict})
    @action(detail=False, methods=["post"], url_path="import")
    def import_(self, request):
        """Add relationships by natural keys (class + name, or external id); existing ones are kept."""
        return _import_response(imports.import_relationships(_rows(request), request.user,
                                                             dry_run=_dry_run(request)))


class ServiceCIsView(APIView):
    """Every CI beneath a service: those that support it and everything they depend on."""

    permission_classes = [CMDBPermission]

    @extend_schema(parameters=[OpenApiParameter("max_depth", int)], responses={200: dict})
    def get(self, request, pk):
        service = get_object_or_404(Service, pk=pk)
        rows = queries.service_cis(service.pk, max_depth=_max_depth(request))
        return Response({"service": {"id": service.pk, "name": service.name},
                         "cis": [r.as_dict() for r in rows]})
