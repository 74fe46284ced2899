"""The breach instant is the instant elapsed business time reached the target, whatever happens after."""

import datetime as dt

import pytest

from core.models import Ticket
from incidents import services as incident_services
from incidents import workflow
from slm import reports, sweep
from slm.models import SLATimer
from tests.support import factories
from tests.support.slm_factories import TargetFactory, around_the_clock

from .clock import clock  # noqa: F401

pytestmark = pytest.mark.django_db


def test_hold_exactly_at_due_then_resume_breaches_at_the_due(clock):
    agent = factories.agent(username="instant-agent")
    TargetFactory(calendar=around_the_clock(), target_seconds=4 * 3600)
    incident = factories.incident(agent)
    due = clock.now + dt.timedelta(hours=4)
    clock.now = due
    incident = incident_services.transition_incident(incident, agent, workflow.ON_HOLD,
                                                     {"on_hold_reason": "awaiting_caller"})
    clock.advance(days=1)
    incident_services.transition_incident(incident, agent, workflow.IN_PROGRESS)
    timer = SLATimer.objects.get(ticket_id=incident.pk)
    assert timer.due_at == due
    assert Ticket.objects.get(pk=incident.pk).sla_due_at == due  # sorts as overdue since the due
    sweep.sweep_all()
    timer.refresh_from_db()
    assert (timer.breached_at, timer.counted_at, timer.elapsed_seconds) == (due, due, 4 * 3600)
    day_of_due = reports.Period("range", due - dt.timedelta(hours=1), due + dt.timedelta(hours=1))
    assert [t.pk for t in reports.breaches(day_of_due)] == [timer.pk]
    assert reports.breaches(reports.Period("range", due + dt.timedelta(hours=1), clock.now)) == []


def test_resolving_while_on_hold_exactly_at_due_is_met(clock):
    agent = factories.agent(username="instant-agent2")
    TargetFactory(calendar=around_the_clock(), target_seconds=3600)
    incident = factories.incident(agent)
    clock.advance(hours=1)
    incident = incident_services.transition_incident(incident, agent, workflow.ON_HOLD,
                                                     {"on_hold_reason": "awaiting_caller"})
    clock.advance(hours=5)
    incident_services.transition_incident(incident, agent, workflow.RESOLVED, {
        "resolution_code": "solved_permanently", "resolution_notes": "Fixed"})
    timer = SLATimer.objects.get(ticket_id=incident.pk)
    assert (timer.state, timer.met, timer.breached_at) == ("stopped", True, None)
