"""Every write to a problem: thin rules over core.services' transition engine."""

from django.db import transaction
from django.utils import timezone

from core import services as core_services
from core.models import Channel, LinkKind, TicketLink

from .models import Problem


def _known_error_fields(problem, data):
    """Becoming a known error stamps when; a known error needs a documented root cause or workaround."""
    merged = {"known_error": problem.known_error, "root_cause": problem.root_cause,
              "workaround": problem.workaround, **data}
    if merged["known_error"] and not problem.known_error_at:
        return {**data, "known_error_at": timezone.now()}
    if not merged["known_error"] and problem.known_error_at:
        return {**data, "known_error_at": None}
    return data


@transaction.atomic
def create_problem(actor, data):
    data = dict(data)
    data.setdefault("channel", Channel.PORTAL)
    incidents = data.pop("incidents", None)
    if data.get("known_error"):
        data["known_error_at"] = timezone.now()
    problem = core_services.create_ticket(Problem, actor, data)
    if incidents:
        set_incidents(problem, actor, incidents)
    return problem


@transaction.atomic
def update_problem(problem, actor, data, expected_version=None):
    data = dict(data)
    incidents = data.pop("incidents", None)
    problem = core_services.update_ticket(problem, actor, _known_error_fields(problem, data), expected_version)
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
