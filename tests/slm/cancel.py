"""Cancelling a ticket in tests, whatever fields the workflow's cancel transition asks for."""

from core import hooks
from core import services as core_services

CANCELLED = "cancelled"


def cancel(ticket, actor, reason="Logged in error"):
    """Move the ticket to `cancelled`, passing a cancel_reason only if the transition declares one."""
    transition = hooks.ticket_kinds[ticket.kind].workflow.get(ticket.state, CANCELLED)
    assert transition is not None, f"{ticket.kind} cannot be cancelled from {ticket.state}"
    data = {"cancel_reason": reason} if "cancel_reason" in (*transition.required, *transition.optional) else {}
    return core_services.transition_ticket(ticket, actor, CANCELLED, data)
