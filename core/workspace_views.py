"""The agent workspace across every ticket kind: triage, bulk actions on selected rows."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import bulk, counting, hooks, permissions, queries, ui
from .models import Team, Ticket
from .ticket_forms import staff_users
from .widgets import relabel_blank_choice

TRIAGE_COLUMNS = ui.ticket_columns("number", "title", "state", "priority", "team", "assignee", "sla_due",
                                   "updated")


@login_required
def triage(request):
    """Open tickets of every kind with no team or no assignee, most urgent first, keyset-paged."""
    if not permissions.is_agent(request.user):
        return redirect("home")
    queryset = queries.triage(request.user)
    page = ui.keyset_page(queryset, queries.TRIAGE_ORDERING, after=request.GET.get("after", ""),
                          before=request.GET.get("before", ""))
    ui.prepare_rows(page.rows)
    total = counting.count_or_estimate(queryset)
    context = {
        "page": page, "query": ui.query_without(request, "after", "before"),
        "total": total, "total_label": counting.count_label(total, Ticket),
        "rows_html": ui.rows_html(page.rows, TRIAGE_COLUMNS, _("Nothing waits for triage."), selectable=True),
        **bulk_bar_context(request),
    }
    return render(request, "core/triage.html", context)


# --- bulk actions --------------------------------------------------------------------------------

def _kinds(kind):
    return [hooks.ticket_kinds[kind]] if kind in hooks.ticket_kinds else list(hooks.ticket_kinds.values())


def transition_fields_form(kind=None):
    """An unbound form of every field the kind's transitions ask for (all optional), from the model's fields."""
    fields = {}
    for registered in _kinds(kind):
        for name in bulk.transition_field_names():
            if name in fields:
                continue
            try:
                model_field = registered.model._meta.get_field(name)
            except Exception:  # noqa: BLE001 - another kind's field
                continue
            form_field = model_field.formfield(required=False)
            if form_field is not None:
                relabel_blank_choice(form_field, _("Choose…"))
                if isinstance(form_field.widget, forms.Textarea):
                    form_field.widget = forms.TextInput()
                fields[name] = form_field
    form_class = type("BulkTransitionFields", (forms.Form,), fields)
    return form_class(prefix=None, auto_id="id_bulk_%s")


def bulk_bar_context(request, kind=None):
    """What components/bulk_bar.html needs: teams, agents, states and transition fields (a few small queries)."""
    states = {}
    for registered in _kinds(kind):
        for state, label in registered.workflow.states.items():
            states.setdefault(state, str(label))
    agents = staff_users().only("username", "first_name", "last_name")
    form = transition_fields_form(kind)
    return {
        "bulk_actions": [(key, str(label)) for key, label in bulk.ACTIONS.items()],
        "bulk_teams": Team.objects.order_by("name").only("name"),
        "bulk_agents": [(u.pk, ui.person(u)) for u in agents],
        "bulk_states": list(states.items()),
        "bulk_fields_html": ui.fields_html([form[name] for name in form.fields]),
        "bulk_next": request.get_full_path(),
    }


def _bulk_data(post):
    return {"team": post.get("team"), "assignee": post.get("assignee"), "to": post.get("to"),
            "comment": post.get("comment", ""), "body": post.get("note", ""),
            "fields": {name: post[name] for name in bulk.transition_field_names() if post.get(name)}}


def result_messages(request, result):
    if result["done"]:
        messages.success(request, _("Done: %(numbers)s.") % {"numbers": ", ".join(result["done"])})
    if result["refused"]:
        refused = "; ".join(f"{r['number']} ({r['reason']})" for r in result["refused"])
        messages.warning(request, _("Refused: %(tickets)s") % {"tickets": refused})


@login_required
@require_POST
def ticket_bulk(request):
    """The bulk bar's form: apply the action to the selected tickets, then back to the list with the result."""
    if not permissions.is_agent(request.user):
        raise PermissionDenied
    try:
        result = bulk.bulk_apply(request.user, request.POST.getlist("ids"), request.POST.get("action", ""),
                                 _bulk_data(request.POST))
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        return render(request, "core/action_error.html", {
            "title": _("Bulk action not applied"), "errors": errors, "next": ui.safe_next(request, reverse("home"))}, status=400)
    result_messages(request, result)
    return HttpResponseRedirect(ui.safe_next(request, reverse("home")))
