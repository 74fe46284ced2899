"""Replay: a ticket's timers recomputed purely from its audited history, the targets and the calendars.

Each audit entry that changed a field timers depend on is fed, at its instant, to the same rules the live
sync uses (slm.clock.sync_ticket). Breaches crossed by `now` are flagged at their due instant, and
warned_percent is the highest threshold reached by `now`: the sweep's notifications are not replayed.
"""

import datetime as dt

from django.utils import timezone

from core.models import AuditAction, AuditEntry

from . import clock
from .timers import live_match

SNAPSHOT_FIELDS = {"kind": "kind", "state": "state", "priority": "priority", "service": "service_id",
                   "organization": "organization_id", "category": "category_id",
                   "first_response_at": "first_response_at"}
COMPARED_FIELDS = ["target_id", "state", "started_at", "elapsed_seconds", "elapsed_at", "due_at", "breached_at",
                   "stopped_at", "met"]


def _parse(name, value):
    if name == "first_response_at" and isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    return value


def replay(ticket, now=None, entries=None):
    """{metric: unsaved SLATimer} as the ticket's history says they stand at `now`."""
    now = now or timezone.now()
    if entries is None:
        entries = AuditEntry.objects.filter(ticket_id=ticket.pk).order_by("created_at", "id")
    snapshot = {"id": ticket.pk, "kind": ticket.kind, "state": None, "priority": None, "service_id": None,
                "organization_id": None, "category_id": None, "first_response_at": None}
    timers = {}
    for entry in entries:
        if entry.created_at > now:
            break
        changes = entry.changes or {}
        changed = set(changes)
        for name, key in SNAPSHOT_FIELDS.items():
            if name in changes and isinstance(changes[name], list) and len(changes[name]) == 2:
                snapshot[key] = _parse(name, changes[name][1])
        if entry.action == AuditAction.CREATED:
            changed.add("created")
        if not changed & (clock.RELEVANT_FIELDS | {"created"}):
            continue
        clock.sync_ticket(timers, dict(snapshot), changed, entry.created_at, live_match)
    for timer in timers.values():
        finish(timer, now)
    return timers


def finish(timer, now):
    """Flag a breach crossed by `now` and set warned_percent to the highest threshold reached."""
    if timer.state == clock.RUNNING and timer.breached_at is None and timer.due_at and timer.due_at < now:
        timer.breached_at = timer.due_at
    reached = [p for p in clock.warning_thresholds(timer.target) if p <= clock.percent(timer, now)]
    timer.warned_percent = max(reached, default=0)
    clock.schedule(timer)


def differences(live, replayed):
    """{field: [live, replayed]} for the compared fields of two timers."""
    return {name: [getattr(live, name), getattr(replayed, name)] for name in COMPARED_FIELDS
            if getattr(live, name) != getattr(replayed, name)}
