"""Searching users, organizations and services for the pickers."""

import pytest

from tests.support import factories
from tests.support.queries import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    acme, globex = factories.OrganizationFactory(name="Acme Corp"), factories.OrganizationFactory(name="Globex")
    return {
        "ann": factories.requester(username="alee", first_name="Ann", last_name="Lee", email="ann@acme.test",
                                   organization=acme),
        "bob": factories.requester(username="bking", first_name="Bob", last_name="King", email="bob@globex.test",
                                   organization=globex),
        "cy": factories.requester(username="cy", first_name="Cy", last_name="Ng", email="cy@mail.test"),
    }


def found(api, text):
    response = api.get("/api/v1/users/", {"search": text})
    assert response.status_code == 200, response.content
    return {row["username"] for row in response.json()["results"]}


def test_agents_search_users_by_name_email_and_organization(agent_api, people):
    assert found(agent_api, "ann") == {"alee"}
    assert found(agent_api, "Ann Lee") == {"alee"}
    assert found(agent_api, "globex.test") == {"bking"}
    assert found(agent_api, "acme") == {"alee"}
    assert found(agent_api, "acme bob") == set()
    assert found(agent_api, "king") == {"bking"}
    assert agent_api.get("/api/v1/users/", {"q": "mail.test"}).json()["results"][0]["username"] == "cy"


def test_user_rows_carry_the_organization_for_the_picker(agent_api, people):
    row = agent_api.get("/api/v1/users/", {"search": "alee"}).json()["results"][0]
    assert row["organization"] == people["ann"].profile.organization_id
    assert row["organization_name"] == "Acme Corp"
    assert row["email"] == "ann@acme.test" and row["name"] == "Ann Lee"
    assert agent_api.get("/api/v1/users/", {"search": "cy"}).json()["results"][0]["organization_name"] is None


def test_user_search_query_count_does_not_grow(agent_api, people):
    agent_api.get("/api/v1/users/")  # the token's first use is recorded once
    few = count_queries(lambda: agent_api.get("/api/v1/users/", {"search": "test"}))
    for n in range(5):
        factories.requester(username=f"extra{n}", email=f"extra{n}@acme.test",
                            organization=factories.OrganizationFactory(name=f"Org {n}"))
    assert count_queries(lambda: agent_api.get("/api/v1/users/", {"search": "test"})) == few


def test_requesters_may_not_search_users(requester_api, requester_user, people):
    for params in ({"search": "ann"}, {"q": "ann"}):
        response = requester_api.get("/api/v1/users/", params)
        assert response.status_code == 403
        assert "ann" not in response.content.decode()
    assert [r["id"] for r in requester_api.get("/api/v1/users/").json()["results"]] == [requester_user.pk]


def test_organizations_and_services_search_by_name(agent_api, api_as, people):
    assert [r["name"] for r in agent_api.get("/api/v1/organizations/", {"search": "glob"}).json()["results"]] == [
        "Globex"]
    assert [r["name"] for r in api_as(people["ann"]).get(
        "/api/v1/organizations/", {"search": "glob"}).json()["results"]] == []
    factories.ServiceFactory(name="Printing")
    factories.ServiceFactory(name="Payroll")
    assert [r["name"] for r in agent_api.get("/api/v1/services/", {"search": "print"}).json()["results"]] == [
        "Printing"]
