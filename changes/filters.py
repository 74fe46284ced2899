"""The change FilterSet, shared by the REST API and the HTML queue: the ticket filters plus change fields."""

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from core.filters import ORDERINGS, TicketFilterSet

from .models import Change, ChangeModel, ChangeTemplate, ChangeType, Outcome, RiskLevel

__all__ = ["ChangeFilter", "ORDERINGS"]


class ChangeFilter(TicketFilterSet):
    change_type = filters.ChoiceFilter(choices=ChangeType.choices, label=_("Change type"))
    type = filters.ChoiceFilter(field_name="change_type", choices=ChangeType.choices, label=_("Change type"))
    risk_level = filters.ChoiceFilter(choices=RiskLevel.choices, label=_("Risk"))
    outcome = filters.ChoiceFilter(choices=Outcome.choices, label=_("Outcome"))
    model = filters.ModelChoiceFilter(queryset=ChangeModel.objects.all(), label=_("Change model"))
    template = filters.ModelChoiceFilter(queryset=ChangeTemplate.objects.all(), label=_("Template"))
    planned_after = filters.IsoDateTimeFilter(field_name="planned_end", lookup_expr="gte", label=_("Planned after"))
    planned_before = filters.IsoDateTimeFilter(field_name="planned_start", lookup_expr="lt",
                                               label=_("Planned before"))

    class Meta:
        model = Change
        fields = []
