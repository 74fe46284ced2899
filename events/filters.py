"""One FilterSet for alerts, shared by the REST API and the console."""

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import ID_BOUNDS

from .models import Alert, Severity


class AlertFilter(filters.FilterSet):
    q = filters.CharFilter(method="filter_text", label=_("Search"))
    state = filters.ChoiceFilter(choices=Alert.State.choices, label=_("State"))
    severity = filters.MultipleChoiceFilter(choices=Severity.choices, label=_("Severity"))
    source = filters.CharFilter(label=_("Source"))
    configuration_item = filters.NumberFilter(field_name="configuration_item_id", **ID_BOUNDS,
                                              label=_("Configuration item"))
    service = filters.NumberFilter(field_name="service_id", **ID_BOUNDS, label=_("Service"))
    incident = filters.NumberFilter(field_name="incident_id", **ID_BOUNDS, label=_("Incident"))
    has_incident = filters.BooleanFilter(field_name="incident", lookup_expr="isnull", exclude=True,
                                         label=_("Has an incident"))
    last_seen_after = filters.IsoDateTimeFilter(field_name="last_seen", lookup_expr="gte", label=_("Last seen from"))

    class Meta:
        model = Alert
        fields = []

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(check_name__icontains=value) | Q(node__icontains=value) | Q(message__icontains=value))
