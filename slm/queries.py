"""Reusable SLA read queries, used by the incident queue (filters), the API and the ticket page."""

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from core import permissions

from .models import SLATimer, SLATimerEvent


def filter_breached(queryset, value):
    """Tickets with (value=True) or without (False) a breached SLA timer (cancelled timers do not count)."""
    if value is None:
        return queryset
    breached = Exists(SLATimer.objects.filter(ticket_id=OuterRef("pk"), breached_at__isnull=False)
                      .exclude(state=SLATimer.State.CANCELLED))
    return queryset.filter(breached) if value else queryset.exclude(breached)


def filter_due_within(queryset, seconds):
    """Tickets with a running SLA timer due within `seconds` from now (or already overdue)."""
    horizon = timezone.now() + timezone.timedelta(seconds=int(seconds))
    return queryset.filter(Exists(SLATimer.objects.filter(ticket_id=OuterRef("pk"), state=SLATimer.State.RUNNING,
                                                          due_at__lte=horizon)))


def timer_queryset():
    return SLATimer.objects.select_related("target__calendar", "target__agreement").prefetch_related(
        Prefetch("events", queryset=SLATimerEvent.objects.select_related("audit_entry__actor")))


def timers_for(ticket_ids):
    """{ticket_id: [timers with target, calendar and events]} in two queries, for bulk display."""
    result = {}
    for timer in timer_queryset().filter(ticket_id__in=list(ticket_ids)).order_by("ticket_id", "metric"):
        result.setdefault(timer.ticket_id, []).append(timer)
    return result


def visible_timers(user):
    from core.models import Ticket

    return timer_queryset().filter(ticket__in=permissions.visible_tickets(user, Ticket.objects.all()))


def status_of(timer):
    """running / paused / met / breached / cancelled, as the ticket page and the API show it."""
    if timer.state == SLATimer.State.CANCELLED:
        return "cancelled"
    if timer.state == SLATimer.State.STOPPED:
        return "met" if timer.met else "breached"
    if timer.breached_at is not None:
        return "breached"
    return timer.state


def warning_levels(ticket_ids):
    """{ticket_id: highest warning percent of its running timers} in one query (for the SLA badge colour)."""
    from django.db.models import Max

    rows = (SLATimer.objects.filter(ticket_id__in=list(ticket_ids), state=SLATimer.State.RUNNING,
                                    warned_percent__gt=0)
            .values("ticket_id").annotate(level=Max("warned_percent")).order_by())
    return {row["ticket_id"]: row["level"] for row in rows}
