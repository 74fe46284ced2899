"""Error control writes: applying and communicating a known error's workaround, the known-error review, and
resolving a fixed problem's incidents. Every ticket write goes through core.services (audited there)."""

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import notifications, permissions
from core import services as core_services
from core.models import AuditAction, LinkKind, NotificationEvent, Team
from core.services import ConflictError, PermissionDeniedError
from core.workflow import TransitionError
from incidents import services as incident_services
from incidents import workflow as incident_workflow
from incidents.models import ResolutionCode as IncidentResolution

from . import services, workflow
from .models import Problem, ResolutionCode, WorkaroundApplication

log = logging.getLogger(__name__)
BATCH = 500  # incidents touched by one communicate / resolve call, known errors flagged by one review run
RESOLVE_CODES = (IncidentResolution.SOLVED_PERMANENTLY, IncidentResolution.RESOLVED_BY_CHANGE)


def _require_staff(actor):
    if actor is not None and not permissions.is_agent(actor):
        raise PermissionDeniedError(_("Only service desk staff can use known errors."))


def check_usable(problem):
    """A workaround can be used only from an open known error that documents one."""
    if problem.kind != Problem.TICKET_KIND or not problem.known_error:
        raise ValidationError({"problem": _("%(number)s is not a known error.") % {"number": problem.number}})
    if problem.state in workflow.WORKFLOW.closed_states:
        raise ValidationError({"problem": _("%(number)s is closed.") % {"number": problem.number}})
    if not (problem.workaround or "").strip():
        raise ValidationError({"problem": _("%(number)s has no documented workaround.") % {
            "number": problem.number}})


def workaround_text(problem):
    return _("Workaround from known error %(number)s (%(title)s):\n\n%(workaround)s") % {
        "number": problem.number, "title": problem.title, "workaround": problem.workaround.strip()}


@transaction.atomic
def apply_workaround(incident, problem, actor, public=False):
    """Tell the incident the workaround (a work note, or a public reply), link it to the problem and record the
    application; once per problem and incident. Returns (application, comment)."""
    _require_staff(actor)
    check_usable(problem)
    if incident.state in incident_workflow.WORKFLOW.closed_states:
        raise ValidationError({"incident": _("%(number)s is closed.") % {"number": incident.number}})
    if WorkaroundApplication.objects.filter(problem_id=problem.pk, incident_id=incident.pk).exists():
        raise ValidationError({"problem": _("The workaround of %(number)s was already applied to this incident.")
                               % {"number": problem.number}})
    try:
        with transaction.atomic():
            application = WorkaroundApplication.objects.create(problem=problem, incident=incident, applied_by=actor,
                                                               public=bool(public))
    except IntegrityError:  # applied concurrently
        raise ValidationError({"problem": _("The workaround of %(number)s was already applied to this incident.")
                               % {"number": problem.number}})
    comment = core_services.add_comment(incident, actor, workaround_text(problem), internal=not public)
    services.link_incident(problem, actor, incident)
    return application, comment


def open_linked_incidents(problem):
    return services.linked_incidents(problem).filter(state__in=incident_workflow.WORKFLOW.open_states)


@transaction.atomic
def communicate_workaround(problem, actor):
    """Send the workaround as a public reply to every open incident linked to the known error that has not
    received it publicly yet (the comment hook notifies the requesters). Returns how many were told."""
    _require_staff(actor)
    check_usable(problem)
    told_publicly = WorkaroundApplication.objects.filter(problem_id=problem.pk, public=True).values("incident_id")
    incidents = list(open_linked_incidents(problem).exclude(pk__in=told_publicly).order_by("pk")[:BATCH])
    applied_privately = set(WorkaroundApplication.objects.filter(
        problem_id=problem.pk, incident_id__in=[i.pk for i in incidents]).values_list("incident_id", flat=True))
    body = workaround_text(problem)
    new_rows = []
    for incident in incidents:
        core_services.add_comment(incident, actor, body, internal=False)
        if incident.pk not in applied_privately:
            new_rows.append(WorkaroundApplication(problem=problem, incident=incident, applied_by=actor, public=True))
    if applied_privately:
        WorkaroundApplication.objects.filter(problem_id=problem.pk, incident_id__in=applied_privately).update(
            public=True)
    WorkaroundApplication.objects.bulk_create(new_rows)
    return len(incidents)


# --- the known-error review -----------------------------------------------------------------------------------

