"""Read querysets of core shared by the API, the UI and the admin: notifications, desk configuration, the
agent workspace (My work, triage) over core.Ticket rows of every kind, and approvals."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import DateTimeField, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from . import permissions, ui
from .desk_models import AssignmentRule, CannedResponse
from .models import Approval, AuditAction, Notification, Team, Ticket


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


# --- approvals ---------------------------------------------------------------------------------------

APPROVAL_RELATED = ("ticket", "stage", "approver__profile", "on_behalf_of__profile", "decided_by__profile")


def approvals_visible_to(user):
    """Approvals on tickets the user may see, plus those they are asked to decide (their own, delegated to
    them, given away or decided by them: also on kinds hidden from requesters), with what a row shows joined."""
    from .approvals import waiting_for

    rows = Approval.objects.select_related(*APPROVAL_RELATED)
    if not user.is_authenticated:
        return rows.none()
    if permissions.is_agent(user):
        return rows
    visible = permissions.visible_tickets(user, Ticket.objects.values("pk"))
    return rows.filter(Q(ticket_id__in=visible) | Q(approver_id=user.pk) | Q(on_behalf_of_id=user.pk) |
                       Q(decided_by_id=user.pk) | Q(pk__in=waiting_for(user).values("pk")))


def approval_people(rows, viewer):
    """Set `.people` on each approval: {"approver" | "on_behalf_of" | "decided_by": {"id", "name"} or None}.
    A requester is never told the name of someone of another organization who is not service desk staff
    (their id and name read None); staff see everyone. Roles are read in one query."""
    users = {u.pk: u for row in rows for u in (row.approver, row.on_behalf_of, row.decided_by) if u is not None}
    staff_viewer = permissions.is_agent(viewer)
    if not staff_viewer:
        permissions.preload_roles(list(users.values()))
    home = _organization_id(viewer)

    def person(user):
        if user is None:
            return None
        if staff_viewer or user.pk == viewer.pk or permissions.is_agent(user) or _organization_id(user) == home:
            return {"id": user.pk, "name": user.get_full_name() or user.username}
        return {"id": None, "name": None}

    for row in rows:
        row.people = {name: person(getattr(row, name)) for name in ("approver", "on_behalf_of", "decided_by")}
    return rows


def _organization_id(user):
    profile = getattr(user, "profile", None)
    return profile.organization_id if profile else None


class _UnnamedApprover:
    """Stands in, on a requester's timeline, for an approver of another organization."""

    username = ""

    def get_full_name(self):
        return _("An approver")


UNNAMED_APPROVER = _UnnamedApprover()


def foreign_approvers(audits, user):
    """Ids of the approvers in approval entries that a requester may not know by name: not service desk
    staff and not of the requester's organization (two queries, only when there are such entries)."""
    actors = {entry.actor_id: entry.actor for entry in audits
              if entry.action == AuditAction.APPROVAL and entry.actor_id and entry.actor_id != user.pk}
    if not actors:
        return set()
    permissions.preload_roles(list(actors.values()))
    home = _organization_id(user)
    organizations = dict(get_user_model().objects.filter(pk__in=list(actors)).values_list(
        "pk", "profile__organization_id"))
    return {pk for pk, actor in actors.items()
            if organizations.get(pk) != home and not permissions.is_agent(actor)}
