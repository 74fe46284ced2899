"""The SLA sweep: flag warnings and breaches whose instant has passed, exactly once, then notify and escalate.

It selects on SLATimer.next_check_at (a partial index on non-null values), oldest due first, in bounded
batches locked with SKIP LOCKED, so its cost grows with the timers due, not with the timers that exist.
A batch is handled as a set: the new flags are computed in Python, then written with a few statements
whatever the batch size: one conditional UPDATE per flag kind (warned_percent < X, breached_at IS NULL: even
two sweeps that saw the same row could not flag it twice), one bulk UPDATE of next_check_at, and bulk
inserts of the audit entries, the timer events and the outbox rows. Escalation rules that change a ticket
go through core.services.update_ticket, one ticket at a time (they are rare).
"""

import logging
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core import services as core_services
from core.context import request_id
from core.models import AuditAction, AuditEntry, NotificationEvent
from core.notifications import queue_emails

from . import clock
from .models import EscalationRule, SLATimer, SLATimerEvent

log = logging.getLogger(__name__)
BATCH_SIZE = 500
WARNING, BREACH = EscalationRule.Trigger.WARNING, EscalationRule.Trigger.BREACH


def due_timer_ids(now, batch_size):
    return list(SLATimer.objects.select_for_update(skip_locked=True).filter(next_check_at__lte=now)
                .order_by("next_check_at", "id").values_list("id", flat=True)[:batch_size])


def sweep(now=None, batch_size=BATCH_SIZE):
    """Process one batch in one transaction; returns how many timers were due in it."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = due_timer_ids(now, batch_size)
        if not ids:
            return 0
        timers = list(SLATimer.objects.filter(id__in=ids).order_by("id")
                      .select_related("target__calendar", "ticket__team__manager", "ticket__assignee"))
        flags = [(timer, trigger, old_warned, reached) for timer in timers
                 for trigger, old_warned, reached in check(timer, now)]
        write_flags(timers, flags, now)
        if flags:
            rules = list(EscalationRule.objects.filter(active=True).select_related(
                "notify_user", "notify_team__manager", "reassign_team"))
            queue_emails([notification(timer, trigger, old_warned, reached, rules)
                          for timer, trigger, old_warned, reached in flags], event=NotificationEvent.SLA_WARNING)
    return len(ids)


def is_stale(timer):
    """True when the timer's calendar changed after its due was computed (a recompute may be queued)."""
    calendar = timer.target.calendar
    return timer.calendar_version != (calendar.version if calendar is not None else None)


def check(timer, now):
    """Flag in memory what this timer crossed by `now` and recompute its next check (the row is locked);
    returns [(trigger, warned percent before, [(percent, instant reached)])]: one warning flag for all the
    thresholds passed since the last sweep, each with the instant it was reached."""
    if is_stale(timer):
        clock.schedule(timer)  # never judge a breach against a due computed with an older calendar
    old_warned = timer.warned_percent
    percent_now = clock.percent(timer, now)
    passed = [p for p in clock.warning_thresholds(timer.target) if old_warned < p <= percent_now]
    flags = []
    if passed:
        reached = [(p, clock.threshold_instant(timer, p) if timer.state == clock.RUNNING else now) for p in passed]
        timer.warned_percent = passed[-1]
        flags.append((WARNING, old_warned, reached))
    if (timer.state == clock.RUNNING and timer.due_at is not None and timer.due_at <= now
            and timer.breached_at is None):
        timer.breached_at = timer.counted_at = timer.due_at
        flags.append((BREACH, old_warned, [(100, timer.due_at)]))
    clock.schedule(timer)
    return flags


def write_flags(timers, flags, now):
    """The batch's writes, as sets: flags (conditional), next checks, audit entries, timer events."""
    # Schedules first: a stale timer's due was re-derived in check(), and the breach below reads due_at.
    set_next_checks(timers)
    warned = defaultdict(list)
    breached = []
    for timer, trigger, _old, _reached in flags:
        if trigger == BREACH:
            breached.append(timer.pk)
        else:
            warned[timer.warned_percent].append(timer.pk)
    for percent, pks in warned.items():
        SLATimer.objects.filter(pk__in=pks, warned_percent__lt=percent).update(warned_percent=percent)
    if breached:
        SLATimer.objects.filter(pk__in=breached, breached_at__isnull=True).update(
            breached_at=F("due_at"), counted_at=F("due_at"))
    if not flags:
        return
    entries = AuditEntry.objects.bulk_create([
        AuditEntry(ticket_id=timer.ticket_id, action=AuditAction.SLA_BREACHED if trigger == BREACH else AuditAction.SLA,
                   changes={"sla_breach" if trigger == BREACH else "sla_warning": flag_data(timer, trigger, reached)},
                   request_id=request_id.get())
        for timer, trigger, _old, reached in flags])
    # One event per threshold passed, at the instant it was reached (the breach: its due instant).
    SLATimerEvent.objects.bulk_create([
        SLATimerEvent(timer=timer, kind=SLATimerEvent.Kind.BREACHED if trigger == BREACH else SLATimerEvent.Kind.WARNED,
                      at=at, audit_entry=entry, data={"percent": percent, "flagged_at": now.isoformat()})
        for (timer, trigger, _old, reached), entry in zip(flags, entries) for percent, at in reached])


