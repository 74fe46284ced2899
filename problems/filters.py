"""The problem FilterSet, shared by the REST API and the HTML queue: the ticket filters plus problem fields."""

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from core.filters import ID_BOUNDS, ORDERINGS, TicketFilterSet
from core.models import LinkKind
from incidents.models import Category

from .models import Origin, Problem

__all__ = ["ProblemFilter", "ORDERINGS"]


class ProblemFilter(TicketFilterSet):
    known_error = filters.BooleanFilter(label=_("Known error"))
    origin = filters.ChoiceFilter(choices=Origin.choices, label=_("Origin"))
    category = filters.ModelChoiceFilter(queryset=Category.objects.filter(parent=None), label=_("Category"))
    incident = filters.NumberFilter(method="filter_incident", **ID_BOUNDS, label=_("Linked to incident (id)"))
    review_due = filters.BooleanFilter(method="filter_review_due", label=_("Known error review due"))

    class Meta:
        model = Problem
        fields = []

    def filter_incident(self, queryset, name, value):
        return queryset.filter(links_in__source_id=value, links_in__kind=LinkKind.CAUSED_BY)

    def filter_review_due(self, queryset, name, value):
        from django.utils import timezone

        due = {"known_error": True, "review_date__lte": timezone.localdate()}
        return queryset.filter(**due) if value else queryset.exclude(**due)
