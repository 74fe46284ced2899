"""A portal report routed by an assignment rule, answered by the team's agent, read by the requester
(the browser journey is tests/browser/test_workspace_journey.py)."""

import pytest
from django.test import Client
from django.urls import reverse

from core import desk_services
from core import services as core_services
from core.desk_models import AssignMode
from core.models import Channel
from incidents.models import Incident
from tests.support import factories

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def desk():
    acme = factories.OrganizationFactory(name="Acme")
    mei = factories.requester(username="mei", first_name="Mei", organization=acme)
    agent = factories.agent(username="net-agent", first_name="Ana")
    network = factories.TeamFactory(name="Network", members=[agent])
    desk_services.save_assignment_rule(factories.manager(), {
        "name": "Portal to Network", "order": 1, "conditions": {"channel": [Channel.PORTAL],
                                                                 "organization": [acme.pk]},
        "team": network, "assign": AssignMode.ROUND_ROBIN})
    return mei, agent


def report(requester):
    response = logged_in(requester).post(reverse("incidents:report"), {"title": "File server unreachable",
                                                                       "description": "Since 9:00."})
    assert response.status_code == 302
    return Incident.objects.get(title="File server unreachable")


def test_portal_report_is_routed_and_listed_under_assigned_to_me(desk):
    mei, agent = desk
    incident = report(mei)
    assert (incident.team.name, incident.assignee, incident.organization.name) == ("Network", agent, "Acme")
    page = logged_in(agent).get(reverse("home")).content.decode()
    assigned = page.split('id="work-assigned"')[1].split('id="work-unassigned"')[0]
    assert incident.number in assigned and 'class="sla ' in assigned


def test_timeline_says_the_rule_assigned_the_ticket(desk):
    mei, agent = desk
    incident = report(mei)
    page = logged_in(agent).get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert "Assigned by rule" in page and "Portal to Network" in page


def test_requester_page_speaks_to_the_requester_and_hides_work_notes(desk):
    mei, agent = desk
    incident = report(mei)
    core_services.add_comment(incident, agent, "Vendor case 4711", internal=True)
    core_services.add_comment(incident, agent, "Hello Mei, we are on it")
    page = logged_in(mei).get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert "Hello Mei, we are on it" in page and "Vendor case 4711" not in page
    assert "Reply to requester" not in page and "Reply to the requester" not in page
    assert "Your message to the service desk" in page
    staff_page = logged_in(agent).get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert "Reply to requester" in staff_page and "Vendor case 4711" in staff_page


def test_requester_timeline_does_not_name_the_assignment_rule(desk):
    mei, agent = desk
    incident = report(mei)
    rule_name = incident.audit_entries.filter(action="assigned").first().changes["rule"][1]
    assert rule_name in logged_in(agent).get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert rule_name not in logged_in(mei).get(reverse("incidents:detail", args=[incident.pk])).content.decode()