def set_next_checks(timers):
    """Store each timer's next_check_at, due_at and calendar_version in one UPDATE ... FROM (VALUES ...)
    (bulk_update's CASE per row costs about a millisecond of Python per timer)."""
    write_schedules(timers)


def write_schedules(timers):
    """One UPDATE ... FROM (VALUES ...) of next_check_at, due_at and calendar_version for these timers."""
    if not timers:
        return
    ops = connection.ops
    postgres = connection.vendor == "postgresql"
    stamp, number = ("::timestamptz", "::integer") if postgres else ("", "")
    table = ops.quote_name(SLATimer._meta.db_table)
    row = f"(%s, %s{stamp}, %s{stamp}, %s{number})"
    params = [p for t in timers for p in (t.pk, ops.adapt_datetimefield_value(t.next_check_at),
                                         ops.adapt_datetimefield_value(t.due_at), t.calendar_version)]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET next_check_at = v.column2, due_at = v.column3, "
                       f"calendar_version = v.column4 FROM (VALUES {', '.join([row] * len(timers))}) AS v "
                       f"WHERE {table}.id = v.column1", params)


def flag_data(timer, trigger, reached=()):
    data = {"timer": timer.pk, "metric": timer.metric, "target": timer.target.name,
            "percent": 100 if trigger == BREACH else timer.warned_percent}
    if trigger == WARNING:
        data["thresholds"] = [{"percent": p, "at": at.isoformat()} for p, at in reached]
    return data


def notification(timer, trigger, old_warned, reached, rules):
    """(recipients, subject, body, ticket id) of one flag, after carrying out the escalation rules it meets
    (no text is rendered when nobody is to be told)."""
    ticket = timer.ticket
    recipients = [getattr(ticket.assignee, "email", ""), getattr(getattr(ticket.team, "manager", None), "email", "")]
    for rule in rules:
        if applies(rule, timer, trigger, old_warned):
            recipients += escalate(rule, ticket)
    if not any(r and r.strip() for r in recipients):
        return [], "", "", ticket.pk
    if trigger == BREACH:
        subject = _("%(number)s: the %(metric)s target “%(target)s” is breached") % {
            "number": ticket.number, "metric": timer.get_metric_display(), "target": timer.target.name}
    else:
        subject = _("%(number)s: %(percent)s%% of the %(metric)s target “%(target)s” has elapsed") % {
            "number": ticket.number, "percent": timer.warned_percent, "metric": timer.get_metric_display(),
            "target": timer.target.name}
    lines = [_("%(percent)s%% reached at %(at)s") % {"percent": p, "at": timezone.localtime(at).strftime(
        "%Y-%m-%d %H:%M")} for p, at in reached] if trigger == WARNING else []
    body = "\n".join([f"{ticket.number} {ticket.title}", subject, *lines])
    return recipients, subject, body, ticket.pk


def applies(rule, timer, trigger, old_warned):
    if rule.trigger != trigger:
        return False
    if rule.target_id is not None and rule.target_id != timer.target_id:
        return False
    if rule.target_id is None and rule.priority is not None and rule.priority != timer.ticket.priority:
        return False
    if trigger == EscalationRule.Trigger.WARNING and rule.percent is not None:
        return old_warned < rule.percent <= timer.warned_percent
    return True


def escalate(rule, ticket):
    """Carry out a rule; returns the addresses it wants notified."""
    if rule.action == EscalationRule.Action.NOTIFY:
        team = rule.notify_team
        return [getattr(rule.notify_user, "email", ""), getattr(team, "email", ""),
                getattr(getattr(team, "manager", None), "email", "")]
    data = {}
    if rule.action == EscalationRule.Action.REASSIGN and rule.reassign_team_id and \
            rule.reassign_team_id != ticket.team_id:
        data = {"team": rule.reassign_team, "assignee": None}
    elif rule.action == EscalationRule.Action.RAISE_PRIORITY and rule.raise_to_priority and \
            rule.raise_to_priority < ticket.priority:
        data = {"priority": rule.raise_to_priority}
    if data:
        try:
            with transaction.atomic():
                core_services.update_ticket(ticket.specific, None, data)
        except ValidationError:
            log.warning("escalation rule %s could not change ticket %s", rule.pk, ticket.pk, exc_info=True)
    return [getattr(getattr(rule.reassign_team, "manager", None), "email", "")] if "team" in data else []


def sweep_all(now=None, batch_size=BATCH_SIZE, max_batches=20):
    """Run batches until one comes back short (bounded); returns the number processed."""
    total = 0
    for _batch in range(max_batches):
        count = sweep(now, batch_size)
        total += count
        if count < batch_size:
            break
    return total
