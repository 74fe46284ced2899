"""Every write to a problem: thin rules over core.services' transition engine."""

from django.db import transaction
from django.utils import timezone

from core import services as core_services
from core.models import Channel

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
    return problem


@transaction.atomic
def update_problem(problem, actor, data, expected_version=None):
    data = dict(data)
    data.pop("incidents", None)
    return core_services.update_ticket(problem, actor, _known_error_fields(problem, data), expected_version)


@transaction.atomic
def transition_problem(problem, actor, to, data=None, expected_version=None, comment="", internal_comment=False):
    return core_services.transition_ticket(problem, actor, to, data, expected_version, comment=comment,
                                           internal_comment=internal_comment)
