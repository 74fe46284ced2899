"""Directory, me, tokens, schema and docs."""

import pytest

from core.models import ApiToken
from tests.support import factories
from tests.support.queries import count_queries

pytestmark = pytest.mark.django_db


def test_users_agents_see_all_requester_only_self(agent_user, agent_api, requester_user, requester_api):
    team = factories.TeamFactory(members=[agent_user])
    rows = agent_api.get("/api/v1/users/").json()["results"]
    assert {agent_user.pk, requester_user.pk} <= {r["id"] for r in rows}
    agent_row = next(r for r in rows if r["id"] == agent_user.pk)
    assert agent_row["roles"] == ["agent"] and agent_row["teams"] == [team.pk]
    assert [r["id"] for r in agent_api.get("/api/v1/users/", {"role": "requester"}).json()["results"]] == [
        requester_user.pk]
    assert [r["id"] for r in agent_api.get("/api/v1/users/", {"team": team.pk}).json()["results"]] == [agent_user.pk]
    assert agent_api.get("/api/v1/users/", {"team": "x"}).status_code == 400
    assert [r["id"] for r in requester_api.get("/api/v1/users/").json()["results"]] == [requester_user.pk]
    assert requester_api.get(f"/api/v1/users/{agent_user.pk}/").status_code == 404
    assert agent_api.get(f"/api/v1/users/{2**70}/").status_code == 404


def test_organizations_and_teams(agent_api, api_as):
    org, other = factories.OrganizationFactory(name="Acme"), factories.OrganizationFactory(name="Globex")
    member = factories.requester(organization=org)
    assert {r["name"] for r in agent_api.get("/api/v1/organizations/").json()["results"]} >= {"Acme", "Globex"}
    assert [r["name"] for r in api_as(member).get("/api/v1/organizations/").json()["results"]] == ["Acme"]
    assert api_as(member).get(f"/api/v1/organizations/{other.pk}/").status_code == 404
    team = factories.TeamFactory(name="Network")
    assert agent_api.get(f"/api/v1/teams/{team.pk}/").json()["name"] == "Network"


@pytest.mark.parametrize("url", ["/api/v1/users/", "/api/v1/teams/", "/api/v1/organizations/"])
def test_directory_lists_have_constant_query_counts(agent_user, agent_api, url):
    def grow(n):
        for _ in range(n):
            user = factories.agent(organization=factories.OrganizationFactory())
            factories.TeamFactory(members=[user, agent_user])

    grow(3)
    agent_api.get(url)
    few = count_queries(lambda: agent_api.get(url))
    grow(27)
    assert count_queries(lambda: agent_api.get(url)) == few


def test_me(agent_user, agent_api):
    body = agent_api.get("/api/v1/me/").json()
    assert body["username"] == agent_user.username and body["is_agent"] is True and body["timezone"] == "UTC"


def test_tokens_create_list_revoke(requester_user, requester_api, api_as):
    response = requester_api.post("/api/v1/tokens/", {"name": "laptop"})
    assert response.status_code == 201
    key = response.json()["key"]
    token_id = response.json()["id"]
    listed = requester_api.get("/api/v1/tokens/").json()["results"]
    assert "key" not in listed[0] and {t["name"] for t in listed} == {"laptop", "tests"}
    other = factories.agent()
    foreign, _ = ApiToken.generate(other, "theirs")
    assert requester_api.delete(f"/api/v1/tokens/{foreign.pk}/").status_code == 404
    assert requester_api.delete(f"/api/v1/tokens/{token_id}/").status_code == 204
    from rest_framework.test import APIClient

    revoked = APIClient()
    revoked.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert revoked.get("/api/v1/me/").status_code == 401
    assert requester_api.post("/api/v1/tokens/", {}).status_code == 400
    assert requester_api.post("/api/v1/tokens/", {"name": "x", "expires_at": "soon"}).status_code == 400


def test_categories(agent_api, requester_api):
    from incidents.models import Category

    hardware = Category.objects.create(name="Hardware")
    Category.objects.create(name="Printer", parent=hardware)
    Category.objects.create(name="Retired", active=False)
    assert {r["name"] for r in requester_api.get("/api/v1/categories/").json()["results"]} == {"Hardware",
                                                                                              "Printer"}
    rows = agent_api.get("/api/v1/categories/", {"parent": hardware.pk}).json()["results"]
    assert [r["label"] for r in rows] == ["Hardware / Printer"]


def test_schema_and_docs_are_served_without_cdn(client, agent_user):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/incidents/{id}/transition/" in paths and "/api/v1/tokens/" in paths
    client.force_login(agent_user)
    docs = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs and "cdn" not in docs.lower()
