"""The read-only alert API and the agent's console."""

import pytest

from events.models import Alert
from tests.support import events_factories as ef
from tests.support import factories
from tests.support.queries import max_queries
from tests.support.cmdb_factories import CIFactory

pytestmark = pytest.mark.django_db
ALERTS = "/api/v1/alerts/"


@pytest.fixture
def alerts(post_events):
    def make(n, start=0):
        service = factories.ServiceFactory(name="Web shop")
        for i in range(start, start + n):
            CIFactory(name=f"node{i:02d}", service=service)
        batch = [ef.generic(node=f"node{i:02d}", severity="critical" if i % 2 else "warning")
                 for i in range(start, start + n)]
        assert post_events("/api/v1/events/", batch).status_code == 202
        return Alert.objects.order_by("id")

    return make


def test_agent_lists_alerts_with_ci_service_and_incident(alerts, agent_api):
    alerts(3)
    body = agent_api.get(ALERTS).json()
    rows = body["results"]
    assert len(rows) == 3
    critical = next(r for r in rows if r["severity"] == "critical")
    assert critical["configuration_item"]["name"] == "node01" and critical["service"]["name"] == "Web shop"
    assert critical["incident"]["number"].startswith("INC") and critical["check"] == "HTTP"


def test_alert_list_query_count_does_not_grow_with_rows(alerts, agent_api):
    alerts(2)
    agent_api.get(ALERTS)  # the token's first use records last_used_at
    with max_queries(4) as few:
        assert agent_api.get(ALERTS).status_code == 200
    with_two = len(few.captured_queries)
    assert alerts(10, start=2).count() == 12
    with max_queries(with_two):
        assert len(agent_api.get(ALERTS).json()["results"]) == 12


def test_alert_list_filters(alerts, agent_api):
    alerts(4)
    assert {r["severity"] for r in agent_api.get(ALERTS, {"severity": "warning"}).json()["results"]} == {"warning"}
    assert len(agent_api.get(ALERTS, {"has_incident": "true"}).json()["results"]) == 2
    assert len(agent_api.get(ALERTS, {"q": "node03"}).json()["results"]) == 1
    assert agent_api.get(ALERTS, {"severity": "loud"}).status_code == 400


def test_alert_detail(alerts, agent_api):
    alert = alerts(1).first()
    body = agent_api.get(f"{ALERTS}{alert.pk}/").json()
    assert body["id"] == alert.pk and body["count"] == 1
    assert agent_api.get(f"{ALERTS}999999/").status_code == 404


def test_requesters_cannot_read_alerts(requester_api, api_as):
    assert requester_api.get(ALERTS).status_code == 403
    assert api_as(None).get(ALERTS).status_code == 401


def test_console_groups_open_alerts_by_ci_and_service(alerts, client, agent_user):
    alerts(3)
    client.force_login(agent_user)
    with max_queries(12):
        response = client.get("/events/")
    assert response.status_code == 200
    groups = response.context["groups"]
    assert len(groups) == 3 and groups[0]["worst"].severity == "critical"
    html = response.content.decode()
    assert "node01" in html and "Web shop" in html and "INC" in html


def test_console_filters_and_shows_closed_alerts_on_request(alerts, client, agent_user, post_events):
    alerts(2)
    post_events("/api/v1/events/", ef.generic(node="node01", severity="clear"))
    client.force_login(agent_user)
    assert len(client.get("/events/").context["groups"]) == 1
    closed = client.get("/events/", {"state": "closed"}).context["groups"]
    assert [g["ci"].name for g in closed] == ["node01"]


def test_alert_detail_page(alerts, client, agent_user):
    alert = alerts(2).last()
    client.force_login(agent_user)
    response = client.get(f"/events/alerts/{alert.pk}/")
    assert response.status_code == 200
    assert alert.incident.number in response.content.decode()


def test_console_is_for_agents_only(client, requester_user):
    client.force_login(requester_user)
    assert client.get("/events/").status_code == 403
    client.logout()
    assert client.get("/events/").status_code == 302


@pytest.mark.parametrize("url", ["/admin/events/incidentrule/", "/admin/events/incidentrule/add/",
                                 "/admin/events/cimappingrule/", "/admin/events/cimappingrule/add/",
                                 "/admin/events/alert/", "/admin/events/event/"])
def test_admins_configure_rules_in_the_admin(client, admin_user, url):
    client.force_login(admin_user)
    assert client.get(url).status_code == 200


def test_admin_rejects_a_label_rule_without_a_label(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/admin/events/cimappingrule/add/", {
        "name": "By asset tag", "order": 10, "active": "on", "match": "label", "key": "", "pattern": "",
        "source": ""})
    assert response.status_code == 200 and "Name the attribute or label to match." in response.content.decode()
