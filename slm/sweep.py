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
        flags = [(timer, trigger, old_warned) for timer in timers
                 for trigger, old_warned in check(timer, now)]
        write_flags(timers, flags, now)
        if flags:
            rules = list(EscalationRule.objects.filter(active=True).select_related(
                "notify_user", "notify_team__manager", "reassign_team"))
            queue_emails([notification(timer, trigger, old_warned, rules) for timer, trigger, old_warned in flags],
                         event=NotificationEvent.SLA_WARNING)
    return len(ids)


def check(timer, now):
    """Flag in memory what this timer crossed by `now` and recompute its next check (the row is locked);
    returns [(trigger, warned percent before)]."""
    old_warned = timer.warned_percent
    reached = [p for p in clock.warning_thresholds(timer.target) if p <= clock.percent(timer, now)]
    new_warned = max(reached, default=old_warned)
    flags = []
    if new_warned > old_warned:
        timer.warned_percent = new_warned
        flags.append((WARNING, old_warned))
    if (timer.state == clock.RUNNING and timer.due_at is not None and timer.due_at <= now
            and timer.breached_at is None):
        timer.breached_at = timer.counted_at = timer.due_at
        flags.append((BREACH, old_warned))
    clock.schedule(timer)
    return flags


def write_flags(timers, flags, now):
    """The batch's writes, as sets: flags (conditional), next checks, audit entries, timer events."""
    warned = defaultdict(list)
    breached = []
    for timer, trigger, _old in flags:
        if trigger == BREACH:
            breached.append(timer.pk)
        else:
            warned[timer.warned_percent].append(timer.pk)
    for percent, pks in warned.items():
        SLATimer.objects.filter(pk__in=pks, warned_percent__lt=percent).update(warned_percent=percent)
    if breached:
        SLATimer.objects.filter(pk__in=breached, breached_at__isnull=True).update(
            breached_at=F("due_at"), counted_at=F("due_at"))
    set_next_checks(timers)
    if not flags:
        return
    entries = AuditEntry.objects.bulk_create([
        AuditEntry(ticket_id=timer.ticket_id, action=AuditAction.SLA_BREACHED if trigger == BREACH else AuditAction.SLA,
                   changes={"sla_breach" if trigger == BREACH else "sla_warning": flag_data(timer, trigger)},
                   request_id=request_id.get())
        for timer, trigger, _old in flags])
    SLATimerEvent.objects.bulk_create([
        SLATimerEvent(timer=timer, kind=SLATimerEvent.Kind.BREACHED if trigger == BREACH else SLATimerEvent.Kind.WARNED,
                      at=timer.breached_at if trigger == BREACH else now, audit_entry=entry,
                      data={"percent": flag_data(timer, trigger)["percent"], "flagged_at": now.isoformat()})
        for (timer, trigger, _old), entry in zip(flags, entries)])


def set_next_checks(timers):
    """Store each timer's next_check_at: one UPDATE for those with nothing left to flag, one UPDATE ... FROM
    (VALUES ...) for the others (bulk_update's CASE per row costs about a millisecond of Python per timer)."""
    done = [t.pk for t in timers if t.next_check_at is None]
    pending = [t for t in timers if t.next_check_at is not None]
    if done:
        SLATimer.objects.filter(pk__in=done).update(next_check_at=None)
    if pending:
        ops = connection.ops
        cast = "::timestamptz" if connection.vendor == "postgresql" else ""
        table = ops.quote_name(SLATimer._meta.db_table)
        values = ", ".join([f"(%s, %s{cast})"] * len(pending))
        params = [p for t in pending for p in (t.pk, ops.adapt_datetimefield_value(t.next_check_at))]
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET next_check_at = v.column2 FROM (VALUES {values}) AS v "
                           f"WHERE {table}.id = v.column1", params)


def flag_data(timer, trigger):
    return {"timer": timer.pk, "metric": timer.metric, "target": timer.target.name,
            "percent": 100 if trigger == BREACH else timer.warned_percent}


def notification(timer, trigger, old_warned, rules):
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
    body = f"{ticket.number} {ticket.title}\n{subject}"
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
