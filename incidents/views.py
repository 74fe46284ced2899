"""Incident pages: the generic ticket views plus the major-incident action, child incidents and the portal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import permissions
from core import services as core_services
from core.models import Channel
from core.ticket_views import TicketActionView, TicketDetailView
from core.views import portal
from knowledge import panels as knowledge_panels
from knowledge import services as knowledge_services

from . import services, workflow
from .forms import IncidentTransitionForm, ReportProblemForm


class IncidentDetailView(TicketDetailView):
    transition_form_class = IncidentTransitionForm

    def transition_form_kwargs(self, ticket, transition):
        if transition.to != workflow.RESOLVED or not ticket.children.exists():
            return {}
        return {"open_children": services.open_children(ticket).count()}

    def extra_context(self, ticket):
        user = self.request.user
        children = permissions.visible_tickets(user, ticket.children.select_related("assignee").order_by("id"))
        return {"children": children,
                "parent_visible": bool(ticket.parent_id) and permissions.can_view(user, ticket.parent)}


class IncidentActionView(TicketActionView, IncidentDetailView):
    actions = {**TicketActionView.actions, "major": "act_major"}

    def act_major(self, incident):
        """Declare a major incident (the declarer manages it unless someone already does), or stand it down."""
        data = {"is_major": not incident.is_major}
        if data["is_major"] and not incident.major_incident_manager_id:
            data["major_incident_manager"] = self.request.user
        return self.run_service(lambda: services.update_incident(incident, self.request.user, data))


@login_required
@require_POST
def report(request):
    """The requester portal's "report a problem" form: the incident with the urgency, service and category
    stated and the files attached, in one transaction; the knowledge articles offered while it was filled in
    (hidden `shown_articles` inputs) are recorded with it. Bad input: the portal again with the errors (400)."""
    form = ReportProblemForm(request.POST, request.FILES, user=request.user)
    if not form.is_valid():
        return portal(request, report_form=form, status=400)
    try:
        with transaction.atomic():
            incident = services.create_incident(request.user, {
                **form.incident_data(), "requester": request.user, "channel": Channel.PORTAL})
            for upload in form.cleaned_data["attachments"]:
                core_services.add_attachment(incident, request.user, upload)
            knowledge_services.record_shown(incident, knowledge_panels.shown_ids(request.POST))
    except ValidationError as exc:
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
        return portal(request, report_form=form, status=400)
    messages.success(request, _("Thank you. Your incident %(number)s was recorded.") % {"number": incident.number})
    return redirect("incidents:detail", pk=incident.pk)
