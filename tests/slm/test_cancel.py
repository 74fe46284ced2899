"""Cancelling a ticket cancels every SLA timer: no breach later, nothing counted in the SLA numbers."""

import datetime as dt

import pytest
from django.template.loader import render_to_string

from core.models import Ticket
from core.workflow import Transition
from incidents import services as incident_services
from incidents import workflow
from slm import panels, queries, reports, sweep
from slm.models import SLATimer
from tests.support import factories
from tests.support.slm_factories import TargetFactory, around_the_clock

from .cancel import cancel
from .clock import START, clock  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(clock):
    agent = factories.agent(username="cancel-agent")
    cal = around_the_clock()
    response = TargetFactory(calendar=cal, metric="response", target_seconds=3600, name="Respond in 1 h")
    resolution = TargetFactory(calendar=cal, agreement=response.agreement, target_seconds=4 * 3600,
                               name="Resolve in 4 h")
    return {"agent": agent, "response": response, "resolution": resolution}


def timers(ticket):
    return {t.metric: t for t in SLATimer.objects.filter(ticket_id=ticket.pk)}


def test_cancel_cancels_every_timer_and_nothing_breaches_later(setup, clock):
    incident = factories.incident(setup["agent"])
    clock.advance(minutes=30)
    cancel(incident, setup["agent"])
    found = timers(incident)
    assert {m: t.state for m, t in found.items()} == {"response": "cancelled", "resolution": "cancelled"}
    assert all(t.next_check_at is None and t.due_at is None and t.met is None for t in found.values())
    assert all(t.elapsed_seconds == 1800 for t in found.values())
    assert Ticket.objects.get(pk=incident.pk).sla_due_at is None
    assert list(found["response"].events.values_list("kind", flat=True)) == ["attached", "started", "cancelled"]
    clock.advance(days=2)
    sweep.sweep_all()
    assert not SLATimer.objects.filter(ticket_id=incident.pk, breached_at__isnull=False).exists()


def test_cancelled_timers_are_left_out_of_compliance_mtta_and_mttr(setup, clock):
    agent = setup["agent"]
    kept, dropped = factories.incident(agent), factories.incident(agent)
    clock.advance(minutes=30)
    kept = incident_services.update_incident(kept, agent, {"assignee": agent})
    dropped = incident_services.update_incident(dropped, agent, {"assignee": agent})
    clock.advance(hours=1, minutes=30)
    incident_services.transition_incident(kept, agent, workflow.RESOLVED, {
        "resolution_code": "solved_permanently", "resolution_notes": "Fixed"})
    cancel(dropped, agent)
    period = reports.Period("range", START - dt.timedelta(days=1), START + dt.timedelta(days=1))
    for group_by in ("service", "target"):
        total = reports.compliance(period, group_by=group_by)["total"]
        assert (total["measured"], total["met"]) == (2, 2), group_by  # kept's response and resolution only
        assert (total["mtta_seconds"], total["mttr_seconds"]) == (1800, 7200), group_by


def test_cancelled_state_in_api_panel_and_filters(setup, clock, api_as):
    agent = setup["agent"]
    incident = factories.incident(agent)
    clock.advance(hours=5)
    sweep.sweep_all()  # response and resolution breached before the cancel
    cancel(incident, agent)
    assert SLATimer.objects.filter(ticket_id=incident.pk, counted_at__isnull=False).count() == 0
    data = api_as(agent).get("/api/v1/sla-timers/", {"ticket": incident.pk}).json()
    assert {row["state"] for row in data["results"]} == {"cancelled"}
    rows = panels.timer_rows(queries.timers_for([incident.pk])[incident.pk], clock.now)
    assert {row["status"] for row in rows} == {"cancelled"}
    html = render_to_string("slm/_ticket_timers.html", {"sla_timers": rows, "sla_events": []})
    assert "Cancelled" in html and "Breached" not in html
    tickets = Ticket.objects.filter(pk=incident.pk)
    assert not queries.filter_breached(tickets, True).exists()
    assert queries.filter_breached(tickets, False).exists()
    assert not queries.filter_due_within(tickets, 10 ** 6).exists()


def test_cancelled_is_final_for_incidents():
    assert workflow.WORKFLOW.allowed(workflow.CANCELLED) == {}
    assert workflow.WORKFLOW.cancelled_states == {workflow.CANCELLED}


def test_leaving_cancelled_resumes_the_timers_where_they_were(setup, clock, monkeypatch):
    """No workflow allows it today; a kind that did would see its timers resume, not restart."""
    from core import services as core_services

    monkeypatch.setitem(workflow.WORKFLOW.transitions, workflow.CANCELLED,
                        {workflow.IN_PROGRESS: Transition(workflow.IN_PROGRESS, "Reinstate")})
    agent = setup["agent"]
    incident = factories.incident(agent)
    clock.advance(minutes=30)
    incident = cancel(incident, agent)
    clock.advance(days=3)
    core_services.transition_ticket(incident, agent, workflow.IN_PROGRESS)
    found = timers(incident)
    assert {m: (t.state, t.elapsed_seconds) for m, t in found.items()} == {
        "response": ("running", 1800), "resolution": ("running", 1800)}
    assert found["response"].due_at == clock.now + dt.timedelta(minutes=30)
    assert found["resolution"].due_at == clock.now + dt.timedelta(hours=3, minutes=30)
    assert Ticket.objects.get(pk=incident.pk).sla_due_at == clock.now + dt.timedelta(minutes=30)


def test_repair_of_cancelled_tickets_is_set_based(setup, clock, django_assert_max_num_queries):
    from slm.repairs import cancel_timers_of_cancelled_tickets

    agent = setup["agent"]
    tickets = [factories.incident(agent) for _ in range(3)]
    for ticket in tickets:
        cancel(ticket, agent)
    # As cancelled tickets were left before: response running, resolution stopped and met.
    SLATimer.objects.filter(metric="response").update(state="running", due_at=START, next_check_at=START)
    SLATimer.objects.filter(metric="resolution").update(state="stopped", met=True, counted_at=START)
    Ticket.objects.update(sla_due_at=START)
    live = factories.incident(agent)
    from core import hooks

    with django_assert_max_num_queries(3 * len(hooks.ticket_kinds)):  # three UPDATEs per kind
        cancel_timers_of_cancelled_tickets(SLATimer, Ticket)
    cancelled = SLATimer.objects.filter(ticket__in=tickets)
    assert set(cancelled.values_list("state", "next_check_at", "counted_at")) == {("cancelled", None, None)}
    assert set(Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list("sla_due_at", flat=True)) == {None}
    assert Ticket.objects.get(pk=live.pk).sla_due_at == START + dt.timedelta(hours=1)
    assert set(SLATimer.objects.filter(ticket=live).values_list("state", flat=True)) == {"running"}


def test_a_ticket_cancelled_after_its_breach_was_flagged_counts_nowhere(setup, clock):
    """The breach stays on the timer's timeline, but a cancelled ticket is out of every SLA number."""
    incident = factories.incident(setup["agent"])
    clock.advance(hours=5)
    sweep.sweep_all()
    assert all(t.breached_at is not None and t.counted_at is not None for t in timers(incident).values())
    cancel(incident, setup["agent"])
    found = timers(incident)
    assert all(t.state == "cancelled" and t.counted_at is None and t.breached_at is not None
               for t in found.values())
    period = reports.Period("range", START - dt.timedelta(days=1), START + dt.timedelta(days=1))
    assert reports.compliance(period)["total"]["measured"] == 0
    assert reports.breaches(period) == []
    assert not queries.filter_breached(Ticket.objects.all(), True).exists()
