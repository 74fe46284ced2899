"""The improvement FilterSet, shared by the REST API and the HTML register."""

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from core.filters import TicketFilterSet
from slm.models import Service

from .models import Improvement, MetricName, Outcome, Source


class ImprovementFilter(TicketFilterSet):
    source = filters.ChoiceFilter(choices=Source.choices, label=_("Source"))
    services = filters.ModelChoiceFilter(queryset=Service.objects.all(), label=_("Affected service"),
                                         distinct=False)
    metric = filters.ChoiceFilter(field_name="metric_name", choices=MetricName.choices, label=_("Metric"))
    outcome = filters.ChoiceFilter(choices=Outcome.choices, label=_("Outcome"))
    quarter = filters.CharFilter(label=_("Planned quarter"))

    class Meta:
        model = Improvement
        fields = []
