"""Canned responses: a safe renderer that fills only whitelisted placeholders, never attribute look-ups."""

import re

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+)\}")


def _name(user, part):
    return getattr(user, part, "") if user is not None else ""


# placeholder -> fn(ticket, agent) -> text; nothing else is ever looked up
PLACEHOLDERS = {
    "ticket.number": lambda ticket, agent: ticket.number,
    "ticket.title": lambda ticket, agent: ticket.title,
    "requester.first_name": lambda ticket, agent: _name(ticket.requester, "first_name"),
    "requester.last_name": lambda ticket, agent: _name(ticket.requester, "last_name"),
    "agent.first_name": lambda ticket, agent: _name(agent, "first_name"),
    "agent.last_name": lambda ticket, agent: _name(agent, "last_name"),
    "team.name": lambda ticket, agent: ticket.team.name if ticket.team_id else "",
}


def unknown_placeholders(body):
    """Sorted placeholder names in `body` that the renderer does not know."""
    return sorted({m.group(1) for m in PLACEHOLDER.finditer(body or "") if m.group(1) not in PLACEHOLDERS})


def render(body, ticket, agent):
    """`body` with known placeholders filled for this ticket and agent; unknown ones are left as written."""
    def fill(match):
        fn = PLACEHOLDERS.get(match.group(1))
        return match.group(0) if fn is None else str(fn(ticket, agent) or "")

    return PLACEHOLDER.sub(fill, body or "")
