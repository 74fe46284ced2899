"""Read querysets of core shared by the API, the UI and the admin: notifications, desk configuration, and the
agent workspace (My work, triage) over core.Ticket rows of every kind."""

import datetime as dt

from django.db.models import DateTimeField, Q, Value
from django.db.models.functions import Coalesce

from . import permissions, ui
from .desk_models import AssignmentRule, CannedResponse
from .models import Notification, Team, Ticket


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


ROW_RELATED = ("team", "assignee")
ROW_FIELDS = ("number", "kind", "title", "state", "priority", "created_at", "updated_at", "sla_due_at",
              "team__name", "assignee__username", "assignee__first_name", "assignee__last_name")
# Tickets without a running SLA timer sort after every timed one.
NO_DUE = dt.datetime(9999, 1, 1, tzinfo=dt.timezone.utc)
TRIAGE_ORDERING = ("triage_due", "priority", "id")


def team_ids(user):
    return list(Team.members.through.objects.filter(user_id=user.pk).values_list("team_id", flat=True))


def open_tickets(user):
    """Open tickets of every kind the user may see, with what a list row shows joined."""
    queryset = Ticket.objects.filter(ui.open_tickets_q()).select_related(*ROW_RELATED).only(*ROW_FIELDS)
    return permissions.visible_tickets(user, queryset)


def with_due_order(queryset):
    """Annotate `triage_due`: the SLA due instant, or a far-future one when no timer runs (keyset-safe)."""
    return queryset.annotate(triage_due=Coalesce("sla_due_at", Value(NO_DUE, output_field=DateTimeField())))


def assigned_to(user):
    return open_tickets(user).filter(assignee=user)


def unassigned_in_teams(user, teams):
    return open_tickets(user).filter(team_id__in=teams, assignee__isnull=True)


def in_teams(user, teams):
    return open_tickets(user).filter(team_id__in=teams)


def triage(user):
    """Open tickets of every kind with no team or no assignee, for the triage list."""
    return with_due_order(open_tickets(user).filter(Q(team__isnull=True) | Q(assignee__isnull=True)))
