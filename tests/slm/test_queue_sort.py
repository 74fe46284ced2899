"""The queue sorts by SLA due: Ticket.sla_due_at follows the earliest running timer."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from core.models import Ticket
from incidents import services, workflow
from slm.models import SLATimer
from tests.support import factories
from tests.support.queries import max_queries
from tests.support.slm_factories import TargetFactory

pytestmark = pytest.mark.django_db


def due_of(ticket):
    return Ticket.objects.values_list("sla_due_at", flat=True).get(pk=ticket.pk)


@pytest.fixture
def target():
    return TargetFactory(calendar=None, target_seconds=3600)


def test_sla_due_follows_running_timers(target):
    agent = factories.agent()
    incident = factories.incident(agent)
    timer = SLATimer.objects.get(ticket=incident)
    assert due_of(incident) == timer.due_at is not None
    incident = services.transition_incident(incident, agent, workflow.ON_HOLD, {"on_hold_reason": "awaiting_vendor"})
    assert due_of(incident) is None  # a paused timer has no due instant
    incident = services.transition_incident(incident, agent, workflow.IN_PROGRESS)
    assert due_of(incident) == SLATimer.objects.get(ticket=incident).due_at
    services.transition_incident(incident, agent, workflow.RESOLVED,
                                 {"resolution_code": "solved_permanently", "resolution_notes": "Fixed"})
    assert due_of(incident) is None


def test_queue_and_api_sort_by_sla_due(target, api_as):
    agent = factories.agent()
    first, second, third = (factories.incident(agent, title=f"Due {i}") for i in range(3))
    untimed = factories.incident(agent, title="No timer")
    SLATimer.objects.filter(ticket=untimed).delete()
    Ticket.objects.filter(pk=untimed.pk).update(sla_due_at=None)
    base = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)
    for offset, incident in ((3, first), (1, second), (2, third)):
        Ticket.objects.filter(pk=incident.pk).update(sla_due_at=base + dt.timedelta(hours=offset))
    expected = [second.number, third.number, first.number]

    response = api_as(agent).get("/api/v1/incidents/", {"ordering": "sla_due", "page_size": 2})
    page = response.json()
    assert [row["number"] for row in page["results"]] == expected[:2]
    rest = api_as(agent).get(page["next"]).json()
    assert [row["number"] for row in rest["results"]] == expected[2:]

    client = Client()
    client.force_login(agent)
    with max_queries(30):
        html = client.get(reverse("incidents:list"), {"ordering": "sla_due"}).content.decode()
    positions = [html.index(number) for number in expected]
    assert positions == sorted(positions) and untimed.number not in html
