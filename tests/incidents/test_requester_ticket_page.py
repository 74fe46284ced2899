"""The ticket page as a requester sees it: state, public replies, attachments, dates and when it is expected
to be done; never the service desk's SLA percentages, impact, urgency, priority or configuration item names."""

import pytest
from django.test import Client
from django.urls import reverse

from core import services as core_services
from core.models import Impact, Urgency
from tests.support import factories
from tests.support.cmdb_factories import CIFactory
from tests.support.slm_factories import TargetFactory, around_the_clock

pytestmark = pytest.mark.django_db

STAFF_ONLY = ["<dt>Impact</dt>", "<dt>Urgency</dt>", "<dt>Configuration item</dt>", "core-router-07",
              'class="prio prio-', "Service level targets", 'id="sla-timers"', "Percent of the target elapsed",
              "P2 - High", "1 - High"]


def page_of(user, incident):
    client = Client()
    client.force_login(user)
    response = client.get(reverse("incidents:detail", args=[incident.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def ticket():
    acme = factories.OrganizationFactory(name="Acme")
    TargetFactory(agreement__organization=acme, calendar=around_the_clock(), target_seconds=8 * 3600)
    mei = factories.requester(username="mei", organization=acme)
    agent = factories.agent(username="desk")
    router = CIFactory(name="core-router-07")
    incident = factories.incident(actor=agent, requester=mei, title="Network is slow", impact=Impact.HIGH,
                                  urgency=Urgency.MEDIUM, configuration_item=router)
    core_services.update_ticket(incident, agent, {"urgency": Urgency.HIGH})
    core_services.add_comment(incident, agent, "We are looking at it.")
    return {"incident": incident, "mei": mei, "agent": agent}


def test_requester_sees_state_replies_and_the_expected_date_but_nothing_internal(ticket):
    text = page_of(ticket["mei"], ticket["incident"])
    assert 'id="state"' in text and "We are looking at it." in text and "<dt>Created</dt>" in text
    assert 'id="sla-expected"' in text and "Expected by" in text
    for secret in STAFF_ONLY:
        assert secret not in text, f"a requester sees {secret!r}"


def test_requester_timeline_has_no_priority_impact_or_urgency_changes(ticket):
    text = page_of(ticket["mei"], ticket["incident"])
    timeline = text.split('class="timeline"', 1)[1]
    for label in ("Impact", "Urgency", "Priority", "Configuration item"):
        assert f">{label}<" not in timeline and f"{label}:" not in timeline


def test_staff_still_see_everything(ticket):
    text = page_of(ticket["agent"], ticket["incident"])
    for shown in ("<dt>Impact</dt>", "<dt>Urgency</dt>", "core-router-07", 'class="prio prio-', 'id="sla-timers"',
                  "Percent of the target elapsed"):
        assert shown in text
    assert 'id="sla-expected"' not in text


def test_no_expected_date_without_a_running_target():
    mei = factories.requester(username="solo", organization=factories.OrganizationFactory(name="Solo"))
    incident = factories.incident(actor=factories.agent(), requester=mei, title="No target here")
    text = page_of(mei, incident)
    assert 'id="sla-expected"' not in text and 'id="sla-timers"' not in text
