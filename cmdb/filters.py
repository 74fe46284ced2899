"""One FilterSet for configuration items, shared by the REST API and the HTML list."""

import django_filters as filters
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from core.filters import ID_BOUNDS
from core.models import Organization, Team

from .models import CIClass, ConfigurationItem, Environment, Relationship, RelationshipKind


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class CIClassNameFilter(filters.ModelMultipleChoiceFilter):
    """CI classes by name (?ci_class=server&ci_class=database)."""


class ConfigurationItemFilter(filters.FilterSet):
    q = filters.CharFilter(method="filter_text", label=_("Search"))
    search = filters.CharFilter(method="filter_text", label=_("Search"))
    ci_class = CIClassNameFilter(queryset=CIClass.objects.all(), field_name="ci_class__name",
                                                 to_field_name="name", label=_("Class"))
    status = filters.MultipleChoiceFilter(choices=ConfigurationItem.Status.choices, label=_("Status"))
    environment = filters.MultipleChoiceFilter(choices=Environment.choices, label=_("Environment"))
    service = filters.NumberFilter(field_name="service_id", **ID_BOUNDS, label=_("Service"))
    organization = filters.ModelChoiceFilter(queryset=Organization.objects.all(), label=_("Organization"))
    owner_team = filters.ModelChoiceFilter(queryset=Team.objects.all(), label=_("Owner team"))
    external_id = filters.CharFilter(label=_("External id"))

    class Meta:
        model = ConfigurationItem
        fields = []

    def filter_text(self, queryset, name, value):
        """Name, location, class (name or label) or any attribute value; the external id exactly.

        Attributes are matched in their JSON text (a cast, no index): lists page with a LIMIT, so the scan
        stops at the first page of matches."""
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.alias(attributes_text=Cast("attributes", TextField())).filter(
            Q(name__icontains=value) | Q(external_id=value) | Q(location__icontains=value)
            | Q(ci_class__name__icontains=value) | Q(ci_class__label__icontains=value)
            | Q(attributes_text__icontains=value))


class RelationshipFilter(filters.FilterSet):
    source = filters.NumberFilter(field_name="source_id", **ID_BOUNDS, label=_("Source"))
    target = filters.NumberFilter(field_name="target_id", **ID_BOUNDS, label=_("Target"))
    ci = filters.NumberFilter(method="filter_ci", **ID_BOUNDS, label=_("Either end"))
    kind = filters.ChoiceFilter(choices=RelationshipKind.choices, label=_("Type"))

    class Meta:
        model = Relationship
        fields = []

    def filter_ci(self, queryset, name, value):
        return queryset.filter(Q(source_id=value) | Q(target_id=value))
