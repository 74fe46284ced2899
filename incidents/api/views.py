from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, viewsets

from core.api.directory import BoundedLookupMixin
from core.api.pagination import NamePagination
from core.api.views import TicketViewSet
from core.converters import parse_id
from incidents import queries, services
from incidents.filters import ORDERINGS, IncidentFilter
from incidents.models import Category

from .serializers import (CategorySerializer, IncidentDetailSerializer, IncidentSerializer,
                          IncidentTransitionSerializer)


class IncidentViewSet(TicketViewSet):
    """Incidents: the shared ticket API over incidents.queries, incidents.filters and incidents.services."""

    list_queryset = staticmethod(queries.incident_list)
    detail_queryset = staticmethod(queries.incident_detail)
    serializer_class = IncidentSerializer
    detail_serializer_class = IncidentDetailSerializer
    transition_serializer_class = IncidentTransitionSerializer
    create_service = staticmethod(services.create_incident)
    update_service = staticmethod(services.update_incident)
    transition_service = staticmethod(services.transition_incident)
    transition_extra_args = ("resolve_children",)
    requester_create_fields = ("title", "description", "impact", "urgency", "service", "configuration_item",
                               "category", "subcategory")
    filterset_class = IncidentFilter
    ordering_map = ORDERINGS
    schema_tag = "incidents"


@extend_schema_view(list=extend_schema(tags=["incidents"], parameters=[
    OpenApiParameter("parent", int, description=_("Subcategories of this category id.")),
    OpenApiParameter("top_level", bool, description=_("Only categories without a parent."))]))
class CategoryViewSet(BoundedLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Active incident categories and subcategories."""

    serializer_class = CategorySerializer
    pagination_class = NamePagination
    filter_backends = []

    def get_queryset(self):
        categories = Category.objects.filter(active=True).select_related("parent")
        if self.action != "list":
            return categories
        params = self.request.query_params
        if (parent := params.get("parent", "").strip()):
            if parse_id(parent) is None:
                raise exceptions.ValidationError({"parent": [_("A category id is required.")]})
            categories = categories.filter(parent_id=parse_id(parent))
        if params.get("top_level", "").lower() in ("1", "true"):
            categories = categories.filter(parent__isnull=True)
        return categories
