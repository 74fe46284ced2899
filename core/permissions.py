"""Who may see and do what. The API and the UI both ask here."""

from django.db.models import Q

from . import hooks

REQUESTER, AGENT, MANAGER, CHANGE_AUTHORITY, ADMIN = "requester", "agent", "manager", "change authority", "admin"
INTEGRATION = "integration"  # monitoring and other systems that post events
ROLES = [REQUESTER, AGENT, MANAGER, CHANGE_AUTHORITY, ADMIN, INTEGRATION]
STAFF_ROLES = (AGENT, MANAGER, CHANGE_AUTHORITY, ADMIN)  # service desk staff (is_agent)


def _group_names(user_id):
    """The names of a user's groups: one plain query (asked on every request; the ORM's cost to build it
    was larger than the query's)."""
    from django.contrib.auth.models import Group
    from django.db import connections, router

    through = Group.user_set.through
    user_column = through._meta.get_field("user").column
    group_column = through._meta.get_field("group").column
    sql = (f"SELECT g.name FROM {Group._meta.db_table} g JOIN {through._meta.db_table} m "
           f"ON m.{group_column} = g.id WHERE m.{user_column} = %s")
    with connections[router.db_for_read(Group)].cursor() as cursor:
        cursor.execute(sql, [user_id])
        return {name for (name,) in cursor.fetchall()}


def role_names(user):
    if user is None or not user.is_authenticated:
        return set()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = _group_names(user.pk)
        if user.is_superuser:
            cached.add(ADMIN)
        user._role_names = cached
    return cached


def has_role(user, *roles):
    return bool(role_names(user) & set(roles))


def is_agent(user):
    """Service desk staff: agents, managers, change authorities and admins work on every ticket."""
    return has_role(user, *STAFF_ROLES)


def is_manager(user):
    return has_role(user, MANAGER, ADMIN)


def is_admin(user):
    """Administrators: they alone configure what reaches into other systems (the desk's mailboxes)."""
    return has_role(user, ADMIN)


def is_change_authority(user):
    """Who governs change enablement (templates, CAB meetings, blackout windows, releases): managers, the change
    authority role and admins."""
    return has_role(user, MANAGER, ADMIN, CHANGE_AUTHORITY)


def _approvals():
    from .models import Approval

    return Approval.objects


def _delegations_today():
    from .approvals import active_delegations

    return active_delegations()


def approval_ticket_ids(user):
    """A subquery of the tickets `user` is asked to approve: as approver, as the approver who delegated, as
    the one who decided, or as today's delegate of an approver whose approval still waits."""
    delegators = _delegations_today().filter(delegate_id=user.pk).values("user_id")
    return _approvals().filter(Q(approver=user) | Q(on_behalf_of=user) | Q(decided_by=user) |
                               Q(approver_id__in=delegators, state="pending")).values("ticket_id")


def party_scope(user):
    """The Q of the tickets a requester is a party to: their own, and their organization's if it allows."""
    q = Q(requester=user) | Q(created_by=user)
    profile = getattr(user, "profile", None)
    if profile and profile.organization_id and profile.organization.requesters_see_organization_tickets:
        q |= Q(organization_id=profile.organization_id)
    return q


def requester_scope(user):
    """The Q of the tickets a requester may see: those they are a party to, and those they are asked to approve
    (approval_ticket_ids: a subquery, so no row is doubled)."""
    return party_scope(user) | Q(pk__in=approval_ticket_ids(user))


def preload_roles(users):
    """Fill the role cache of many users with one query, so is_agent() on each asks nothing more."""
    users = [user for user in users if getattr(user, "_role_names", None) is None]
    if not users:
        return
    from django.contrib.auth import get_user_model

    names = {}
    for user_id, name in get_user_model().groups.through.objects.filter(
            user_id__in=[user.pk for user in users]).values_list("user_id", "group__name"):
        names.setdefault(user_id, set()).add(name)
    for user in users:
        user._role_names = names.get(user.pk, set()) | ({ADMIN} if user.is_superuser else set())


def requesters_who_see(ticket, users):
    """The ids of `users` (requesters) who may see `ticket`, in one query: requester_scope seen from the ticket."""
    ids = [user.pk for user in users]
    if not ids or ticket.kind in hooks.requester_hidden_kinds():
        return set()
    from django.contrib.auth import get_user_model

    q = Q(pk__in=[pk for pk in (ticket.requester_id, ticket.created_by_id) if pk])
    asked = _approvals().filter(ticket_id=ticket.pk)
    q |= (Q(pk__in=asked.values("approver_id")) | Q(pk__in=asked.exclude(on_behalf_of=None).values("on_behalf_of_id"))
          | Q(pk__in=asked.exclude(decided_by=None).values("decided_by_id"))
          | Q(pk__in=_delegations_today().filter(user_id__in=asked.filter(state="pending").values("approver_id"))
              .values("delegate_id")))
    if ticket.organization_id:
        q |= Q(profile__organization_id=ticket.organization_id,
               profile__organization__requesters_see_organization_tickets=True)
    return set(get_user_model().objects.filter(q, pk__in=ids).values_list("pk", flat=True))


def visible_tickets(user, queryset):
    if not user.is_authenticated:
        return queryset.none()
    if is_agent(user):
        return queryset
    hidden = hooks.requester_hidden_kinds()
    queryset = queryset.filter(requester_scope(user))
    return queryset.exclude(kind__in=hidden) if hidden else queryset


def can_view(user, ticket):
    return visible_tickets(user, type(ticket).objects.filter(pk=ticket.pk)).exists()


def can_edit(user, ticket):
    """Fields of a ticket beyond comments: agents only."""
    return is_agent(user)


def is_party(user, ticket):
    """Staff, or a requester who is a party to the ticket (party_scope): who may reply, attach and take the
    requester's moves. An approver who sees a ticket only to decide on it is not a party."""
    if is_agent(user):
        return True
    if not user.is_authenticated or ticket.kind in hooks.requester_hidden_kinds():
        return False
    from .models import Ticket

    return Ticket.objects.filter(party_scope(user), pk=ticket.pk).exists()


def can_comment(user, ticket):
    return is_party(user, ticket)


def can_see_internal(user):
    return is_agent(user)


def can_transition(user, ticket, transition):
    if transition.permission == "system":  # taken only by a practice's own rules (core.services, system=True)
        return False
    if transition.permission == "requester":
        return is_party(user, ticket)
    if transition.permission == "manager":
        return is_manager(user)
    return is_agent(user)


def _role_required(allowed):
    def decorate(view):
        from functools import wraps

        from django.contrib.auth.decorators import login_required
        from django.core.exceptions import PermissionDenied

        @login_required
        @wraps(view)
        def check(request, *args, **kwargs):
            if not allowed(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return check

    return decorate


# Pages for service desk staff, managers (and admins), admins: sign-in first, then 403 for anyone else.
agent_required = _role_required(is_agent)
manager_required = _role_required(is_manager)
admin_required = _role_required(is_admin)
