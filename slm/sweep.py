"""The SLA sweep: flag warnings and breaches whose instant has passed, exactly once, then notify and escalate.

It selects on SLATimer.next_check_at (a partial index on non-null values), oldest due first, in bounded
batches locked with SKIP LOCKED, so its cost grows with the timers due, not with the timers that exist.
Each flag is also a conditional UPDATE (warned_percent < X, breached_at IS NULL): even two sweeps that
saw the same row could not flag it twice.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import notifications
from core import services as core_services
from core.models import AuditAction

from . import clock
from .models import EscalationRule, SLATimer, SLATimerEvent
from .services import audit_sla

log = logging.getLogger(__name__)
BATCH_SIZE = 500


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
        timers = (SLATimer.objects.filter(id__in=ids).order_by("id")
                  .select_related("target__calendar", "ticket__team__manager", "ticket__assignee"))
        rules = list(EscalationRule.objects.filter(active=True).select_related(
            "notify_user", "notify_team__manager", "reassign_team"))
        for timer in timers:
            check(timer, now, rules)
    return len(ids)


def check(timer, now, rules):
    """Flag what this timer crossed by `now`; recompute its next check."""
    old_warned = timer.warned_percent
    reached = [p for p in clock.warning_thresholds(timer.target) if p <= clock.percent(timer, now)]
    new_warned = max(reached, default=old_warned)
    flags = []
    if new_warned > old_warned and SLATimer.objects.filter(
            pk=timer.pk, warned_percent__lt=new_warned).update(warned_percent=new_warned):
        timer.warned_percent = new_warned
        flags.append(EscalationRule.Trigger.WARNING)
    if (timer.state == clock.RUNNING and timer.due_at is not None and timer.due_at <= now
            and SLATimer.objects.filter(pk=timer.pk, breached_at__isnull=True).update(breached_at=timer.due_at)):
        timer.breached_at = timer.due_at
        flags.append(EscalationRule.Trigger.BREACH)
    clock.schedule(timer)
    SLATimer.objects.filter(pk=timer.pk).update(next_check_at=timer.next_check_at)
    for trigger in flags:
        flag(timer, trigger, old_warned, now, rules)


def flag(timer, trigger, old_warned, now, rules):
    ticket = timer.ticket
    breach = trigger == EscalationRule.Trigger.BREACH
    data = {"timer": timer.pk, "metric": timer.metric, "target": timer.target.name,
            "percent": 100 if breach else timer.warned_percent}
    entry = audit_sla(ticket.pk, AuditAction.SLA_BREACHED if breach else AuditAction.SLA,
                      {"sla_breach" if breach else "sla_warning": data})
    SLATimerEvent.objects.create(timer=timer, kind=SLATimerEvent.Kind.BREACHED if breach else SLATimerEvent.Kind.WARNED,
                                 at=timer.breached_at if breach else now, audit_entry=entry,
                                 data={"percent": data["percent"], "flagged_at": now.isoformat()})
    if breach:
        subject = _("%(number)s: the %(metric)s target “%(target)s” is breached") % {
            "number": ticket.number, "metric": timer.get_metric_display(), "target": timer.target.name}
    else:
        subject = _("%(number)s: %(percent)s%% of the %(metric)s target “%(target)s” has elapsed") % {
            "number": ticket.number, "percent": timer.warned_percent, "metric": timer.get_metric_display(),
            "target": timer.target.name}
    body = f"{ticket.number} {ticket.title}\n{subject}"
    recipients = [getattr(ticket.assignee, "email", ""), getattr(getattr(ticket.team, "manager", None), "email", "")]
    for rule in rules:
        if applies(rule, timer, trigger, old_warned):
            recipients += escalate(rule, ticket)
    notifications.queue_email(recipients, subject, body, ticket=ticket)


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
    for _ in range(max_batches):
        count = sweep(now, batch_size)
        total += count
        if count < batch_size:
            break
    return total
