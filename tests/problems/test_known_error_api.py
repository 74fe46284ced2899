"""The known-error API: suggestions, search, apply / communicate / resolve; staff only."""

import pytest

from core.models import AuditEntry, Comment, LinkKind, TicketLink
from problems import services as problem_services
from tests.support import factories
from tests.support.cmdb_factories import CIFactory
from tests.support.queries import max_queries

from .known_error_support import fix, known_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return factories.agent()


def test_suggestions_for_an_incident_best_first(api_as, agent):
    ci = CIFactory()
    text_only = known_error(agent, title="Printer queue stalls")
    with_ci = known_error(agent, title="Printer queue stalls", configuration_item=ci)
    incident = factories.incident(agent, title="Printer queue stalls", configuration_item=ci)
    response = api_as(agent).get("/api/v1/known-errors/", {"incident": incident.pk})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["problem"] for r in results] == [with_ci.pk, text_only.pk]
    assert results[0]["number"] == with_ci.number and results[0]["workaround"] and results[0]["score"] > 0
    assert {"title", "root_cause", "url"} <= set(results[0])


def test_bad_input_is_400_and_unknown_incident_404(api_as, agent):
    client = api_as(agent)
    for bad in ("abc", "²", "0", "1" * 30):
        assert client.get("/api/v1/known-errors/", {"incident": bad}).status_code == 400
    assert client.get("/api/v1/known-errors/", {"incident": 999999}).status_code == 404
    assert client.get("/api/v1/known-errors/", {"incident": 1, "limit": "50"}).status_code == 400
    assert client.get("/api/v1/known-errors/", {"q": "x\x00"}).status_code == 400


def test_the_list_searches_and_pages(api_as, agent):
    for n in range(30):
        known_error(agent, title=f"Spooler issue {n}")
    known_error(agent, title="VPN drops", workaround="Reconnect")
    fix(known_error(agent, title="VPN closed"))
    client = api_as(agent)
    with max_queries(12):
        first = client.get("/api/v1/known-errors/").json()
    assert len(first["results"]) == 25 and first["next"]
    rest = client.get(first["next"]).json()
    assert len(rest["results"]) == 6 and not rest["next"]
    found = client.get("/api/v1/known-errors/", {"q": "reconnect"}).json()["results"]
    assert [r["title"] for r in found] == ["VPN drops"]


def test_apply_workaround_then_twice_is_400(api_as, agent):
    problem = known_error(agent)
    incident = factories.incident(agent)
    url = f"/api/v1/incidents/{incident.pk}/apply-workaround/"
    response = api_as(agent).post(url, {"problem": problem.pk, "public": False})
    assert response.status_code == 201, response.content
    body = response.json()
    comment = Comment.objects.get(pk=body["comment"])
    assert comment.is_internal and problem.number in comment.body
    assert TicketLink.objects.filter(source=incident, target=problem, kind=LinkKind.CAUSED_BY).exists()
    assert AuditEntry.objects.filter(ticket_id=incident.pk, action="work_note").exists()
    again = api_as(agent).post(url, {"problem": problem.pk})
    assert again.status_code == 400 and "problem" in again.json()


def test_apply_workaround_bad_input(api_as, agent):
    incident = factories.incident(agent)
    plain = problem_services.create_problem(agent, {"title": "Not known yet"})
    client = api_as(agent)
    url = f"/api/v1/incidents/{incident.pk}/apply-workaround/"
    for bad in ({}, {"problem": "abc"}, {"problem": "²"}, {"problem": 999999}, {"problem": plain.pk},
                {"problem": incident.pk}):
        response = client.post(url, bad)
        assert response.status_code == 400 and "problem" in response.json(), bad
    assert client.post("/api/v1/incidents/999999/apply-workaround/", {"problem": 1}).status_code == 404


def test_communicate_and_resolve_through_the_api(api_as, agent):
    problem = known_error(agent)
    incidents = [factories.incident(agent, requester=factories.requester()) for _ in range(2)]
    for incident in incidents:
        problem_services.link_incident(problem, agent, incident)
    client = api_as(agent)
    url = f"/api/v1/problems/{problem.pk}/communicate-workaround/"
    assert client.post(url).json() == {"count": 2}
    assert client.post(url).json() == {"count": 0}
    resolve = f"/api/v1/problems/{problem.pk}/resolve-incidents/"
    assert client.post(resolve).status_code == 400  # not fixed yet
    fix(problem)
    assert client.post(resolve, {"resolution_code": "bogus"}).status_code == 400
    assert client.post(resolve, {"resolution_code": "resolved_by_change"}).json() == {"count": 2}
    assert client.post("/api/v1/problems/999999/resolve-incidents/").status_code == 404


def test_requesters_are_refused(api_as, agent):
    requester = factories.requester()
    problem = known_error(agent)
    incident = factories.incident(agent, requester=requester)
    client = api_as(requester)
    assert client.get("/api/v1/known-errors/", {"incident": incident.pk}).status_code == 403
    assert client.get("/api/v1/known-errors/").status_code == 403
    assert client.post(f"/api/v1/incidents/{incident.pk}/apply-workaround/",
                       {"problem": problem.pk}).status_code == 403
    assert client.post(f"/api/v1/problems/{problem.pk}/communicate-workaround/").status_code == 403
    assert client.post(f"/api/v1/problems/{problem.pk}/resolve-incidents/").status_code == 403
    assert api_as(None).get("/api/v1/known-errors/").status_code in (401, 403)
