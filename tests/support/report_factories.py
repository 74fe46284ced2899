"""Report fixtures: agreements, targets and SLA timers with known outcomes, tickets with known timestamps."""

import datetime
from decimal import Decimal

from django.utils import timezone

from core.models import Ticket
from slm.models import Agreement, ServiceLevelTarget, SLATimer
from tests.support import factories

UTC = datetime.timezone.utc


def at(year, month, day, hour=0, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


def agreement(services=(), organization=None, availability_target=None, name="Gold SLA", **kw):
    kw.setdefault("valid_from", datetime.date(2020, 1, 1))
    kw.setdefault("status", Agreement.Status.AGREED)
    obj = Agreement.objects.create(name=name, organization=organization, kind=Agreement.Kind.SLA,
                                   availability_target=Decimal(availability_target) if availability_target else None,
                                   **kw)
    obj.services.set(services)
    return obj


def target(agreement, metric="resolution", name=None, target_seconds=4 * 3600, **kw):
    # A kind no ticket has, so the live timer sync never attaches these targets by itself.
    kw.setdefault("ticket_kind", "report-fixture")
    return ServiceLevelTarget.objects.create(agreement=agreement, metric=metric, target_seconds=target_seconds,
                                             name=name or f"{agreement.name} {metric}", **kw)


def timer(ticket, target, *, stopped_at=None, breached_at=None, met=None, started_at=None):
    """A timer with a known outcome: met (stopped_at, met=True), breached (breached_at), or running."""
    state = SLATimer.State.STOPPED if stopped_at else SLATimer.State.RUNNING
    started_at = started_at or (breached_at or stopped_at or timezone.now()) - datetime.timedelta(hours=1)
    obj, _ = SLATimer.objects.update_or_create(ticket_id=ticket.pk, metric=target.metric, defaults={
        "target": target, "state": state, "started_at": started_at, "elapsed_at": started_at,
        "due_at": started_at + datetime.timedelta(seconds=target.target_seconds),
        "breached_at": breached_at, "stopped_at": stopped_at, "met": met})
    return obj


def set_times(ticket, created_at, first_response_at=None, resolved_at=None):
    """Test setup only: put a ticket's timestamps at known instants."""
    Ticket.objects.filter(pk=ticket.pk).update(created_at=created_at, first_response_at=first_response_at,
                                               resolved_at=resolved_at)
    ticket.refresh_from_db()
    return ticket


def incident(**data):
    return factories.incident(**data)
