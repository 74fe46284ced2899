from rest_framework.decorators import action
from rest_framework.response import Response

from changes import conflicts, queries, services
from changes.filters import ORDERINGS, ChangeFilter
from core.api.views import TicketViewSet

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

    @action(detail=True, methods=["get"])
    def conflicts(self, request, pk=None):
        return Response(conflicts.for_change(self.get_object()))
