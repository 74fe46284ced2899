from core.api.views import TicketViewSet
from improvement import queries, services
from improvement.filters import ImprovementFilter

from .serializers import ImprovementDetailSerializer, ImprovementSerializer, ImprovementTransitionSerializer


class ImprovementViewSet(TicketViewSet):
    """The continual improvement register: the shared ticket API over improvement.queries, .filters and
    .services. Staff only."""

    list_queryset = staticmethod(queries.improvement_list)
    detail_queryset = staticmethod(queries.improvement_detail)
    serializer_class = ImprovementSerializer
    detail_serializer_class = ImprovementDetailSerializer
    transition_serializer_class = ImprovementTransitionSerializer
    create_service = staticmethod(services.create_improvement)
    update_service = staticmethod(services.update_improvement)
    transition_service = staticmethod(services.transition_improvement)
    requester_create_fields = ()
    filterset_class = ImprovementFilter
    schema_tag = "improvements"