def review_due(today=None):
    """Known errors (not closed) whose review date has come and was not announced yet, oldest first."""
    today = today or timezone.localdate()
    return (Problem.objects.filter(kind=Problem.TICKET_KIND, known_error=True, review_date__lte=today)
            .exclude(state__in=workflow.WORKFLOW.closed_states)
            .filter(Q(review_notified_for__isnull=True) | ~Q(review_notified_for=F("review_date"))))


def _review_notices(problem):
    """The assignee, else the members of the problem's team (in-app; e-mail per their preferences)."""
    if problem.assignee_id:
        ids = [problem.assignee_id]
    elif problem.team_id:
        ids = list(Team.members.through.objects.filter(team_id=problem.team_id).values_list("user_id", flat=True))
    else:
        return []
    users = notifications.users_by_id(ids)

    def render(user):
        text = _("%(number)s: known error review due") % {"number": problem.number}
        body = "\n\n".join([text, f"{problem.number} {problem.title}",
                            _("Re-assess the known error and set a new review date.")])
        return text, f"[{problem.number}] {text}", body

    return [notifications.Notice(users[pk], NotificationEvent.ASSIGNED, problem, render) for pk in ids if pk in users]


def flag_review(problem_id, today=None):
    """Announce one known error's review once per review date: a conditional UPDATE flags it, and only the call
    that flagged it writes the audit entry, the work note and the notices. True when it did."""
    with transaction.atomic():
        flagged = review_due(today).filter(pk=problem_id).update(review_notified_for=F("review_date"))
        if not flagged:
            return False
        problem = Problem.objects.select_related("team").get(pk=problem_id)
        core_services._audit(problem, None, AuditAction.UPDATED, {
            "review_notified_for": [None, problem.review_notified_for.isoformat()]})
        core_services.add_comment(problem, None, _(
            "Known error review due (review date %(date)s): re-assess the known error and set a new review date.")
            % {"date": problem.review_date.isoformat()}, internal=True)
        notifications.send(_review_notices(problem))
        return True


def review_known_errors(today=None, batch_size=BATCH):
    """Flag the known errors whose review is due; one bounded batch. Returns (flagged, batch was full)."""
    ids = list(review_due(today).order_by("pk").values_list("pk", flat=True)[:batch_size])
    return sum(1 for pk in ids if flag_review(pk, today)), len(ids) == batch_size


# --- after the fix --------------------------------------------------------------------------------------------

def check_fixed(problem):
    fixed_states = {workflow.RESOLVED, workflow.CLOSED}
    if problem.state not in fixed_states or problem.resolution_code != ResolutionCode.FIX_APPLIED:
        raise ValidationError({"problem": _("Incidents are resolved from a problem only once its permanent fix "
                                            "is applied (resolved or closed with “Permanent fix applied”).")})


def resolve_linked_incidents(problem, actor, resolution_code=IncidentResolution.SOLVED_PERMANENTLY):
    """Resolve the open incidents linked to a fixed problem, each in its own transaction through the incident
    service, with the problem's resolution notes. Returns how many were resolved."""
    _require_staff(actor)
    check_fixed(problem)
    if resolution_code not in RESOLVE_CODES:
        raise ValidationError({"resolution_code": _("Choose “solved permanently” or “resolved by change”.")})
    notes = (problem.resolution_notes or "").strip() or _("Fixed by problem %(number)s.") % {
        "number": problem.number}
    resolved = 0
    for incident in open_linked_incidents(problem).order_by("pk")[:BATCH]:
        try:
            incident_services.transition_incident(incident, actor, incident_workflow.RESOLVED, {
                "resolution_code": resolution_code, "resolution_notes": notes})
        except (ValidationError, TransitionError, ConflictError, PermissionDeniedError):
            log.warning("incident %s not resolved from problem %s", incident.pk, problem.pk, exc_info=True)
            continue
        resolved += 1
    return resolved


def incidents_of(problem, user):
    """The incidents linked to a problem, as `user` may see them (staff: all)."""
    return permissions.visible_tickets(user, services.linked_incidents(problem).order_by("-id"))


def linked_problems(incident):
    """The problems an incident is linked to (caused by), newest first."""
    return Problem.objects.filter(kind=Problem.TICKET_KIND, links_in__source_id=incident.pk,
                                  links_in__kind=LinkKind.CAUSED_BY).order_by("-id")

