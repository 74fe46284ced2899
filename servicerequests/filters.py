"""The request and task FilterSets, shared by the REST API and the HTML queues."""

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from core.filters import ID_BOUNDS, ORDERINGS, TicketFilterSet

from .models import CatalogItem, RequestType, ServiceRequest, Task

__all__ = ["RequestFilter", "TaskFilter", "ORDERINGS"]


class RequestFilter(TicketFilterSet):
    catalog_item = filters.ModelChoiceFilter(queryset=CatalogItem.objects.all(), label=_("Catalogue item"))
    request_type = filters.ChoiceFilter(choices=RequestType.choices, label=_("Request type"))

    class Meta:
        model = ServiceRequest
        fields = []


class TaskFilter(TicketFilterSet):
    request = filters.NumberFilter(field_name="request_id", **ID_BOUNDS, label=_("Service request (id)"))

    class Meta:
        model = Task
        fields = []
