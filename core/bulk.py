"""Bulk actions on selected tickets of any kind: each ticket goes through the normal services on its own.

`bulk_apply` checks the input once (ValidationError -> HTTP 400), then takes every ticket one at a time, in its
own transaction, with the same permission and workflow checks as a single change; a refused ticket is
reported with its reason and never blocks the others.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import assignment, hooks, permissions, services
from .converters import MAX_ID, parse_id
from .models import Team, Ticket
from .workflow import TransitionError

ASSIGN, TRANSITION, NOTE = "assign", "transition", "note"
ACTIONS = {ASSIGN: gettext_lazy("Assign"), TRANSITION: gettext_lazy("Change state"),
           NOTE: gettext_lazy("Add a work note")}
MAX_TICKETS = 200


class Refused(Exception):
    """A ticket the action cannot apply to; the message is the reason shown to the user."""


def transition_field_names():
    """Every field any registered kind's transitions may ask for (resolution code, on-hold reason, ...)."""
    names = set()
    for kind in hooks.ticket_kinds.values():
        for moves in kind.workflow.transitions.values():
            for move in moves.values():
                names.update(move.required)
                names.update(move.optional)
    return sorted(names)


def _ids(ticket_ids):
    try:
        ids = sorted({int(i) for i in ticket_ids})
    except (TypeError, ValueError):
        raise ValidationError({"ids": _("Ticket ids must be whole numbers.")})
    if not ids:
        raise ValidationError({"ids": _("Select at least one ticket.")})
    if ids[0] < 1 or ids[-1] > MAX_ID:
        raise ValidationError({"ids": _("Ticket ids must be whole numbers.")})
    if len(ids) > MAX_TICKETS:
        raise ValidationError({"ids": _("Select at most %(max)d tickets at a time.") % {"max": MAX_TICKETS}})
    return ids


def _user(value, actor):
    if value in (None, ""):
        return None
    if value == "me":
        return actor
    pk = parse_id(value)
    user = get_user_model().objects.filter(pk=pk, is_active=True).first() if pk else None
    if user is None:
        raise ValidationError({"assignee": _("Choose an active user, or “me”.")})
    return user


def _team(value):
    if value in (None, ""):
        return None
    pk = parse_id(value)
    team = Team.objects.filter(pk=pk).first() if pk else None
    if team is None:
        raise ValidationError({"team": _("Choose an existing team.")})
    return team


def clean(actor, action, data):
    """The action's parameters, checked once for all tickets; raises ValidationError with field messages."""
    data = data or {}
    if action not in ACTIONS:
        raise ValidationError({"action": _("Choose assign, transition or note.")})
    if action == ASSIGN:
        team, assignee = _team(data.get("team")), _user(data.get("assignee"), actor)
        if team is None and assignee is None:
            raise ValidationError({"assignee": _("Choose a team, an assignee, or both.")})
        return {"team": team, "assignee": assignee}
    if action == TRANSITION:
        to = str(data.get("to") or "").strip()
        if not to:
            raise ValidationError({"to": _("Choose the state to move to.")})
        fields = data.get("fields") or {}
        if not isinstance(fields, dict):
            raise ValidationError({"fields": _("Give the transition's fields as names and values.")})
        return {"to": to, "fields": {k: v for k, v in fields.items() if v not in (None, "")},
                "comment": str(data.get("comment") or "").strip()}
    body = str(data.get("body") or data.get("note") or "").strip()
    if not body:
        raise ValidationError({"body": _("Write the work note.")})
    return {"body": body}


def _assign(ticket, actor, params):
    if not permissions.can_edit(actor, ticket):
        raise Refused(_("You may not change this ticket."))
    workflow = hooks.ticket_kinds[ticket.kind].workflow
    if ticket.state in workflow.closed_states:
        raise Refused(_("It is %(state)s and can no longer be reassigned.") % {"state": workflow.label(ticket.state)})
    team, assignee = params["team"], params["assignee"]
    if assignee is not None and team is None and ticket.team_id:
        team = assignment.team_for_assignee(ticket, assignee)
        if team is None:
            raise Refused(_("%(user)s is not a member of its team.") % {"user": assignee.get_username()})
    services.assign(ticket, actor, team=team, assignee=assignee)


def _transition(ticket, actor, params):
    """Through the kind's own transition service when it has one (e.g. resolving a major incident ends its
    outage), as the ticket page and the API do."""
    kind = hooks.ticket_kinds[ticket.kind]
    move = kind.workflow.get(ticket.state, params["to"])
    allowed = set(move.required) | set(move.optional) if move else set()
    fields = {k: v for k, v in params["fields"].items() if k in allowed}
    transition = kind.transition_service or services.transition_ticket
    transition(ticket, actor, params["to"], fields, comment=params["comment"], internal_comment=True)


def _note(ticket, actor, params):
    services.add_comment(ticket, actor, params["body"], internal=True)


HANDLERS = {ASSIGN: _assign, TRANSITION: _transition, NOTE: _note}


def _reason(exc):
    if isinstance(exc, TransitionError):
        return " ".join(str(m) for messages in exc.errors.values() for m in
                        (messages if isinstance(messages, (list, tuple)) else [messages]))
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, services.ConflictError):
        return _("Someone else changed it meanwhile.")
    return str(exc)


def bulk_apply(actor, ticket_ids, action, data=None):
    """Apply `action` to each ticket; {"done": [numbers], "refused": [{"number", "reason"}]}."""
    ids = _ids(ticket_ids)
    params = clean(actor, action, data)
    visible = dict(permissions.visible_tickets(actor, Ticket.objects.filter(pk__in=ids))
                   .values_list("pk", "kind"))
    handler = HANDLERS[action]
    result = {"done": [], "refused": []}
    for pk in ids:
        kind = hooks.ticket_kinds.get(visible.get(pk))
        ticket = kind.model.objects.filter(pk=pk).first() if kind else None
        if ticket is None:
            result["refused"].append({"number": f"#{pk}", "reason": _("No such ticket.")})
            continue
        try:
            with transaction.atomic():
                handler(ticket, actor, params)
        except (Refused, ValidationError, TransitionError, services.PermissionDeniedError,
                services.ConflictError) as exc:
            result["refused"].append({"number": ticket.number, "reason": _reason(exc) or _("Refused.")})
        else:
            result["done"].append(ticket.number)
    return result
