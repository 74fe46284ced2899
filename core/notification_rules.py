"""Who is told what when a ticket is written; registered with core.hooks.on_ticket_written in CoreConfig.ready,
so it runs inside the writing transaction.

- assignment: the new assignee, and the new team's members (in-app; the e-mail goes to the team's own address
  when it has one, else to each member);
- a public reply by the requester's side: the assignee; a public reply by the service desk: the requester;
- resolution and closure: the requester;
- public replies and state changes: the watchers. Work notes tell nobody.
A kind hidden from requesters (changes, problems) tells only staff: never its requester, nor a watcher who is not
staff.
The actor is never told of their own change (core.notifications.send).
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _, gettext_noop

from . import hooks, notifications, permissions
from .models import AuditAction, Comment, NotificationEvent as Event, Team, TicketWatcher


def site_url():
    return settings.SITE_URL.rstrip("/")


def ticket_link(ticket):
    from .ui import ticket_url

    path = ticket_url(ticket)
    return f"{site_url()}{path}" if path else site_url()


def _state_label(ticket):
    kind = hooks.ticket_kinds.get(ticket.kind)
    return str(kind.workflow.label(ticket.state)) if kind else ticket.state


def _message(ticket, text, detail=""):
    """(text, subject, body) of one notice: `text` is the in-app line and the e-mail subject."""
    subject = f"[{ticket.number}] {text}"
    parts = [text, f"{ticket.number} {ticket.title}"]
    if detail:
        parts.append(detail)
    parts.append(_("Open the ticket: %(url)s") % {"url": ticket_link(ticket)})
    return text, subject, "\n\n".join(parts)


def on_ticket_written(ticket, changes, actor, action):
    """The hook: build the notices of this change and send them."""
    notices, team_mail = [], None
    comment = None
    if action == AuditAction.COMMENTED and changes.get("comment"):
        comment = Comment.objects.filter(pk=changes["comment"], is_internal=False).first()
    state_changed = "state" in changes and action != AuditAction.CREATED
    assigned = {name: changes[name][1] for name in ("assignee", "team")
                if isinstance(changes.get(name), list) and changes[name][1]}
    if not (comment or state_changed or assigned):
        return
    team_ids = [assigned["team"]] if "team" in assigned else []
    team = Team.objects.filter(pk__in=team_ids).first() if team_ids else None
    member_ids = list(team.members.values_list("pk", flat=True)) if team else []
    watcher_ids = (list(TicketWatcher.objects.filter(ticket_id=ticket.pk).values_list("user_id", flat=True))
                   if comment or state_changed else [])
    users = notifications.users_by_id([ticket.requester_id, ticket.assignee_id, *member_ids, *watcher_ids])

    if "assignee" in assigned:
        notices.append(notifications.Notice(users.get(assigned["assignee"]), Event.ASSIGNED, ticket,
                                            lambda user: _message(ticket, _("%(number)s is assigned to you")
                                                                  % {"number": ticket.number})))
    if team is not None:
        def team_text(user, team=team):
            return _message(ticket, _("%(number)s is assigned to your team %(team)s")
                            % {"number": ticket.number, "team": team.name})
        notices += [notifications.Notice(users.get(pk), Event.ASSIGNED, ticket, team_text, email=not team.email)
                    for pk in member_ids]
        if team.email and not (actor is not None and actor.email == team.email):
            with translation.override(settings.LANGUAGE_CODE):
                team_mail = team_text(None)
    if comment is not None:
        notices += _reply_notices(ticket, comment, actor, users)
    if state_changed:
        notices += _state_notices(ticket, changes, users)
    notices += _watcher_notices(ticket, comment, state_changed, watcher_ids, users)
    notifications.send(notices, actor)
    if team_mail:
        _text, subject, body = team_mail
        notifications.queue_email([team.email], subject, body, ticket)


def _requester(ticket, users):
    """The ticket's requester, to be told of it; None on a kind hidden from requesters unless they are staff
    (a requester never hears of a change or a problem, even one naming them)."""
    requester = users.get(ticket.requester_id)
    if requester is not None and ticket.kind in hooks.requester_hidden_kinds() and not permissions.is_agent(
            requester):
        return None
    return requester


def _reply_notices(ticket, comment, actor, users):
    staff_side = actor is None or (permissions.is_agent(actor) and actor.pk != ticket.requester_id)
    detail = comment.body
    if staff_side:
        return [notifications.Notice(_requester(ticket, users), Event.PUBLIC_REPLY, ticket,
                                     lambda user: _message(ticket, _("%(number)s: new reply on your request")
                                                           % {"number": ticket.number}, detail))]
    return [notifications.Notice(users.get(ticket.assignee_id), Event.REQUESTER_REPLIED, ticket,
                                 lambda user: _message(ticket, _("%(number)s: the requester replied")
                                                       % {"number": ticket.number}, detail))]


def _state_notices(ticket, changes, users):
    if isinstance(changes.get("closed_at"), list) and changes["closed_at"][1]:
        text = gettext_noop("%(number)s is closed")
    elif isinstance(changes.get("resolved_at"), list) and changes["resolved_at"][1]:
        text = gettext_noop("%(number)s is resolved")
    else:
        return []
    return [notifications.Notice(_requester(ticket, users), Event.RESOLVED, ticket,
                                 lambda user: _message(ticket, _(text) % {"number": ticket.number}))]


def _watcher_notices(ticket, comment, state_changed, watcher_ids, users):
    if not watcher_ids:
        return []

    def render(user):
        if comment is not None:
            return _message(ticket, _("%(number)s: new reply") % {"number": ticket.number}, comment.body)
        return _message(ticket, _("%(number)s is now %(state)s")
                        % {"number": ticket.number, "state": _state_label(ticket)})

    watchers = [users[pk] for pk in watcher_ids if pk in users]
    # A requester keeps hearing of a watched ticket only while they may still see it.
    seeing = permissions.requesters_who_see(ticket, [u for u in watchers if not permissions.is_agent(u)])
    return [notifications.Notice(user, Event.WATCHED_UPDATED, ticket, render) for user in watchers
            if permissions.is_agent(user) or user.pk in seeing]
