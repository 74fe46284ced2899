"""The queue: a kind's FilterSet over a narrow, keyset-paged query, open work by default."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from core import account_services, counting, permissions, ui, workspace_views
from core.filters import ORDERINGS
from core.ticket_forms import MAIN_FILTERS, prepare_filter_form

from .base import TicketView

# What a queue row shows; the list joins only team, assignee and service (planning time grows with every join).
ROW_FIELDS = ("number", "kind", "title", "state", "priority", "created_at", "updated_at", "sla_due_at", "team__name",
              "assignee__username", "assignee__first_name", "assignee__last_name", "service__name")
ROW_JOINED = ("team", "assignee", "service")


class TicketListView(LoginRequiredMixin, TicketView):
    row_fields = ROW_FIELDS
    row_joined = ROW_JOINED
    main_filters = None  # None: core.ticket_forms.MAIN_FILTERS

    def get(self, request):
        if not permissions.is_agent(request.user):
            return redirect("home")
        registry = self.ticket_kind
        filterset = registry.filterset_class(self.filter_data(), queryset=self.base_queryset(), request=request)
        form = filterset.form
        prepare_filter_form(form, self.main_filters or MAIN_FILTERS, kind=registry)
        orderings = getattr(filterset, "orderings", ORDERINGS)
        ordering_key = request.GET.get("ordering") if request.GET.get("ordering") in orderings else "-id"
        page = ui.keyset_page(filterset.qs, orderings[ordering_key], after=request.GET.get("after", ""),
                              before=request.GET.get("before", ""))
        self.decorate_rows(page.rows)
        query = ui.query_without(request, "after", "before")
        columns = self.columns()
        empty = _("No %(kinds)s match this filter.") % {"kinds": registry.label_plural or registry.kind}
        context = {
            "filter": filterset, "page": page, "query": query,
            "rows_html": ui.rows_html(page.rows, columns, empty, ordering=ordering_key, selectable=True,
                                      query=ui.query_without(request, "after", "before", "ordering")),
            "total_label": counting.count_label(counting.count_or_estimate(filterset.qs), registry.model),
            "main_filters_html": ui.fields_html(form.main_fields),
            "more_filters_html": ui.fields_html(form.more_fields),
            "saved_filters": list(account_services.saved_views(request.user, registry.kind)),
            "ordering": ordering_key,
            **workspace_views.bulk_bar_context(request, registry.kind),
        }
        return self.render_kind("list.html", context)

    def columns(self):
        """The queue's columns (core.ui.Column); a kind's list view may add its own."""
        return ui.ticket_columns(*self.ticket_kind.queue_columns)

    def filter_data(self):
        """The query string; without a state or open filter the queue shows open work (?open=all: everything)."""
        data = self.request.GET.copy()
        if not data.get("state") and not data.get("open"):
            data["open"] = "true"
        return data

    def base_queryset(self):
        # kind= is implied by the join, but lets PostgreSQL use the (kind, state|priority, -id) indexes.
        return (self.list_queryset().filter(kind=self.ticket_kind.kind).prefetch_related(None)
                .select_related(None).select_related(*self.row_joined).only(*self.row_fields))

    def decorate_rows(self, rows):
        registry = self.ticket_kind
        detail_prefix = registry.url("detail", 0)[:-2]
        state_texts = {state: str(label) for state, label in registry.workflow.states.items()}
        for row in rows:
            row.url = f"{detail_prefix}{row.pk}/"
            row.state_text = state_texts.get(row.state, row.state)
