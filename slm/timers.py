"""Live SLA timer sync: registered with core.hooks.on_ticket_written, runs inside the writing transaction."""

from django.utils import timezone

from core.models import AuditEntry

from . import clock, matching
from .models import SLATimer, SLATimerEvent

SAVED_FIELDS = ["target", "state", "elapsed_seconds", "elapsed_at", "due_at", "next_check_at", "warned_percent",
                "breached_at", "stopped_at", "met"]


def snapshot_of(ticket):
    conditions = matching.ticket_conditions(ticket)
    return {"id": ticket.pk, "kind": conditions["kind"], "state": ticket.state,
            "priority": conditions["priority"], "service_id": conditions["service_id"],
            "organization_id": conditions["organization_id"], "category_id": conditions["category_id"],
            "first_response_at": ticket.first_response_at}


def live_match(snapshot, at):
    return matching.match(snapshot, timezone.localdate(at, timezone.get_default_timezone()))


def persist(touched, audit_entry):
    """Save the timers sync_ticket changed and write their events, linked to the audit entry that caused them."""
    events = []
    for timer, timer_events in touched:
        if timer.pk is None:
            timer.save()
        else:
            timer.save(update_fields=SAVED_FIELDS)
        events += [SLATimerEvent(timer=timer, kind=kind, at=at, data=data, audit_entry=audit_entry)
                   for kind, at, data in timer_events]
    SLATimerEvent.objects.bulk_create(events)


def on_ticket_written(ticket, changes, actor, action):
    """Start, pause, resume, stop and re-target the ticket's timers after a write."""
    changed = set(changes)
    if action == "created":
        changed.add("created")
    if not changed & (clock.RELEVANT_FIELDS | {"created"}):
        return
    audit_entry = AuditEntry.objects.filter(ticket_id=ticket.pk).order_by("-id").first()
    at = audit_entry.created_at if audit_entry else timezone.now()
    timers = {t.metric: t for t in SLATimer.objects.filter(ticket_id=ticket.pk).select_related("target__calendar")}
    if "created" not in changed and not timers and not changed & clock.MATCH_FIELDS:
        return
    if "created" in changed or changed & clock.MATCH_FIELDS:
        ticket = ticket.specific
    touched = clock.sync_ticket(timers, snapshot_of(ticket), changed, at, live_match)
    persist(touched, audit_entry)
