from core.api.views import TicketViewSet
from problems import queries, services
from problems.filters import ORDERINGS, ProblemFilter

from .serializers import ProblemDetailSerializer, ProblemSerializer, ProblemTransitionSerializer


class ProblemViewSet(TicketViewSet):
    """Problems: the shared ticket API over problems.queries, problems.filters and problems.services.
    Staff only: a requester lists nothing and may not record a problem."""

    list_queryset = staticmethod(queries.problem_list)
    detail_queryset = staticmethod(queries.problem_detail)
    serializer_class = ProblemSerializer
    detail_serializer_class = ProblemDetailSerializer
    transition_serializer_class = ProblemTransitionSerializer
    create_service = staticmethod(services.create_problem)
    update_service = staticmethod(services.update_problem)
    transition_service = staticmethod(services.transition_problem)
    requester_create_fields = ()
    filterset_class = ProblemFilter
    ordering_map = ORDERINGS
    schema_tag = "problems"
