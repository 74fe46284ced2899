"""TicketFilterSet: the filters every ticket queue shares, for the REST API and the HTML list alike.

A kind subclasses it with its model (Meta.model) and adds its own filters. Multi-value filters are
distinct=False: none can duplicate rows, and DISTINCT sorts every match (seconds at 1M rows).
"""

import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import hooks
from .converters import ASCII_DIGITS, MAX_ID, parse_id
from .models import Channel, Impact, Organization, Priority, Team, Urgency

ID_BOUNDS = {"min_value": 1, "max_value": MAX_ID}


class BoundedIdsField(filters.fields.ModelMultipleChoiceField):
    """Ids beyond the 64-bit range are invalid choices (400), checked before they reach the database."""

    def _check_values(self, value):
        for pk in value:
            if str(pk).isdigit() and parse_id(pk) is None:
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                            params={"value": pk})
        return super()._check_values(value)


class BoundedModelMultipleChoiceFilter(filters.ModelMultipleChoiceFilter):
    field_class = BoundedIdsField

# The `ordering` choice -> sort keys ending in a unique key, so every sorted list still pages by keyset.
ORDERINGS = {
    "-id": ("-id",), "id": ("id",),
    "priority": ("priority", "-id"), "-priority": ("-priority", "-id"),
    "-updated_at": ("-updated_at", "-id"), "updated_at": ("updated_at", "id"),
    "state": ("state", "-id"),
    "sla_due": ("sla_due_at", "id"),
}

ORDERING_CHOICES = [
    ("-id", _("Newest first")), ("id", _("Oldest first")), ("priority", _("Priority (highest first)")),
    ("-priority", _("Priority (lowest first)")), ("-updated_at", _("Recently updated")),
    ("updated_at", _("Least recently updated")), ("state", _("State")),
    ("sla_due", _("SLA due (soonest first; running timers only)")),
]

OPEN_ALL = "all"  # ?open=all: every state (the HTML queue shows open work when neither state nor open is given)


class TicketFilterSet(filters.FilterSet):
    q = filters.CharFilter(method="filter_text", label=_("Search"))
    state = filters.MultipleChoiceFilter(choices=[], label=_("State"), distinct=False)
    open = filters.BooleanFilter(method="filter_open", label=_("Open"))
    priority = filters.MultipleChoiceFilter(choices=Priority.choices, label=_("Priority"), distinct=False)
    impact = filters.ChoiceFilter(choices=Impact.choices, label=_("Impact"))
    urgency = filters.ChoiceFilter(choices=Urgency.choices, label=_("Urgency"))
    channel = filters.ChoiceFilter(choices=Channel.choices, label=_("Channel"))
    team = BoundedModelMultipleChoiceFilter(queryset=Team.objects.all(), label=_("Team"), distinct=False)
    assignee = filters.CharFilter(method="filter_assignee", label=_("Assignee"),
                                  help_text=_("A user id, “me” or “none”."))
    requester = filters.NumberFilter(field_name="requester_id", **ID_BOUNDS, label=_("Requester"))
    service = filters.NumberFilter(field_name="service_id", **ID_BOUNDS, label=_("Service"))
    configuration_item = filters.NumberFilter(field_name="configuration_item_id", **ID_BOUNDS,
                                              label=_("Configuration item"))
    organization = filters.ModelChoiceFilter(queryset=Organization.objects.all(), label=_("Organization"))
    created_after = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte", label=_("Created from"))
    created_before = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt", label=_("Created before"))
    sla_breached = filters.BooleanFilter(method="filter_sla_breached", label=_("SLA breached"))
    sla_due_within = filters.NumberFilter(method="filter_sla_due_within", label=_("SLA due within (minutes)"),
                                          min_value=0, max_value=10**7)
    ordering = filters.ChoiceFilter(method="filter_ordering", label=_("Sort"), choices=ORDERING_CHOICES)

    orderings = ORDERINGS

    class Meta:
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        state = self.filters["state"]
        state.extra["choices"] = self.ticket_kind().workflow.choices()
        state.__dict__.pop("_field", None)  # a form field built before (e.g. by the schema generator) has no choices

    @classmethod
    def ticket_kind(cls):
        return hooks.kind_of(cls._meta.model)

    def filter_text(self, queryset, name, value):
        """A number with or without the kind's prefix (INC0001061, inc1061, 1061), else title or description."""
        value = value.strip()
        if not value:
            return queryset
        prefix = self.ticket_kind().prefix
        digits = value[len(prefix):] if value.upper().startswith(prefix) else value
        if ASCII_DIGITS.fullmatch(digits) and len(digits) <= 18:
            return queryset.filter(number=f"{prefix}{int(digits):07d}")
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        lookup = Q(state__in=self.ticket_kind().workflow.open_states)
        return queryset.filter(lookup) if value else queryset.exclude(lookup)

    def filter_assignee(self, queryset, name, value):
        return self.filter_user(queryset, "assignee", value)

    def filter_user(self, queryset, field, value):
        """A person filter on the user field `field`: a user id, "me" or "none" (anything else matches nothing)."""
        value = (value or "").strip().lower()
        if value == "me":
            return queryset.filter(**{field: self.request.user}) if self.request else queryset.none()
        if value == "none":
            return queryset.filter(**{f"{field}__isnull": True})
        if (pk := parse_id(value)) is not None:
            return queryset.filter(**{f"{field}_id": pk})
        return queryset.none()

    def filter_sla_breached(self, queryset, name, value):
        answer = hooks.ticket_filters.get("sla_breached")
        return answer(queryset, value) if answer else queryset

    def filter_sla_due_within(self, queryset, name, value):
        answer = hooks.ticket_filters.get("sla_due_within")
        return answer(queryset, int(value) * 60) if answer else queryset

    def filter_ordering(self, queryset, name, value):
        if value == "sla_due":  # tickets without a running timer have no due instant to sort by
            queryset = queryset.filter(sla_due_at__isnull=False)
        return queryset.order_by(*self.orderings.get(value, ("-id",)))
