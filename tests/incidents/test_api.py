import pytest

from core.models import AuditEntry
from incidents.models import Incident
from tests.support import factories
from tests.support.api_factories import incident_in_state, results
from tests.support.queries import count_queries

pytestmark = pytest.mark.django_db
URL = "/api/v1/incidents/"


def test_agent_creates_reads_and_patches(agent_user, agent_api):
    team = factories.TeamFactory(members=[agent_user])
    service = factories.ServiceFactory()
    response = agent_api.post(URL, {"title": "Mail is down", "impact": 1, "urgency": 1, "team": team.pk,
                                    "service": service.pk, "description": "Nobody can send mail"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("INC") and body["priority"] == 1 and body["state"] == "new"
    assert body["team_name"] == team.name and body["service_name"] == service.name
    assert body["channel"] == "api" and body["version"] == 1
    assert response["ETag"] == '"1"'
    assert {t["to"] for t in body["allowed_transitions"]} == {"in_progress", "on_hold", "resolved", "cancelled"}
    detail = agent_api.get(f"{URL}{body['id']}/")
    assert detail.status_code == 200 and detail["ETag"] == '"1"'
    patched = agent_api.patch(f"{URL}{body['id']}/", {"assignee": agent_user.pk, "urgency": 3}, HTTP_IF_MATCH='"1"')
    assert patched.status_code == 200, patched.content
    assert patched.json()["assignee_name"] == agent_user.get_full_name() and patched.json()["version"] == 2
    assert patched["ETag"] == '"2"'
    assert AuditEntry.objects.filter(ticket_id=body["id"], action="assigned").exists()
    put = agent_api.put(f"{URL}{body['id']}/", {"title": "Mail is down for everyone", "version": 2})
    assert put.status_code == 200 and put.json()["title"] == "Mail is down for everyone"


def test_model_rules_are_field_errors(agent_user, agent_api):
    team = factories.TeamFactory()
    response = agent_api.post(URL, {"title": "x", "team": team.pk, "assignee": agent_user.pk})
    assert response.status_code == 400 and "assignee" in response.json()
    requester = factories.requester()
    response = agent_api.post(URL, {"title": "x", "assignee": requester.pk})
    assert response.status_code == 400 and "assignee" in response.json()


def test_requester_create_is_forced_to_self_and_portal_fields(requester_user, requester_api):
    other = factories.requester()
    team = factories.TeamFactory()
    response = requester_api.post(URL, {"title": "My laptop", "requester": other.pk, "team": team.pk,
                                        "channel": "phone"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["requester"] == requester_user.pk and body["team"] is None and body["channel"] == "api"


def test_list_filters_and_ordering_page_by_keyset(agent_user, agent_api):
    for i in range(7):
        factories.incident(actor=agent_user, title=f"disk {i}", impact=1 + i % 3, urgency=1 + i % 3)
    factories.incident(actor=agent_user, title="printer")
    assert [r["title"] for r in results(agent_api.get(URL, {"q": "printer"}))] == ["printer"]
    seen, url = [], f"{URL}?ordering=priority&page_size=3&q=disk"
    while url:
        page = agent_api.get(url).json()
        seen += [(r["priority"], -r["id"]) for r in page["results"]]
        url = page["next"]
    assert len(seen) == 7 and seen == sorted(seen)
    second = agent_api.get(f"{URL}?ordering=priority&page_size=3&q=disk").json()["next"]
    back = agent_api.get(agent_api.get(second).json()["previous"]).json()
    assert [r["id"] for r in back["results"]] == [
        r["id"] for r in agent_api.get(f"{URL}?ordering=priority&page_size=3&q=disk").json()["results"]]
    assert agent_api.get(URL, {"ordering": "bogus"}).status_code == 400
    assert agent_api.get(URL, {"cursor": "not-a-cursor"}).status_code == 400
    assert agent_api.get(URL, {"state": "nope"}).status_code == 400


def test_comment_and_audit_lists_have_constant_query_counts(agent_user, agent_api):
    incident = factories.incident(actor=agent_user)
    url = f"{URL}{incident.pk}/"

    def add(n):
        for i in range(n):
            assert agent_api.post(f"{url}comments/", {"body": f"note {i}", "internal": i % 2 == 0}).status_code == 201

    add(3)
    few = (count_queries(lambda: results(agent_api.get(f"{url}comments/"))),
           count_queries(lambda: results(agent_api.get(f"{url}audit/"))))
    add(27)
    many = (count_queries(lambda: results(agent_api.get(f"{url}comments/"))),
            count_queries(lambda: results(agent_api.get(f"{url}audit/"))))
    assert few == many
    assert len(results(agent_api.get(f"{url}comments/"))) == 30


def test_not_found_and_invisible_are_404(requester_api):
    other = factories.incident(requester=factories.requester())
    assert requester_api.get(f"{URL}{other.pk}/").status_code == 404
    assert requester_api.get(f"{URL}{other.pk}/comments/").status_code == 404
    assert requester_api.get(f"{URL}999999/").status_code == 404
    assert requester_api.get(f"{URL}{2**70}/").status_code == 404
    assert requester_api.post(f"{URL}{other.pk}/transition/", {"to": "closed"}).status_code == 404


def test_unauthenticated_is_401(client):
    response = client.get(URL)
    assert response.status_code == 401 and "detail" in response.json()


def test_transition_with_comment_and_children(agent_user, agent_api):
    parent = factories.incident(actor=agent_user, is_major=True)
    child = factories.incident(actor=agent_user, parent=parent)
    response = agent_api.post(f"{URL}{parent.pk}/transition/", {
        "to": "resolved", "resolution_code": "solved_workaround", "resolution_notes": "Failover",
        "comment": "Resolved by failover", "resolve_children": True})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "resolved" and response["ETag"] == f'"{response.json()["version"]}"'
    child.refresh_from_db()
    assert child.state == "resolved" and child.resolution_code == "solved_workaround"
    assert [c["body"] for c in results(agent_api.get(f"{URL}{parent.pk}/comments/"))] == ["Resolved by failover"]


def test_links(agent_api, agent_user):
    a, b = factories.incident(actor=agent_user), factories.incident(actor=agent_user)
    response = agent_api.post(f"{URL}{a.pk}/links/", {"target": b.pk, "kind": "caused_by"})
    assert response.status_code == 201, response.content
    link = response.json()
    assert link["direction"] == "outgoing" and link["ticket"]["number"] == b.number
    incoming = agent_api.get(f"{URL}{b.pk}/links/").json()
    assert incoming[0]["direction"] == "incoming" and incoming[0]["ticket"]["id"] == a.pk
    assert agent_api.post(f"{URL}{a.pk}/links/", {"target": b.pk, "kind": "caused_by"}).status_code == 400
    assert agent_api.post(f"{URL}{a.pk}/links/", {"target": a.pk}).status_code == 400
    assert agent_api.post(f"{URL}{a.pk}/links/", {"target": 2**70}).status_code == 400
    assert agent_api.delete(f"{URL}{b.pk}/links/999999/").status_code == 404
    assert agent_api.delete(f"{URL}{a.pk}/links/{link['id']}/").status_code == 204
    assert agent_api.get(f"{URL}{a.pk}/links/").json() == []


def test_requester_sees_public_comments_only(requester_user, requester_api, agent_api):
    incident = incident_in_state("in_progress", requester=requester_user)
    url = f"{URL}{incident.pk}/comments/"
    assert agent_api.post(url, {"body": "Checking the logs", "internal": True}).status_code == 201
    assert agent_api.post(url, {"body": "We are on it"}).status_code == 201
    assert requester_api.post(url, {"body": "Thanks"}).status_code == 201
    assert requester_api.post(url, {"body": "sneaky", "internal": True}).status_code == 403
    assert [c["body"] for c in results(requester_api.get(url))] == ["We are on it", "Thanks"]
    assert len(results(agent_api.get(url))) == 3
    assert requester_api.post(url, {"body": "   "}).status_code == 400
