"""Problem pages: the generic ticket views plus analysis, investigation tasks, linked incidents and
"open problem" from an incident."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import permissions
from core.converters import parse_id
from core.ticket_views import TicketActionView, TicketCreateView, TicketDetailView, form_errors_from
from incidents.models import Incident
from knowledge import services as knowledge_services

from . import services, workaround_services
from .forms import AnalysisForm, LinkIncidentForm, TaskDoneForm, TaskForm
from .models import Origin, ResolutionCode


class ProblemCreateView(TicketCreateView):
    """`?from_incident=<id>` prefills the form from that incident and links it on create."""

    def source_incident(self):
        pk = parse_id(self.request.GET.get("from_incident") or self.request.POST.get("from_incident"))
        if pk is None:
            return None
        return permissions.visible_tickets(self.request.user, Incident.objects.filter(pk=pk)).first()

    @property
    def initial(self):
        incident = self.source_incident()
        if incident is None:
            return {}
        return {"title": incident.title, "description": incident.description, "impact": incident.impact,
                "urgency": incident.urgency, "category": incident.category_id, "service": incident.service_id,
                "configuration_item": incident.configuration_item_id,
                "origin": Origin.MAJOR_INCIDENT if incident.is_major else Origin.RECURRING_INCIDENT,
                "incident_numbers": incident.number}

    def render_form(self, form, **context):
        return super().render_form(form, source_incident=self.source_incident(), **context)

    def clean_data(self, form):
        data = super().clean_data(form)
        data["incidents"] = data.pop("incident_numbers", [])
        return data


class ProblemDetailView(TicketDetailView):
    def extra_context(self, ticket):
        bound = getattr(self, "bound_forms", {})
        incidents = services.linked_incidents(ticket).select_related("assignee").order_by("-id")[:200]
        return {
            "incidents": incidents,
            "tasks": ticket.tasks.select_related("team", "assignee"),
            "analysis_form": bound.get("analysis") or AnalysisForm(instance=ticket),
            "task_form": bound.get("task") or TaskForm(),
            "link_incident_form": bound.get("link_incident") or LinkIncidentForm(),
            "today": timezone.localdate(),
            "open_incident_count": workaround_services.open_linked_incidents(ticket).count(),
            "fixed": ticket.resolution_code == ResolutionCode.FIX_APPLIED and ticket.state in ("resolved", "closed"),
            "article": ticket.articles.filter(known_error=ticket).order_by("id").first()
            if ticket.known_error else None,
        }

    def render_ticket(self, ticket, bound=None, status=200):
        self.bound_forms = bound or {}
        return super().render_ticket(ticket, bound, status)


class ProblemActionView(TicketActionView, ProblemDetailView):
    actions = {**TicketActionView.actions, "analysis": "act_analysis", "add-task": "act_add_task",
               "complete-task": "act_complete_task", "link-incidents": "act_link_incidents",
               "unlink-incident": "act_unlink_incident", "communicate-workaround": "act_communicate",
               "resolve-incidents": "act_resolve_incidents", "publish-article": "act_publish_article"}

    def act_analysis(self, problem):
        self.require_agent()
        form = AnalysisForm(self.request.POST, instance=problem)
        if not form.is_valid():
            return {"analysis": form}
        try:
            services.update_problem(problem, self.request.user, form.changes(),
                                    expected_version=form.cleaned_data.get("version"))
        except ValidationError as exc:
            return {"analysis": form_errors_from(form, exc)}
        return None

    def act_add_task(self, problem):
        self.require_agent()
        form = TaskForm(self.request.POST)
        if not form.is_valid():
            return {"task": form}
        try:
            services.add_task(problem, self.request.user, form.cleaned_data)
        except ValidationError as exc:
            return {"task": form_errors_from(form, exc)}
        return None

    def act_complete_task(self, problem):
        self.require_agent()
        form = TaskDoneForm(self.request.POST)
        if not form.is_valid():
            return {"error": " ".join(e for errors in form.errors.values() for e in errors)}
        task = get_object_or_404(problem.tasks, pk=form.cleaned_data["task"])
        try:
            services.complete_task(task, self.request.user, form.cleaned_data["findings"])
        except ValidationError as exc:
            return {"error": " ".join(exc.messages)}
        return None

    def act_link_incidents(self, problem):
        self.require_agent()
        form = LinkIncidentForm(self.request.POST)
        if not form.is_valid():
            return {"link_incident": form}
        for incident in form.cleaned_data["number"]:
            services.link_incident(problem, self.request.user, incident)
        return None

    def act_unlink_incident(self, problem):
        self.require_agent()
        pk = parse_id(self.request.POST.get("incident"))
        link = services.incident_link(problem, pk) if pk else None
        if link is None:
            return {"error": str(_("That incident is not linked to this problem."))}
        services.unlink_incident(link, self.request.user)
        return None

    def act_communicate(self, problem):
        """Send the workaround to every open incident linked to the known error (public replies)."""
        self.require_agent()
        try:
            count = workaround_services.communicate_workaround(problem, self.request.user)
        except ValidationError as exc:
            return {"error": " ".join(exc.messages)}
        messages.success(self.request, ngettext("The workaround was sent to %(count)d open incident.",
                                                "The workaround was sent to %(count)d open incidents.",
                                                count) % {"count": count})
        return None

    def act_resolve_incidents(self, problem):
        """The fix is in: resolve the linked open incidents with the problem's resolution."""
        self.require_agent()
        try:
            count = workaround_services.resolve_linked_incidents(problem, self.request.user)
        except ValidationError as exc:
            return {"error": " ".join(exc.messages)}
        messages.success(self.request, ngettext("%(count)d linked incident was resolved.",
                                                "%(count)d linked incidents were resolved.", count) % {"count": count})
        return None

    def act_publish_article(self, problem):
        """Publish the known error as a knowledge article (agents' audience), or bring the article up to date."""
        self.require_agent()
        if not problem.known_error:
            return {"error": str(_("Only a known error can be published as an article."))}
        article = knowledge_services.publish_known_error(problem, self.request.user)
        messages.success(self.request, _("Published as article %(number)s.") % {"number": article.number})
        return None
