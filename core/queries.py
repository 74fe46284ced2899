"""Read querysets of core's configuration shared by the API and the admin."""

from django.db.models import Q

from . import permissions
from .desk_models import AssignmentRule, CannedResponse


def assignment_rules():
    return AssignmentRule.objects.select_related("team").order_by("order", "id")


def canned_responses_for(user):
    """Managers and admins: every response. Agents: the active ones that are global or for one of their teams.
    Anyone else: none."""
    responses = CannedResponse.objects.select_related("team")
    if permissions.is_manager(user):
        return responses
    if not permissions.is_agent(user):
        return responses.none()
    return responses.filter(Q(team__isnull=True) | Q(team__members=user), active=True).distinct()


def usable_canned_responses(user):
    """What a user may insert into a reply: the active responses they can see."""
    return canned_responses_for(user).filter(active=True)
