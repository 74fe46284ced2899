"""One FilterSet for the incident queue, shared by the REST API and the HTML list.

Multi-value filters are distinct=False: none can duplicate rows, and DISTINCT sorts every match (seconds at 1M).
"""

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import Channel, Impact, Organization, Priority, Team, Urgency

from .models import Category, Incident
from .workflow import STATES, WORKFLOW

ID_BOUNDS = {"min_value": 1, "max_value": 2**63 - 1}

ORDERINGS = {
    "-id": ("-id",), "id": ("id",),
    "priority": ("priority", "-id"), "-priority": ("-priority", "-id"),
    "-updated_at": ("-updated_at", "-id"), "updated_at": ("updated_at", "id"),
    "state": ("state", "-id"),
    "sla_due": ("sla_due_at", "id"),
}


class IncidentFilter(filters.FilterSet):
    q = filters.CharFilter(method="filter_text", label=_("Search"))
    state = filters.MultipleChoiceFilter(choices=list(STATES.items()), label=_("State"), distinct=False)
    open = filters.BooleanFilter(method="filter_open", label=_("Open"))
    priority = filters.MultipleChoiceFilter(choices=Priority.choices, label=_("Priority"), distinct=False)
    impact = filters.ChoiceFilter(choices=Impact.choices, label=_("Impact"))
    urgency = filters.ChoiceFilter(choices=Urgency.choices, label=_("Urgency"))
    channel = filters.ChoiceFilter(choices=Channel.choices, label=_("Channel"))
    team = filters.ModelMultipleChoiceFilter(queryset=Team.objects.all(), label=_("Team"), distinct=False)
    assignee = filters.CharFilter(method="filter_assignee", label=_("Assignee"),
                                  help_text=_("A user id, “me” or “none”."))
    requester = filters.NumberFilter(field_name="requester_id", **ID_BOUNDS, label=_("Requester"))
    service = filters.NumberFilter(field_name="service_id", **ID_BOUNDS, label=_("Service"))
    configuration_item = filters.NumberFilter(field_name="configuration_item_id", **ID_BOUNDS,
                                              label=_("Configuration item"))
    organization = filters.ModelChoiceFilter(queryset=Organization.objects.all(), label=_("Organization"))
    category = filters.ModelChoiceFilter(queryset=Category.objects.filter(parent=None), label=_("Category"))
    is_major = filters.BooleanFilter(label=_("Major incident"))
    parent = filters.NumberFilter(field_name="parent_id", **ID_BOUNDS, label=_("Parent incident"))
    created_after = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte", label=_("Created from"))
    created_before = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt", label=_("Created before"))
    sla_breached = filters.BooleanFilter(method="filter_sla_breached", label=_("SLA breached"))
    sla_due_within = filters.NumberFilter(method="filter_sla_due_within", label=_("SLA due within (minutes)"),
                                          min_value=0, max_value=10**7)
    ordering = filters.ChoiceFilter(method="filter_ordering", label=_("Sort"), choices=[
        ("-id", _("Newest first")), ("id", _("Oldest first")), ("priority", _("Priority (highest first)")),
        ("-priority", _("Priority (lowest first)")), ("-updated_at", _("Recently updated")),
        ("updated_at", _("Least recently updated")), ("state", _("State")),
        ("sla_due", _("SLA due (soonest first; running timers only)")),
    ])

    class Meta:
        model = Incident
        fields = []

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if value.upper().startswith("INC") and value[3:].isdigit():
            return queryset.filter(number=value.upper())
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        lookup = Q(state__in=WORKFLOW.open_states)
        return queryset.filter(lookup) if value else queryset.exclude(lookup)

    def filter_assignee(self, queryset, name, value):
        value = (value or "").strip().lower()
        if value == "me":
            return queryset.filter(assignee=self.request.user) if self.request else queryset.none()
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        if value.isdigit():
            return queryset.filter(assignee_id=int(value))
        return queryset.none()

    def filter_sla_breached(self, queryset, name, value):
        from slm import queries as slm_queries

        return slm_queries.filter_breached(queryset, value)

    def filter_sla_due_within(self, queryset, name, value):
        from slm import queries as slm_queries

        return slm_queries.filter_due_within(queryset, int(value) * 60)

    def filter_ordering(self, queryset, name, value):
        if value == "sla_due":  # tickets without a running timer have no due instant to sort by
            queryset = queryset.filter(sla_due_at__isnull=False)
        return queryset.order_by(*ORDERINGS.get(value, ("-id",)))
