"""Read querysets of core shared by the API, the UI and the admin."""

from django.db.models import Q

from . import permissions
from .desk_models import AssignmentRule, CannedResponse
from .models import Notification


def notifications_for(user, unread=False):
    """The user's own notifications, newest first, with the ticket's number for the link."""
    rows = Notification.objects.filter(recipient=user).select_related("ticket").only(
        "id", "kind", "text", "created_at", "read_at", "recipient_id", "ticket__id", "ticket__number",
        "ticket__kind", "ticket__title")
    return rows.filter(read_at__isnull=True) if unread else rows


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
