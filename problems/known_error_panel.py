"""The known-error panel of an incident page: suggested known errors with one-click workarounds, and the
problems the incident is linked to. Staff only: requesters never see it."""

from core import permissions
from incidents import workflow as incident_workflow

from . import matching, workaround_services
from .queries import problem_url
from .models import WorkaroundApplication


def rows(pairs, applied_ids):
    out = []
    for problem, score in pairs:
        out.append({"problem": problem, "score": score, "url": problem_url(problem.pk),
                    "applied": problem.pk in applied_ids, "reasons": getattr(problem, "match_reasons", {})})
    return out


def panel_context(ticket, request):
    if ticket.kind != "incident" or not permissions.is_agent(request.user):
        return {"known_error_panel": False}
    applied = dict(WorkaroundApplication.objects.filter(incident_id=ticket.pk).values_list("problem_id", "public"))
    linked = list(workaround_services.linked_problems(ticket).only("id", "number", "title", "state", "kind",
                                                                     "known_error", "workaround"))
    for problem in linked:
        problem.url = problem_url(problem.pk)
    can_apply = ticket.state not in incident_workflow.WORKFLOW.closed_states
    return {"known_error_panel": True, "suggestions": rows(matching.suggest_known_errors(ticket), applied),
            "linked_problems": linked, "applied_problem_ids": set(applied), "can_apply": can_apply}
