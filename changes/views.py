"""Change pages: the generic ticket views plus risk, plans, conflicts, authorisation, implementation tasks, the
post-implementation review, and "caused by this change" from an incident page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cmdb.models import ConfigurationItem
from slm.models import Service
from core import permissions
from core.converters import parse_id
from core.ticket_views import TicketActionView, TicketCreateView, TicketDetailView

from . import authority, caused_by, conflicts, gates, impact, risk, services, tasks_services, workflow
from .forms import ChangeTaskForm, ReviewForm, TaskDoneForm
from .models import Change


def _panel(template, context, request):
    return render_to_string(template, context, request=request)


def affected_rows(change):
    """impact.affected_services(change) with the CI each service is reached through."""
    rows = impact.affected_services(change)
    via_ids = {row["via_ci"] for row in rows if row["via_ci"]}
    names = dict(ConfigurationItem.objects.filter(pk__in=via_ids).values_list("pk", "name")) if via_ids else {}
    for row in rows:
        row["via_name"] = names.get(row["via_ci"], "")
        row["criticality_label"] = Service.Criticality(row["criticality"]).label
    return rows


class ChangeCreateView(TicketCreateView):
    pass


class ChangeDetailView(TicketDetailView):
    def extra_context(self, ticket):
        if not permissions.is_agent(self.request.user):  # requesters never reach a change; belt and braces
            return {}
        request, base = self.request, {"change": ticket, "ticket": ticket}
        risk_context = getattr(risk, "panel_context", None)
        authority_context = getattr(authority, "panel_context", None)
        found = conflicts.for_change(ticket)
        finished = ticket.state in workflow.WORKFLOW.closed_states
        return {
            "risk_panel": _panel("changes/_risk_panel.html",
                                 {**base, **(risk_context(ticket) if risk_context else {})}, request),
            "authorisation_panel": _panel("changes/_authorisation_panel.html", {
                **base, **(authority_context(ticket, request.user) if authority_context else {})}, request),
            "conflicts": found,
            "conflicts_panel": _panel("changes/_conflicts_panel.html", {**base, "conflicts": found}, request),
            "affected": affected_rows(ticket),
            "tasks": list(ticket.tasks.select_related("team", "assignee")),
            "can_edit_tasks": not finished,
            "task_form": self.bound.get("task") or ChangeTaskForm(),
            "review_needed": gates.review_required(ticket),
            "can_review": ticket.state == workflow.REVIEW,
            "review_form": self.bound.get("review") or ReviewForm(initial={
                "version": ticket.version, "review_notes": ticket.review_notes}),
            "caused_incidents": list(caused_by.caused_incidents(ticket)),
        }


class ChangeActionView(TicketActionView, ChangeDetailView):
    actions = {**TicketActionView.actions, "add-task": "act_add_task", "complete-task": "act_complete_task",
               "review": "act_review"}

    def act_add_task(self, change):
        return self.run_form("task", ChangeTaskForm(self.request.POST),
                             lambda data: tasks_services.add_task(change, self.request.user, data))

    def act_complete_task(self, change):
        form = TaskDoneForm(self.request.POST)
        if not form.is_valid():
            return {"error": " ".join(e for errors in form.errors.values() for e in errors)}
        task = get_object_or_404(change.tasks, pk=form.cleaned_data["task"])
        return self.run_service(lambda: tasks_services.complete_task(
            task, self.request.user, form.cleaned_data["state"], form.cleaned_data["notes"]))

    def act_review(self, change):
        if change.state != workflow.REVIEW:
            return {"error": _("The post-implementation review is recorded while the change is in review.")}
        return self.run_form("review", ReviewForm(self.request.POST), lambda data: services.update_change(
            change, self.request.user, {"review_notes": data["review_notes"].strip(), "reviewed_at": timezone.now()},
            expected_version=data["version"]))


@permissions.agent_required
@require_POST
def caused_by_view(request, pk):
    """POST change=<id> on an incident: the incident was caused by that change. Back to the incident page."""
    from incidents import queries as incident_queries

    incident = get_object_or_404(incident_queries.incident_detail(request.user), pk=pk)
    back = redirect("incidents:detail", pk=incident.pk)
    change_id = parse_id(request.POST.get("change"))
    change = Change.objects.filter(kind=Change.TICKET_KIND, pk=change_id).first() if change_id else None
    if change is None:
        messages.error(request, _("No such change."))
        return back
    try:
        caused_by.link(incident, change, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return back
    messages.success(request, _("%(incident)s is recorded as caused by %(change)s.") % {
        "incident": incident.number, "change": change.number})
    return back
