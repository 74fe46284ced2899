"""Set-based repairs of stored timers, shared by data migrations and their tests."""

from core import hooks


def cancel_timers_of_cancelled_tickets(timer_model, ticket_model):
    """Cancel every timer of the tickets in a cancelled state: a few UPDATEs per ticket kind, no loop over
    rows. Their due and checks are cleared, they leave the reports (counted_at, ticket_reached_at), and the
    tickets' sla_due_at (earliest running due) becomes NULL, since none of their timers runs any more."""
    for kind, registry in hooks.ticket_kinds.items():
        states = sorted(getattr(registry.workflow, "cancelled_states", ()))
        if not states:
            continue
        tickets = ticket_model.objects.filter(kind=kind, state__in=states)
        timers = timer_model.objects.filter(ticket__in=tickets.values("pk")).exclude(state="cancelled")
        # Only a response met before the cancel keeps its outcome (for a reinstatement); the rest was the
        # cancel itself stopping the timer.
        timers.exclude(state="stopped", metric="response").update(met=None, stopped_at=None)
        timers.update(state="cancelled", due_at=None, next_check_at=None, counted_at=None, ticket_reached_at=None)
        tickets.filter(sla_due_at__isnull=False).update(sla_due_at=None)
