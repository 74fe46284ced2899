"""The incident FilterSet, shared by the REST API and the HTML queue: the ticket filters plus incident fields."""

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from core.filters import ID_BOUNDS, ORDERINGS, TicketFilterSet

from .models import Category, Incident

__all__ = ["IncidentFilter", "ORDERINGS"]


class IncidentFilter(TicketFilterSet):
    category = filters.ModelChoiceFilter(queryset=Category.objects.filter(parent=None), label=_("Category"))
    is_major = filters.BooleanFilter(label=_("Major incident"))
    parent = filters.NumberFilter(field_name="parent_id", **ID_BOUNDS, label=_("Parent incident"))

    class Meta:
        model = Incident
        fields = []
