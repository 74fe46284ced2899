"""Pages of error control on the incident: apply a known error's workaround (one click from the incident page)
and the known-error suggestions fragment of the incident form (htmx, while the agent types). Staff only."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import permissions
from core.converters import parse_id
from core.services import PermissionDeniedError
from incidents import queries as incident_queries

from . import matching, workaround_services
from .known_error_panel import rows
from .models import Problem

SUGGEST_FIELDS = ("title", "description", "service", "configuration_item", "category")
MAX_FIELD = 5000



@permissions.agent_required
@require_POST
def apply(request, pk):
    """POST problem=<id>&public=0|1: apply the workaround, back to the incident page with a message."""
    incident = get_object_or_404(incident_queries.incident_detail(request.user), pk=pk)
    back = redirect("incidents:detail", pk=incident.pk)
    problem_id = parse_id(request.POST.get("problem"))
    problem = Problem.objects.filter(kind=Problem.TICKET_KIND, pk=problem_id).first() if problem_id else None
    if problem is None:
        messages.error(request, _("No such known error."))
        return back
    public = request.POST.get("public") in ("1", "true", "on")
    try:
        workaround_services.apply_workaround(incident, problem, request.user, public=public)
    except (ValidationError, PermissionDeniedError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return back
    if public:
        messages.success(request, _("The workaround of %(number)s was sent to the requester.") % {
            "number": problem.number})
    else:
        messages.success(request, _("The workaround of %(number)s was added as a work note.") % {
            "number": problem.number})
    return back


@permissions.agent_required
@require_GET
def suggest(request):
    """The suggestions fragment for the incident form's current values (query parameters)."""
    values = {name: request.GET.get(name, "")[:MAX_FIELD].replace("\x00", "") for name in SUGGEST_FIELDS}
    pairs = matching.suggest_known_errors(values)
    return render(request, "problems/_known_error_suggestions.html", {"suggestions": rows(pairs, set())})
