from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.response import Response

from changes import conflicts, queries, services
from changes.filters import ORDERINGS, ChangeFilter
from core.api.views import TicketViewSet
from core.models import LinkKind, TicketLink

from .serializers import ChangeDetailSerializer, ChangeSerializer, ChangeTransitionSerializer


class ChangeViewSet(TicketViewSet):
    """Changes: the shared ticket API over changes.queries, changes.filters and changes.services. Staff only."""

    list_queryset = staticmethod(queries.change_list)
    detail_queryset = staticmethod(queries.change_detail)
    serializer_class = ChangeSerializer
    detail_serializer_class = ChangeDetailSerializer
    transition_serializer_class = ChangeTransitionSerializer
    create_service = staticmethod(services.create_change)
    update_service = staticmethod(services.update_change)
    transition_service = staticmethod(services.transition_change)
    requester_create_fields = ()
    filterset_class = ChangeFilter
    ordering_map = ORDERINGS
    schema_tag = "changes"

    def filter_queryset(self, queryset):
        """`?caused_incidents=true|false`: changes that are (not) recorded as the cause of an incident."""
        queryset = super().filter_queryset(queryset)
        value = self.request.query_params.get("caused_incidents")
        if value is None or self.action != "list":
            return queryset
        if value.lower() not in ("true", "false", "1", "0"):
            raise exceptions.ValidationError({"caused_incidents": [_("Use true or false.")]})
        caused = Exists(TicketLink.objects.filter(kind=LinkKind.CAUSED_BY, target_id=OuterRef("pk"),
                                                  source__kind="incident"))
        return queryset.filter(caused if value.lower() in ("true", "1") else ~caused)

    @action(detail=True, methods=["get"])
    def conflicts(self, request, pk=None):
        return Response(conflicts.for_change(self.get_object()))
