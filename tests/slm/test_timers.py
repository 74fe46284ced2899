"""SLA timers through ticket state changes, driven through the incident services."""

import datetime as dt

import pytest
from incidents import services as incident_services
from incidents import workflow
from slm.models import SLATimer, SLATimerEvent
from tests.support import factories
from tests.support.slm_factories import TargetFactory, around_the_clock

from .clock import clock  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(db):
    return factories.agent(username="timer-agent")


def timer(ticket, metric="resolution"):
    return SLATimer.objects.select_related("target").get(ticket_id=ticket.pk, metric=metric)


def test_attach_pause_resume_and_met(clock, agent):
    cal = around_the_clock()
    target = TargetFactory(calendar=cal, target_seconds=4 * 3600)
    incident = factories.incident(agent)
    t = timer(incident)
    assert t.target == target and t.state == "running"
    assert t.due_at == clock.now + dt.timedelta(hours=4)
    clock.advance(hours=1)
    incident = incident_services.transition_incident(incident, agent, workflow.ON_HOLD,
                                                     {"on_hold_reason": "awaiting_caller"})
    t = timer(incident)
    assert (t.state, t.elapsed_seconds, t.due_at, t.next_check_at) == ("paused", 3600, None, None)
    clock.advance(hours=10)
    incident = incident_services.transition_incident(incident, agent, workflow.IN_PROGRESS)
    t = timer(incident)
    assert t.state == "running" and t.due_at == clock.now + dt.timedelta(hours=3)
    clock.advance(hours=2)
    incident_services.transition_incident(incident, agent, workflow.RESOLVED, {
        "resolution_code": "solved_permanently", "resolution_notes": "Rebooted"})
    t = timer(incident)
    assert (t.state, t.met, t.elapsed_seconds) == ("stopped", True, 3 * 3600)
    kinds = list(t.events.values_list("kind", flat=True))
    assert kinds == ["attached", "started", "paused", "resumed", "met"]
    assert all(e.audit_entry_id for e in t.events.all())
