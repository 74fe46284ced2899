"""Every write to a problem: thin rules over core.services' transition engine."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import services as core_services
from core.models import AuditAction, Channel, LinkKind, TicketLink

from .models import InvestigationTask, Problem


def _known_error_fields(problem, data):
    """Becoming a known error stamps when; a known error needs a documented root cause or workaround."""
    merged = {"known_error": problem.known_error, "root_cause": problem.root_cause,
              "workaround": problem.workaround, **data}
    if merged["known_error"] and not problem.known_error_at:
        return {**data, "known_error_at": timezone.now()}
    if not merged["known_error"] and problem.known_error_at:
        return {**data, "known_error_at": None}
    return data


AFFECTED = ("affected_services", "affected_cis")


@transaction.atomic
def create_problem(actor, data):
    data = dict(data)
    data.setdefault("channel", Channel.PORTAL)
    incidents = data.pop("incidents", None)
    affected = {name: data.pop(name) for name in AFFECTED if name in data}
    if data.get("known_error"):
        data["known_error_at"] = timezone.now()
    problem = core_services.create_ticket(Problem, actor, data)
    core_services.set_relations(problem, actor, affected)
    if incidents:
        set_incidents(problem, actor, incidents)
    return problem


@transaction.atomic
def update_problem(problem, actor, data, expected_version=None):
    data = dict(data)
    incidents = data.pop("incidents", None)
    affected = {name: data.pop(name) for name in AFFECTED if name in data}
    problem = core_services.update_ticket(problem, actor, _known_error_fields(problem, data), expected_version)
    core_services.set_relations(problem, actor, affected)
    if incidents is not None:
        set_incidents(problem, actor, incidents)
    return problem


@transaction.atomic
def transition_problem(problem, actor, to, data=None, expected_version=None, comment="", internal_comment=False):
    return core_services.transition_ticket(problem, actor, to, data, expected_version, comment=comment,
                                           internal_comment=internal_comment)


# --- incidents linked to a problem (core TicketLink: incident "caused by" problem) ----------------------------

def linked_incidents(problem):
    from incidents.models import Incident

    return Incident.objects.filter(links_out__target_id=problem.pk, links_out__kind=LinkKind.CAUSED_BY)


@transaction.atomic
def link_incident(problem, actor, incident):
    """Link an incident to its problem (idempotent: an existing link is kept). Audited on both tickets."""
    if TicketLink.objects.filter(source_id=incident.pk, target_id=problem.pk, kind=LinkKind.CAUSED_BY).exists():
        return False
    core_services.add_link(incident, actor, problem, LinkKind.CAUSED_BY)
    return True


@transaction.atomic
def set_incidents(problem, actor, incidents):
    """Make exactly `incidents` the problem's linked incidents (what the API's writable `incidents` does)."""
    wanted = {incident.pk: incident for incident in incidents}
    links = TicketLink.objects.filter(target_id=problem.pk, kind=LinkKind.CAUSED_BY,
                                      source__kind="incident").select_related("source", "target")
    for link in links:
        if link.source_id not in wanted:
            core_services.remove_link(link, actor)
        else:
            wanted.pop(link.source_id)
    for incident in wanted.values():
        core_services.add_link(incident, actor, problem, LinkKind.CAUSED_BY)


# --- investigation tasks (audited on the problem) -----------------------------------------------------------

def _task_audit(problem, actor, changes):
    core_services._audit(problem, actor, AuditAction.UPDATED, changes)


@transaction.atomic
def add_task(problem, actor, data):
    task = InvestigationTask(problem=problem, **data)
    if task.assignee_id and not task.team.members.filter(pk=task.assignee_id).exists():
        raise ValidationError({"assignee": _("The assignee must be a member of the task's team.")})
    task.full_clean()
    task.save()
    _task_audit(problem, actor, {"investigation_task": [None, f"{task.title} → {task.team.name}"]})
    return task


@transaction.atomic
def complete_task(task, actor, findings=""):
    task = InvestigationTask.objects.select_for_update().get(pk=task.pk)
    if task.state == InvestigationTask.State.DONE:
        raise ValidationError({"task": _("This task is already done.")})
    task.state, task.findings, task.completed_at = InvestigationTask.State.DONE, findings.strip(), timezone.now()
    task.save(update_fields=["state", "findings", "completed_at"])
    _task_audit(task.problem, actor, {"investigation_task_done": [task.title, task.findings or "✓"]})
    return task


def incident_link(problem, incident_id):
    if incident_id is None:
        return None
    return TicketLink.objects.filter(source_id=incident_id, target_id=problem.pk, kind=LinkKind.CAUSED_BY) \
        .select_related("source", "target").first()


@transaction.atomic
def unlink_incident(link, actor):
    core_services.remove_link(link, actor)
