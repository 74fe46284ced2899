"""Problem pages: the generic ticket views plus analysis, investigation tasks, linked incidents and
"open problem" from an incident."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import permissions
from core.converters import parse_id
from core.ticket_views import TicketActionView, TicketCreateView, TicketDetailView
from incidents.models import Incident
from knowledge import services as knowledge_services

from . import services, workaround_services
from .forms import AnalysisForm, LinkIncidentForm, TaskDoneForm, TaskForm
from .models import Origin, ResolutionCode


class ProblemCreateView(TicketCreateView):
    """`?from_incident=<id>` prefills the form from that incident (one the user may see) and links it."""

    @property
    def initial(self):
        pk = parse_id(self.request.GET.get("from_incident"))
        incident = pk and permissions.visible_tickets(self.request.user, Incident.objects.filter(pk=pk)).first()
        if not incident:
            return {}
        return {"title": incident.title, "description": incident.description, "impact": incident.impact,
                "urgency": incident.urgency, "category": incident.category_id, "service": incident.service_id,
                "configuration_item": incident.configuration_item_id,
                "origin": Origin.MAJOR_INCIDENT if incident.is_major else Origin.RECURRING_INCIDENT,
                "incident_numbers": incident.number}

    def clean_data(self, form):
        data = super().clean_data(form)
        data["incidents"] = data.pop("incident_numbers", [])
        return data


class ProblemDetailView(TicketDetailView):
    def extra_context(self, ticket):
        return {
            "incidents": services.linked_incidents(ticket).select_related("assignee").order_by("-id")[:200],
            "tasks": ticket.tasks.select_related("team", "assignee"),
            "analysis_form": self.bound.get("analysis") or AnalysisForm(instance=ticket),
            "task_form": self.bound.get("task") or TaskForm(),
            "link_incident_form": self.bound.get("link_incident") or LinkIncidentForm(),
            "today": timezone.localdate(),
            "open_incident_count": workaround_services.open_linked_incidents(ticket).count(),
            "fixed": ticket.resolution_code == ResolutionCode.FIX_APPLIED and ticket.state in ("resolved", "closed"),
            "article": ticket.articles.order_by("id").first() if ticket.known_error else None,
        }


class ProblemActionView(TicketActionView, ProblemDetailView):
    actions = {**TicketActionView.actions, "analysis": "act_analysis", "add-task": "act_add_task",
               "complete-task": "act_complete_task", "link-incidents": "act_link_incidents",
               "unlink-incident": "act_unlink_incident", "communicate-workaround": "act_communicate",
               "resolve-incidents": "act_resolve_incidents", "publish-article": "act_publish_article"}

    def act_analysis(self, problem):
        return self.run_versioned_form("analysis", AnalysisForm(self.request.POST, instance=problem),
                                       lambda changes, version: services.update_problem(
                                           problem, self.request.user, changes, expected_version=version))

    def act_add_task(self, problem):
        return self.run_form("task", TaskForm(self.request.POST),
                             lambda data: services.add_task(problem, self.request.user, data))

    def act_complete_task(self, problem):
        form = TaskDoneForm(self.request.POST)
        if not form.is_valid():
            return {"error": " ".join(e for errors in form.errors.values() for e in errors)}
        task = get_object_or_404(problem.tasks, pk=form.cleaned_data["task"])
        return self.run_service(lambda: services.complete_task(task, self.request.user, form.cleaned_data["findings"]))

    def act_link_incidents(self, problem):
        return self.run_form("link_incident", LinkIncidentForm(self.request.POST), lambda data: [
            services.link_incident(problem, self.request.user, incident) for incident in data["number"]])

    def act_unlink_incident(self, problem):
        link = services.incident_link(problem, parse_id(self.request.POST.get("incident")))
        if link is None:
            return {"error": _("That incident is not linked to this problem.")}
        services.unlink_incident(link, self.request.user)
        return None

    def act_communicate(self, problem):
        """Send the workaround to every open incident linked to the known error (public replies)."""
        return self.run_service(lambda: workaround_services.communicate_workaround(problem, self.request.user),
                                lambda count: ngettext("The workaround was sent to %(count)d open incident.",
                                                       "The workaround was sent to %(count)d open incidents.",
                                                       count) % {"count": count})

    def act_resolve_incidents(self, problem):
        """The fix is in: resolve the linked open incidents with the problem's resolution."""
        return self.run_service(lambda: workaround_services.resolve_linked_incidents(problem, self.request.user),
                                lambda count: ngettext("%(count)d linked incident was resolved.",
                                                       "%(count)d linked incidents were resolved.",
                                                       count) % {"count": count})

    def act_publish_article(self, problem):
        """Publish the known error as a knowledge article (agents' audience), or bring the article up to date."""
        return self.run_service(lambda: knowledge_services.publish_known_error(problem, self.request.user),
                                lambda article: _("Published as article %(number)s.") % {"number": article.number})
