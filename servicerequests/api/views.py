from rest_framework import exceptions

from core.api.views import TicketViewSet
from servicerequests import queries, services, task_services
from servicerequests.filters import ORDERINGS, RequestFilter, TaskFilter
from servicerequests.variables import VariablesError

from .serializers import (RequestDetailSerializer, RequestSerializer, RequestTransitionSerializer,
                          TaskDetailSerializer, TaskSerializer, TaskTransitionSerializer)


def create_request(actor, data):
    """services.create_request, with bad answers as 400 {"variables": {name: [messages]}}."""
    try:
        return services.create_request(actor, data)
    except VariablesError as exc:
        raise exceptions.ValidationError({"variables": exc.errors})


class RequestViewSet(TicketViewSet):
    """Service requests: POST {"catalog_item", "variables", "title"?}; listed as incidents are (a requester sees
    their own, and their organization's where it allows)."""

    list_queryset = staticmethod(queries.request_list)
    detail_queryset = staticmethod(queries.request_detail)
    serializer_class = RequestSerializer
    detail_serializer_class = RequestDetailSerializer
    transition_serializer_class = RequestTransitionSerializer
    create_service = staticmethod(create_request)
    update_service = staticmethod(services.update_request)
    transition_service = staticmethod(services.transition_request)
    requester_create_fields = ("catalog_item", "variables", "title", "description", "configuration_item")
    filterset_class = RequestFilter
    ordering_map = ORDERINGS
    schema_tag = "requests"


class TaskViewSet(TicketViewSet):
    """Fulfilment tasks: service desk staff only (a requester lists nothing and may not add one)."""

    list_queryset = staticmethod(queries.task_list)
    detail_queryset = staticmethod(queries.task_detail)
    serializer_class = TaskSerializer
    detail_serializer_class = TaskDetailSerializer
    transition_serializer_class = TaskTransitionSerializer
    create_service = staticmethod(task_services.create_task)
    update_service = staticmethod(task_services.update_task)
    transition_service = staticmethod(task_services.transition_task)
    requester_create_fields = ()
    filterset_class = TaskFilter
    ordering_map = ORDERINGS
    schema_tag = "tasks"
