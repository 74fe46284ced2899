"""Live SLA timer sync: registered with core.hooks.on_ticket_written, runs inside the writing transaction."""

from django.db.models import Case, DateTimeField, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from core import hooks
from core.models import AuditEntry

from . import clock, matching
from .models import SLATimer, SLATimerEvent

SAVED_FIELDS = ["target", "state", "elapsed_seconds", "elapsed_at", "due_at", "next_check_at", "warned_percent",
                "breached_at", "stopped_at", "met", "calendar_version", *SLATimer.COPIED_FIELDS]
# Ticket field -> the timer's copy of it (read by the reports).
COPIES = {"kind": "ticket_kind", "service": "ticket_service_id", "team": "ticket_team_id",
          "organization": "ticket_organization_id", "priority": "ticket_priority"}
REACHED = {"first_response_at", "resolved_at"}


def snapshot_of(ticket):
    conditions = matching.ticket_conditions(ticket)
    return {"id": ticket.pk, "kind": conditions["kind"], "state": ticket.state,
            "priority": conditions["priority"], "service_id": conditions["service_id"],
            "organization_id": conditions["organization_id"], "category_id": conditions["category_id"],
            "first_response_at": ticket.first_response_at}


def live_match(snapshot, at):
    return matching.match(snapshot, timezone.localdate(at, timezone.get_default_timezone()))


def refresh_copies(ticket, fields, exclude=()):
    """One UPDATE giving all the ticket's timers (but `exclude`) the new values of the changed ticket fields."""
    values = {COPIES[name]: getattr(ticket, COPIES[name].removeprefix("ticket_"))
              for name in fields if name in COPIES}
    if fields & REACHED:
        values["ticket_reached_at"] = Case(  # typed: PostgreSQL reads a bare NULL parameter as text
            When(state=SLATimer.State.CANCELLED, then=Cast(Value(None), DateTimeField())),
            When(metric="response", then=Cast(Value(ticket.first_response_at), DateTimeField())),
            default=Cast(Value(ticket.resolved_at), DateTimeField()))
    if values:
        SLATimer.objects.filter(ticket_id=ticket.pk).exclude(pk__in=exclude).update(**values)


def persist(touched, audit_entry):
    """Save the timers sync_ticket changed and write their events, linked to the audit entry that caused them."""
    events = []
    new = [timer for timer, _events in touched if timer.pk is None]
    for timer in new:
        timer.set_counted()  # as save() would (copy_ticket has run)
    SLATimer.objects.bulk_create(new)
    inserted = {id(timer) for timer in new}
    for timer, timer_events in touched:
        if id(timer) not in inserted:
            timer.save(update_fields=SAVED_FIELDS)
        events += [SLATimerEvent(timer=timer, kind=kind, at=at, data=data, audit_entry=audit_entry)
                   for kind, at, data in timer_events]
    SLATimerEvent.objects.bulk_create(events)


def on_ticket_written(ticket, changes, actor, action):
    """Start, pause, resume, stop and re-target the ticket's timers after a write."""
    if not hooks.ticket_kinds[ticket.kind].sla_timed:
        return
    changed = set(changes)
    if action == "created":
        changed.add("created")
    copied = changed & (set(COPIES) | REACHED) if "created" not in changed else set()
    if not changed & (clock.RELEVANT_FIELDS | {"created"}):
        refresh_copies(ticket, copied)
        return
    audit_entry = getattr(ticket, "latest_audit_entry", None)  # the entry of this write (core.services._audit)
    if audit_entry is None or audit_entry.ticket_id != ticket.pk:
        audit_entry = AuditEntry.objects.filter(ticket_id=ticket.pk).order_by("-id").first()
    at = audit_entry.created_at if audit_entry else timezone.now()
    created = "created" in changed
    # Locked so a concurrent sweep's warning or breach flag is read here, never overwritten by the save below.
    # A ticket being created has none yet.
    timers = {} if created else {
        t.metric: t for t in SLATimer.objects.filter(ticket_id=ticket.pk).select_related("target__calendar")
        .select_for_update(of=("self",))}
    if not created and not timers and not changed & clock.MATCH_FIELDS:
        return
    if created or changed & clock.MATCH_FIELDS:
        ticket = ticket.specific
    touched = clock.sync_ticket(timers, snapshot_of(ticket), changed, at, live_match)
    for timer, _events in touched:
        timer.copy_ticket(ticket)
    persist(touched, audit_entry)
    if created:  # every timer is new: the earliest due instant is known without reading them back
        due = min((timer.due_at for timer, _events in touched
                   if timer.state == SLATimer.State.RUNNING and timer.due_at is not None), default=None)
        if due is not None:
            from .services import set_ticket_due

            set_ticket_due(ticket, due)
        return
    refresh_copies(ticket, copied, exclude=[timer.pk for timer, _events in touched])
    if touched:
        from .services import refresh_ticket_due

        refresh_ticket_due([ticket.pk])
