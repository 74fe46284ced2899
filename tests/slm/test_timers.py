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


def resolve(incident, agent):
    return incident_services.transition_incident(incident, agent, workflow.RESOLVED, {
        "resolution_code": "solved_permanently", "resolution_notes": "Fixed"})


def test_retarget_keeps_elapsed_and_measures_against_new_target(clock, agent):
    cal = around_the_clock()
    TargetFactory(calendar=cal, target_seconds=8 * 3600, name="P5 resolution")
    p2 = TargetFactory(calendar=cal, target_seconds=2 * 3600, priority=2, name="P2 resolution")
    incident = factories.incident(agent)
    clock.advance(minutes=30)
    incident = incident_services.update_incident(incident, agent, {"impact": 1, "urgency": 2})
    assert incident.priority == 2
    t = timer(incident)
    assert t.target == p2 and t.elapsed_seconds == 1800
    assert t.due_at == clock.now + dt.timedelta(minutes=90)
    event = t.events.get(kind="retargeted")
    assert event.data["elapsed_seconds"] == 1800 and event.audit_entry.changes["priority"] == [5, 2]


def test_most_specific_target_wins_then_shortest_then_lowest_id(clock, agent):
    cal = around_the_clock()
    service = factories.ServiceFactory(name="Mail")
    org = factories.OrganizationFactory(name="Acme")
    TargetFactory(calendar=cal, target_seconds=3600)  # no conditions
    TargetFactory(calendar=cal, target_seconds=7200, service=service)  # 1 condition
    two_a = TargetFactory(calendar=cal, target_seconds=9000, service=service, organization=org)
    TargetFactory(calendar=cal, target_seconds=9600, service=service, priority=5)  # 2, longer
    TargetFactory(calendar=cal, target_seconds=60, service=service, priority=1)  # does not match
    incident = factories.incident(agent, service=service, organization=org)
    assert timer(incident).target == two_a
    tie = TargetFactory(calendar=cal, target_seconds=9000, service=service, priority=5)
    other = factories.incident(agent, service=service, organization=org)
    assert timer(other).target == two_a and tie.pk > two_a.pk


def test_draft_expired_and_out_of_validity_agreements_do_not_attach(clock, agent):
    from slm.models import Agreement

    TargetFactory(agreement__status=Agreement.Status.DRAFT)
    TargetFactory(agreement__valid_from=dt.date(2027, 1, 1))
    TargetFactory(agreement__valid_to=dt.date(2025, 12, 31))
    TargetFactory(active=False)
    assert not SLATimer.objects.filter(ticket_id=factories.incident(agent).pk).exists()


def test_response_stops_at_assignment_and_reopen_resumes_resolution(clock, agent):
    cal = around_the_clock()
    TargetFactory(calendar=cal, metric="response", target_seconds=900)
    TargetFactory(calendar=cal, target_seconds=4 * 3600)
    team = factories.TeamFactory(name="Desk", members=[agent])
    incident = factories.incident(agent)
    clock.advance(minutes=10)
    incident = incident_services.update_incident(incident, agent, {"team": team, "assignee": agent})
    response = timer(incident, "response")
    assert (response.state, response.met, response.elapsed_seconds) == ("stopped", True, 600)
    clock.advance(minutes=50)
    incident = resolve(incident, agent)
    assert (timer(incident).state, timer(incident).elapsed_seconds) == ("stopped", 3600)
    clock.advance(hours=5)  # resolved time does not count
    incident = incident_services.transition_incident(incident, agent, workflow.IN_PROGRESS)
    t = timer(incident)
    assert (t.state, t.met, t.elapsed_seconds) == ("running", None, 3600)
    assert t.due_at == clock.now + dt.timedelta(hours=3)
    assert t.events.filter(kind="resumed", data__reopened=True).exists()


def test_target_pause_states_override_the_workflow(clock, agent):
    TargetFactory(calendar=around_the_clock(), pause_states=["in_progress"])
    incident = factories.incident(agent)
    incident = incident_services.transition_incident(incident, agent, workflow.IN_PROGRESS)
    assert timer(incident).state == "paused"
    incident = incident_services.transition_incident(incident, agent, workflow.ON_HOLD,
                                                     {"on_hold_reason": "awaiting_caller"})
    assert timer(incident).state == "running"


def test_missed_target_stops_breached(clock, agent):
    TargetFactory(calendar=around_the_clock(), target_seconds=3600)
    incident = factories.incident(agent)
    clock.advance(hours=2)
    resolve(incident, agent)
    t = timer(incident)
    assert (t.state, t.met) == ("stopped", False)
    assert t.breached_at == t.started_at + dt.timedelta(hours=1)
    assert list(t.events.values_list("kind", flat=True)) == ["attached", "started", "breached", "stopped"]


def test_business_calendar_drives_due(clock, agent):
    from tests.support.slm_factories import calendar

    office = calendar(timezone="UTC", start="09:00", end="17:00")  # Monday 2026-03-02 08:00 UTC now
    TargetFactory(calendar=office, target_seconds=10 * 3600)
    t = timer(factories.incident(agent))
    assert t.due_at == dt.datetime(2026, 3, 3, 11, tzinfo=dt.timezone.utc)
    assert t.next_check_at == dt.datetime(2026, 3, 2, 14, tzinfo=dt.timezone.utc)  # 50 %


def test_ticket_changes_update_the_timers_report_copies(clock, agent):
    from core import services as core_services

    cal = around_the_clock()
    TargetFactory(calendar=cal, metric="response", target_seconds=3600, name="Response")
    TargetFactory(calendar=cal, target_seconds=4 * 3600, name="Resolution")
    first, second = factories.TeamFactory(name="First line", members=[agent]), factories.TeamFactory(name="Second")
    incident = factories.incident(agent, team=first)
    timers = SLATimer.objects.filter(ticket=incident)
    assert {(t.metric, t.ticket_kind, t.ticket_team_id, t.ticket_priority, t.ticket_created_at, t.ticket_reached_at)
            for t in timers} == {(m, "incident", first.pk, incident.priority, incident.created_at, None)
                                 for m in ("response", "resolution")}
    clock.advance(minutes=10)
    core_services.update_ticket(incident, agent, {"team": second, "impact": 1, "urgency": 1})
    incident.refresh_from_db()
    assert incident.priority == 1
    assert set(timers.values_list("ticket_team_id", "ticket_priority")) == {(second.pk, 1)}
    core_services.update_ticket(incident, agent, {"team": first, "assignee": agent})  # first response
    incident.refresh_from_db()
    response, resolution = timer(incident, "response"), timer(incident)
    assert (response.ticket_team_id, response.ticket_reached_at, response.counted_at) == (
        first.pk, incident.first_response_at, response.stopped_at)
    assert (resolution.ticket_team_id, resolution.ticket_reached_at, resolution.counted_at) == (first.pk, None, None)
    clock.advance(minutes=10)
    resolve(incident, agent)
    incident.refresh_from_db()
    resolution = timer(incident)
    assert (resolution.ticket_reached_at, resolution.counted_at) == (incident.resolved_at, resolution.stopped_at)
