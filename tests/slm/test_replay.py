"""Replay: a timer is a pure function of the ticket's audited history; repair recomputes and records it."""

import datetime as dt
import random

import pytest

from core.models import AuditAction, AuditEntry
from incidents import services as incident_services
from incidents import workflow
from slm import replay, sweep
from slm.models import SLATimer
from tests.support import factories
from tests.support.slm_factories import TargetFactory, calendar

from .clock import clock  # noqa: F401

pytestmark = pytest.mark.django_db


def random_history(rng, incident, agent, team, clock):
    """Drive an incident through a random walk of allowed writes, moving the clock between them."""
    for _ in range(rng.randint(3, 14)):
        clock.advance(minutes=rng.randint(1, 600))
        incident = type(incident).objects.get(pk=incident.pk)
        choice = rng.random()
        if choice < 0.25:
            incident = incident_services.update_incident(incident, agent, {"impact": rng.randint(1, 3),
                                                                           "urgency": rng.randint(1, 3)})
        elif choice < 0.35 and incident.assignee_id is None:
            incident = incident_services.update_incident(incident, agent, {"team": team, "assignee": agent})
        else:
            allowed = [t for t in workflow.WORKFLOW.allowed(incident.state) if t != workflow.CANCELLED]
            if not allowed:
                break
            to = rng.choice(allowed)
            data = {}
            if to == workflow.ON_HOLD:
                data = {"on_hold_reason": "awaiting_caller"}
            elif to == workflow.RESOLVED:
                data = {"resolution_code": "solved_permanently", "resolution_notes": "Done"}
            incident = incident_services.transition_incident(incident, agent, to, data)
    return incident


@pytest.mark.parametrize("seed", range(25))
def test_replay_equals_the_live_timers(clock, seed):
    rng = random.Random(seed)
    agent = factories.agent(username=f"replay-agent-{seed}")
    team = factories.TeamFactory(name=f"Replay team {seed}", members=[agent])
    office = calendar(timezone=rng.choice(["UTC", "Europe/Berlin", "Asia/Shanghai"]))
    TargetFactory(calendar=office, metric="response", target_seconds=rng.choice([900, 3600, 4 * 3600]))
    TargetFactory(calendar=office, target_seconds=rng.choice([4, 8, 16]) * 3600)
    TargetFactory(calendar=None, priority=rng.randint(1, 3), target_seconds=rng.choice([2, 6]) * 3600)
    incident = factories.incident(agent, impact=rng.randint(1, 3), urgency=rng.randint(1, 3))
    incident = random_history(rng, incident, agent, team, clock)
    clock.advance(minutes=rng.randint(0, 3000))
    sweep.sweep_all()
    live = {t.metric: t for t in SLATimer.objects.filter(ticket=incident).select_related("target__calendar")}
    replayed = replay.replay(incident, clock.now)
    assert set(live) == set(replayed)
    for metric, timer in live.items():
        assert replay.differences(timer, replayed[metric]) == {}, metric


def test_repair_after_a_calendar_correction(clock, api_as):
    from slm import services

    agent = factories.agent(username="repair-agent")
    office = calendar(timezone="UTC", start="09:00", end="17:00")
    TargetFactory(calendar=office, target_seconds=16 * 3600)
    incident = factories.incident(agent)  # Monday 08:00 UTC
    clock.advance(days=1)  # Tuesday 08:00: 8 working hours
    incident = incident_services.transition_incident(incident, agent, workflow.ON_HOLD,
                                                     {"on_hold_reason": "awaiting_caller"})
    assert SLATimer.objects.get(ticket=incident).elapsed_seconds == 8 * 3600
    # The calendar was wrong: Monday was a public holiday.
    services.save_calendar(office, {}, exceptions=[{"date": dt.date(2026, 3, 2), "kind": "holiday"}])
    requester = api_as(factories.agent(username="not-a-manager"))
    assert requester.post("/api/v1/sla-timers/repair/", {"tickets": [incident.pk]}, format="json").status_code == 403
    manager = api_as(factories.manager(username="repair-manager"))
    assert manager.post("/api/v1/sla-timers/repair/", {"tickets": [0, 10**6]}, format="json").status_code == 400
    response = manager.post("/api/v1/sla-timers/repair/", {"tickets": [incident.pk]}, format="json")
    assert response.status_code == 200, response.content
    timer = SLATimer.objects.get(ticket=incident)
    assert (timer.elapsed_seconds, timer.state) == (0, "paused")
    assert response.json()["repaired"][str(incident.pk)]["resolution"]["elapsed_seconds"] == ["28800", "0"]
    entry = AuditEntry.objects.get(ticket=incident, action=AuditAction.SLA_REPAIRED)
    assert timer.events.get(kind="repaired").audit_entry == entry
