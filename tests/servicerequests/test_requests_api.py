"""The API contract of /api/v1/requests/ and /api/v1/tasks/ (issue 10)."""

from unittest import mock

import pytest

from core.models import Organization
from servicerequests.models import ApproverType
from servicerequests.variables import VariablesError
from tests.support import factories
from tests.support import request_factories as rf
from tests.support.queries import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    org = factories.OrganizationFactory(name="Acme")
    me, colleague = factories.requester(organization=org), factories.requester(organization=org)
    stranger = factories.requester(organization=factories.OrganizationFactory(name="Globex"))
    team = factories.TeamFactory(name="Workplace team", members=[factories.agent(username="fixer")])
    item = rf.offer_to(rf.catalog_item(name="New laptop", team=team, tasks=[(1, "Order"), (2, "Hand over")],
                                       fields=[{"name": "size", "label": "Size", "type": "text"}],
                                       approvals=[{"approver": ApproverType.USER,
                                                   "user": factories.manager(username="boss")}]), org)
    return org, me, colleague, stranger, item


def order(api, item, **body):
    variables = {"size": "14"} if item.fields.filter(name="size").exists() else {}
    return api.post("/api/v1/requests/", {"catalog_item": item.pk, "variables": variables, **body}, format="json")


def test_a_requester_orders_an_item(world, api_as):
    org, me, _colleague, _stranger, item = world
    response = order(api_as(me), item)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("REQ") and body["state"] == "awaiting_approval"
    assert (body["title"], body["catalog_item"], body["catalog_item_name"]) == ("New laptop", item.pk, "New laptop")
    assert (body["requester"], body["organization"], body["request_type"]) == (me.pk, org.pk, "provision")
    assert body["variables"] == {"size": "14"} and body["expected_by"] is None and body["stage"] == 0
    assert body["approval"]["state"] == "waiting" and len(body["approval"]["stages"]) == 1
    assert "tasks" not in body  # service desk work
    titled = order(api_as(me), item, title="Laptop for my new colleague").json()
    assert titled["title"] == "Laptop for my new colleague"


def test_staff_see_the_tasks_of_a_request(world, api_as):
    _org, me, _colleague, _stranger, item = world
    agent = factories.agent()
    standard = rf.offer_to(rf.catalog_item(name="Mouse", tasks=[(1, "Send a mouse")]), *Organization.objects.all())
    request = order(api_as(me), standard).json()
    body = api_as(agent).get(f"/api/v1/requests/{request['id']}/").json()
    (task,) = body["tasks"]
    assert task["number"].startswith("TASK") and task["state"] == "open" and body["state"] == "in_fulfilment"
    listed = api_as(agent).get("/api/v1/tasks/", {"request": request["id"]}).json()["results"]
    assert [(t["id"], t["request"], t["request_number"]) for t in listed] == [
        (task["id"], request["id"], request["number"])]
    assert api_as(me).get(f"/api/v1/tasks/{task['id']}/").status_code == 404
    assert api_as(me).get("/api/v1/tasks/").json()["results"] == []


def test_bad_answers_are_400_keyed_by_variable(world, api_as):
    _org, me, _colleague, _stranger, item = world
    refusal = VariablesError({"size": ["Choose one of 13, 14 or 16."], "reason": ["This field is required."]})
    with mock.patch("servicerequests.services.validate_variables", side_effect=refusal):
        response = order(api_as(me), item)
    assert response.status_code == 400
    assert response.json() == {"variables": {"size": ["Choose one of 13, 14 or 16."],
                                             "reason": ["This field is required."]}}
    assert not item.requests.exists()
    for variables in ([1], "size=14", None):
        response = api_as(me).post("/api/v1/requests/", {"catalog_item": item.pk, "variables": variables},
                                   format="json")
        assert response.status_code == 400 and "variables" in response.json()


def test_items_not_offered_to_the_requester_are_unknown(world, api_as):
    _org, _me, _colleague, stranger, item = world
    response = order(api_as(stranger), item)
    assert response.status_code == 400 and "catalog_item" in response.json()
    item.active = False
    item.save()
    response = order(api_as(factories.agent()), item)
    assert response.status_code == 400 and "catalog_item" in response.json()


def test_the_list_is_scoped_as_for_incidents(world, api_as):
    org, me, colleague, stranger, item = world
    mine = order(api_as(me), item).json()
    theirs = rf.service_request(item=rf.offer_to(item, stranger.profile.organization), requester=stranger)

    def ids(user):
        return [r["id"] for r in api_as(user).get("/api/v1/requests/").json()["results"]]

    assert ids(me) == [mine["id"]] and ids(colleague) == [] and ids(stranger) == [theirs.pk]
    assert api_as(stranger).get(f"/api/v1/requests/{mine['id']}/").status_code == 404
    assert api_as(me).get(f"/api/v1/requests/{theirs.pk}/").status_code == 404
    org.requesters_see_organization_tickets = True
    org.save()
    assert ids(colleague) == [mine["id"]]
    assert api_as(stranger).get("/api/v1/requests/", {"q": mine["number"]}).json()["results"] == []


def test_the_item_and_answers_are_fixed_once_requested(world, api_as):
    _org, me, _colleague, _stranger, item = world
    request = order(api_as(me), item).json()
    agent_api = api_as(factories.agent())
    other = rf.catalog_item(name="Monitor")
    url = f"/api/v1/requests/{request['id']}/"
    for body in ({"catalog_item": other.pk}, {"variables": {"size": "16"}}):
        response = agent_api.patch(url, body, format="json")
        assert response.status_code == 400 and set(body) <= set(response.json())
    assert agent_api.patch(url, {"title": "Laptop, 14 inch"}, format="json").status_code == 200


def test_tasks_are_staff_work(world, api_as):
    _org, me, _colleague, _stranger, item = world
    request = rf.service_request(item=rf.catalog_item(name="Access"), requester=me)
    assert api_as(me).post("/api/v1/tasks/", {"title": "x", "request": request.pk}, format="json").status_code == 403
    agent = factories.agent()
    created = api_as(agent).post("/api/v1/tasks/", {"title": "Grant access", "request": request.pk}, format="json")
    assert created.status_code == 201 and created.json()["requester"] is None
    closed = rf.service_request(item=rf.catalog_item(name="Question"), requester=me)
    from servicerequests import services

    services.cancel_request(closed, agent, "Asked twice")
    response = api_as(agent).post("/api/v1/tasks/", {"title": "x", "request": closed.pk}, format="json")
    assert response.status_code == 400 and "request" in response.json()


def test_both_lists_take_a_constant_number_of_queries(world, api_as):
    _org, me, _colleague, _stranger, item = world
    agent = factories.agent()
    standard = rf.offer_to(rf.catalog_item(name="Keyboard", tasks=[(1, "Send"), (1, "Log")]),
                           *Organization.objects.all())
    apis = {"requester": api_as(me), "agent": api_as(agent)}
    counts = {}
    for rows in (2, 6):
        while item.requests.count() + standard.requests.count() < rows:
            assert order(apis["requester"], standard if rows % 2 else item).status_code == 201
            assert order(apis["requester"], standard).status_code == 201
        for name, api in apis.items():
            for url in ("/api/v1/requests/", "/api/v1/tasks/"):
                api.get(url)  # warm-up: the token's last use
                counts.setdefault((name, url), []).append(count_queries(lambda: api.get(url)))
    for key, (few, many) in counts.items():
        assert few == many and many <= 11, (key, few, many)
