"""Canned responses: safe placeholder rendering, visibility per team, API, render endpoint and the picker."""

import pytest
from django.template.loader import render_to_string

from core import canned, permissions
from core.desk_models import CannedResponse
from tests.support import factories
from tests.support.queries import max_queries

pytestmark = pytest.mark.django_db
URL = "/api/v1/canned-responses/"
BODY = "Hello {requester.first_name}, {ticket.number} ({ticket.title}) is with {agent.first_name}."


def response(title="Greeting", body=BODY, team=None, active=True):
    return CannedResponse.objects.create(title=title, body=body, team=team, active=active)


def render_url(pk, ticket_id):
    return f"{URL}{pk}/render/?ticket={ticket_id}"


# --- renderer ------------------------------------------------------------------------------------------

def test_render_fills_whitelisted_placeholders_and_leaves_others():
    req = factories.requester(first_name="Mei")
    agent = factories.agent(first_name="Ana")
    ticket = factories.incident(agent, title="VPN down", requester=req)
    text = canned.render(BODY + " {ticket.requester.password} {ticket.__class__} {x}", ticket, agent)
    assert text == (f"Hello Mei, {ticket.number} (VPN down) is with Ana. {{ticket.requester.password}} "
                    "{ticket.__class__} {x}")


def test_missing_requester_renders_empty():
    agent = factories.agent(first_name="Ana")
    ticket = factories.incident(agent)
    assert canned.render("Hi {requester.first_name}!", ticket, agent) == "Hi !"


def test_unknown_placeholders_are_listed():
    assert canned.unknown_placeholders("{ticket.number} {ticket.secret} {user.password} {plain}") == [
        "ticket.secret", "user.password"]


# --- API -----------------------------------------------------------------------------------------------

def test_agent_sees_global_and_own_team_active_responses(api_as):
    agent = factories.agent()
    mine, other = factories.TeamFactory(members=[agent]), factories.TeamFactory()
    visible = {response("Global").pk, response("Mine", team=mine).pk}
    response("Other team", team=other)
    response("Retired", active=False)
    body = api_as(agent).get(URL).json()
    assert {r["id"] for r in body["results"]} == visible
    assert api_as(factories.manager()).get(URL).json()["results"].__len__() == 4


def test_list_query_count_is_constant(api_as):
    agent = factories.agent()
    teams = [factories.TeamFactory(members=[agent]) for _ in range(3)]
    api = api_as(agent)
    for i in range(3):
        response(f"R{i}", team=teams[i])
    with max_queries(6):
        api.get(URL)
    for i in range(30):
        response(f"S{i}", team=teams[i % 3])
    with max_queries(6):
        assert len(api.get(URL).json()["results"]) == 33


def test_manager_crud_and_unknown_placeholder_is_400(api_as):
    api = api_as(factories.manager())
    team = factories.TeamFactory()
    created = api.post(URL, {"title": "Ack", "body": "Got {ticket.number}", "team": team.pk})
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["team_name"] == team.name
    bad = api.patch(f"{URL}{pk}/", {"body": "Hi {requester.password}"})
    assert bad.status_code == 400 and "body" in bad.json()
    assert "{requester.password}" in bad.json()["body"][0]
    assert api.patch(f"{URL}{pk}/", {"team": None}).json()["team"] is None
    assert api.post(URL, {"title": "", "body": ""}).status_code == 400
    assert api.post(URL, {"title": "x", "body": "y", "team": 2 ** 70}).status_code == 400
    assert api.delete(f"{URL}{pk}/").status_code == 204


@pytest.mark.parametrize("role, read, write", [
    (permissions.REQUESTER, 403, 403), (permissions.AGENT, 200, 403), (permissions.MANAGER, 200, 201),
    (permissions.ADMIN, 200, 201), (None, 401, 401)])
def test_permission_matrix(api_as, role, read, write):
    api = api_as(factories.UserFactory(role=role) if role else None)
    existing = response()
    ticket = factories.incident()
    assert api.get(URL).status_code == read
    assert api.get(render_url(existing.pk, ticket.pk)).status_code == read
    assert api.post(URL, {"title": "t", "body": "b"}).status_code == write
    assert api.delete(f"{URL}{existing.pk}/").status_code == (204 if write == 201 else write)


# --- render endpoint -------------------------------------------------------------------------------------

def test_render_for_a_ticket(api_as):
    agent = factories.agent(first_name="Ana")
    req = factories.requester(first_name="Mei")
    ticket = factories.incident(agent, title="VPN down", requester=req)
    got = api_as(agent).get(render_url(response().pk, ticket.pk))
    assert got.status_code == 200
    assert got.json() == {"body": f"Hello Mei, {ticket.number} (VPN down) is with Ana."}


def test_render_refuses_what_the_agent_may_not_use(api_as):
    agent = factories.agent()
    api = api_as(agent)
    ticket = factories.incident(agent)
    other_team = response(team=factories.TeamFactory())
    retired = response(active=False)
    assert api.get(render_url(other_team.pk, ticket.pk)).status_code == 404
    assert api.get(render_url(retired.pk, ticket.pk)).status_code == 404
    assert api.get(render_url(2 ** 70, ticket.pk)).status_code == 404


@pytest.mark.parametrize("ticket_param", ["", "abc", "-1", str(2 ** 70)])
def test_render_needs_a_ticket_id(api_as, ticket_param):
    agent = factories.agent()
    got = api_as(agent).get(f"{URL}{response().pk}/render/?ticket={ticket_param}")
    assert got.status_code == 400 and "ticket" in got.json()


def test_render_of_an_unknown_ticket_is_404(api_as):
    got = api_as(factories.agent()).get(render_url(response().pk, 999999))
    assert got.status_code == 404


def test_render_query_count(api_as):
    agent = factories.agent()
    factories.TeamFactory(members=[agent])
    ticket = factories.incident(agent, requester=factories.requester())
    api = api_as(agent)
    with max_queries(6):
        assert api.get(render_url(response().pk, ticket.pk)).status_code == 200


# --- the picker component --------------------------------------------------------------------------------

def test_picker_component_renders_its_hooks():
    ticket = factories.incident()
    html = render_to_string("components/canned_picker.html", {"ticket": ticket, "target": "id_reply-body"})
    assert 'data-canned-picker' in html and f'data-ticket="{ticket.pk}"' in html
    assert 'data-target="id_reply-body"' in html and 'for="canned-search-id_reply-body"' in html
    assert f'data-list-url="{URL}"' in html and f'data-render-url="{URL}0/render/"' in html
    assert "js/canned-picker.js" in html
    assert render_to_string("components/canned_picker.html", {"ticket": None, "target": "x"}).strip() == ""


def test_incident_page_offers_the_picker_to_staff_only(client):
    agent = factories.agent()
    req = factories.requester()
    ticket = factories.incident(agent, requester=req)
    client.force_login(agent)
    page = client.get(f"/incidents/{ticket.pk}/").content.decode()
    assert 'data-target="reply-body"' in page and 'id="reply-body"' in page
    client.force_login(req)
    page = client.get(f"/incidents/{ticket.pk}/").content.decode()
    assert "data-canned-picker" not in page
