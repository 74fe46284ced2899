"""The improvement FilterSet, shared by the REST API and the HTML register."""

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import ID_BOUNDS, ORDERING_CHOICES, ORDERINGS, TicketFilterSet
from slm.models import Service

from .measuring import valid_quarter
from .models import Improvement, MetricName, Outcome, Source
from .workflow import STATES

# The register's sort orders (the HTML register ranks in Python, see views.RegisterView; these serve the API).
REGISTER_ORDERINGS = {"rank": ("-score", "id"), "-score": ("-score", "id"), "score": ("score", "id"),
                      "stage": ("state", "-id"), "target_date": ("target_date", "id"),
                      "-target_date": ("-target_date", "-id"), "title": ("title", "id"), "-title": ("-title", "-id")}
REGISTER_ORDERING_CHOICES = [
    ("rank", _("Rank")), ("-score", _("Score (highest first)")), ("score", _("Score (lowest first)")),
    ("stage", _("Stage")), ("target_date", _("Target date (soonest first)")),
    ("-target_date", _("Target date (latest first)")), ("title", _("Title (A-Z)")), ("-title", _("Title (Z-A)"))]


class ImprovementFilter(TicketFilterSet):
    stage = filters.MultipleChoiceFilter(field_name="state", choices=list(STATES.items()), label=_("Stage"),
                                         distinct=False)
    source = filters.ChoiceFilter(choices=Source.choices, label=_("Source"))
    service = filters.NumberFilter(method="filter_service", label=_("Service"), **ID_BOUNDS)
    services = filters.ModelChoiceFilter(queryset=Service.objects.all(), label=_("Affected service"),
                                         distinct=False)
    owner = filters.CharFilter(method="filter_owner", label=_("Owner"), help_text=_("A user id, “me” or “none”."))
    metric = filters.ChoiceFilter(field_name="metric_name", choices=MetricName.choices, label=_("Metric"))
    outcome = filters.ChoiceFilter(choices=Outcome.choices, label=_("Outcome"))
    quarter = filters.CharFilter(method="filter_quarter", label=_("Planned quarter"), help_text=_("2026Q3"))
    ordering = filters.ChoiceFilter(method="filter_ordering", label=_("Sort"),
                                    choices=REGISTER_ORDERING_CHOICES + ORDERING_CHOICES)

    orderings = {**ORDERINGS, **REGISTER_ORDERINGS}

    class Meta:
        model = Improvement
        fields = []

    def filter_service(self, queryset, name, value):
        """An affected service, or the record's own service (a subquery: the join would repeat rows)."""
        affected = Improvement.services.through.objects.filter(service_id=int(value)).values("improvement_id")
        return queryset.filter(Q(pk__in=affected) | Q(service_id=int(value)))

    def filter_owner(self, queryset, name, value):
        return self.filter_user(queryset, "owner", value)

    def filter_quarter(self, queryset, name, value):
        value = (value or "").strip().upper().replace("-Q", "Q")
        if not value:
            return queryset
        return queryset.filter(quarter=value) if valid_quarter(value) else queryset.none()
