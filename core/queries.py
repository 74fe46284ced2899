"""Read querysets of the agent workspace (My work, triage), over core.Ticket rows of every kind."""

import datetime as dt

from django.db.models import DateTimeField, Q, Value
from django.db.models.functions import Coalesce

from . import permissions, ui
from .models import Team, Ticket

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
