"""The list API's rows from values() (core.api.slim) are the list serializer's output, field for field."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIRequestFactory

from core.api.slim import slim_plan
from incidents.api.serializers import IncidentSerializer
from incidents.models import Category, Incident
from incidents import services as incident_services
from tests.support import factories
from tests.support.cmdb_factories import CIFactory
from tests.support.queries import count_queries

pytestmark = pytest.mark.django_db


def serializer_rows(serializer_class, tickets, user):
    request = APIRequestFactory().get("/")
    request.user = user
    data = serializer_class(tickets, many=True, context={"request": request}).data
    return json.loads(JSONRenderer().render(data))


def varied_incidents(agent, suffix=""):
    organization = factories.OrganizationFactory(name=f"Contoso 中国{suffix}")
    requester = factories.requester(username=f"wang{suffix}", first_name="伟", last_name="王",
                                    organization=organization)
    team = factories.TeamFactory(name=f"Network{suffix}", members=[agent])
    service = factories.ServiceFactory(name=f"E-mail{suffix}")
    category = Category.objects.create(name=f"Hardware{suffix}")
    item = CIFactory(name=f"mail-01{suffix}")
    plain = factories.incident(agent, title="Bare", impact=3, urgency=3)
    full = factories.incident(agent, title="Full “quoted” 标题", description="x" * 300, requester=requester,
                              team=team, assignee=agent, service=service, category=category, impact=1, urgency=1,
                              configuration_item=item)
    child = factories.incident(agent, title="Child", parent=full, is_major=False)
    major = incident_services.update_incident(full, agent, {"is_major": True,
                                                            "outage_start": timezone.now() - timedelta(hours=1)})
    resolved = incident_services.transition_incident(
        child, agent, "resolved", {"resolution_code": "solved_workaround", "resolution_notes": "Swapped the cable"})
    return [plain, major, resolved]


def test_incident_list_rows_equal_the_serializer(agent_user, api_as):
    varied_incidents(agent_user)
    assert slim_plan(IncidentSerializer, Incident) is not None
    body = api_as(agent_user).get("/api/v1/incidents/").json()
    tickets = list(Incident.objects.order_by("-id"))
    assert body["results"] == serializer_rows(IncidentSerializer, tickets, agent_user)
    assert {row["title"] for row in body["results"]} == {"Bare", "Full “quoted” 标题", "Child"}
    full = next(row for row in body["results"] if row["title"].startswith("Full"))
    assert (full["team_name"], full["requester_name"], full["organization_name"], full["category_name"]) == (
        "Network", "伟 王", "Contoso 中国", "Hardware")
    assert full["state_label"] and full["priority_label"]


def test_requester_rows_equal_the_serializer_and_show_only_their_tickets(agent_user, api_as):
    varied_incidents(agent_user)
    wang = Incident.objects.get(title__startswith="Full").requester
    body = api_as(wang).get("/api/v1/incidents/").json()
    mine = list(Incident.objects.filter(requester=wang).order_by("-id"))
    assert body["results"] == serializer_rows(IncidentSerializer, mine, wang)
    assert [row["title"] for row in body["results"]] == ["Full “quoted” 标题"]


def test_rows_page_by_cursor_in_any_ordering(agent_user, api_as):
    for number in range(7):
        factories.incident(agent_user, title=f"Ticket {number}", impact=1 + number % 3, urgency=2)
    api = api_as(agent_user)
    for ordering in ("", "priority", "-updated_at", "state", "id"):
        seen, params = [], {"page_size": 3, **({"ordering": ordering} if ordering else {})}
        page = api.get("/api/v1/incidents/", params).json()
        while True:
            seen += [row["id"] for row in page["results"]]
            if not page["next"]:
                break
            page = api.get(page["next"]).json()
        assert sorted(seen) == sorted(Incident.objects.values_list("pk", flat=True)), ordering


def test_list_queries_do_not_grow_with_rows(agent_user, api_as):
    api = api_as(agent_user)
    varied_incidents(agent_user)
    api.get("/api/v1/incidents/")  # the token's first use is recorded once
    few = count_queries(lambda: api.get("/api/v1/incidents/"))
    for number in range(2):
        varied_incidents(factories.agent(), suffix=f" {number}")
    assert count_queries(lambda: api.get("/api/v1/incidents/")) == few
