"""A major incident on a service is an outage from its declaration to its resolution; availability sees it."""

import datetime as dt

import pytest

from core.models import AuditEntry
from incidents import services as incident_services
from incidents import workflow
from slm import reports
from tests.support import factories

from .clock import START, clock  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(clock):
    return {"agent": factories.agent(username="major-agent"), "service": factories.ServiceFactory(name="Payroll")}


def resolve(incident, agent):
    return incident_services.transition_incident(incident, agent, workflow.RESOLVED, {
        "resolution_code": "solved_permanently", "resolution_notes": "Fixed"})


def test_declaring_a_major_incident_starts_the_outage_and_resolving_ends_it(setup, clock):
    agent = setup["agent"]
    incident = factories.incident(agent, service=setup["service"])
    clock.advance(minutes=10)
    declared = clock.now
    incident = incident_services.update_incident(incident, agent, {"is_major": True})
    assert (incident.outage_start, incident.outage_end) == (declared, None)
    entry = AuditEntry.objects.filter(ticket_id=incident.pk).order_by("-id").first()
    assert "outage_start" in entry.changes and entry.actor == agent
    clock.advance(hours=2)
    incident = resolve(incident, agent)
    incident.refresh_from_db()
    assert (incident.outage_start, incident.outage_end) == (declared, clock.now)
    assert AuditEntry.objects.filter(ticket_id=incident.pk, changes__has_key="outage_end").exists()


def test_major_at_creation_and_typed_instants_are_kept(setup, clock):
    agent = setup["agent"]
    incident = factories.incident(agent, service=setup["service"], is_major=True)
    assert incident.outage_start == START
    typed = START - dt.timedelta(minutes=30)
    incident = incident_services.update_incident(incident, agent, {"outage_start": typed})
    clock.advance(hours=1)
    ended = clock.now - dt.timedelta(minutes=5)
    incident = incident_services.update_incident(incident, agent, {"outage_end": ended})
    clock.advance(hours=1)
    resolve(incident, agent)
    incident.refresh_from_db()
    assert (incident.outage_start, incident.outage_end) == (typed, ended)


def test_no_outage_without_a_service(setup, clock):
    incident = factories.incident(setup["agent"], is_major=True)
    assert incident.outage_start is None


def test_availability_counts_an_outage_still_in_progress(setup, clock):
    incident = factories.incident(setup["agent"], service=setup["service"])
    clock.advance(hours=1)
    incident_services.update_incident(incident, setup["agent"], {"is_major": True})
    clock.advance(hours=3)
    period = reports.Period("range", START, START + dt.timedelta(days=1))
    row = {r["service"]: r for r in reports.availability(period)["rows"]}[setup["service"].pk]
    assert row["downtime_seconds"] == 3 * 3600 and row["outages"] == 1
    assert row["availability"] == round(100 * (1 - 3 / 4), 3)  # the period so far: 4 h, 3 h of them down
    clock.advance(days=2)  # the period is over: counted up to its end
    row = {r["service"]: r for r in reports.availability(period)["rows"]}[setup["service"].pk]
    assert row["downtime_seconds"] == 23 * 3600
