"""Every page and API endpoint added by service request management (catalogue, requests, tasks, approvals,
delegation, the portal): a requester of another organization learns nothing from them and changes nothing, and
hostile input is a 4xx, never a 500."""

from types import SimpleNamespace

import pytest
from django.test import Client

from core import approvals
from core.approval_models import Approval, ApprovalDelegation
from core.models import Profile
from servicerequests.models import ApproverType, FieldType, ServiceRequest, Task
from tests.support import factories
from tests.support import request_factories as rf

pytestmark = pytest.mark.django_db

SECRETS = ("Globex lab badge", "Badge for the isotope lab", "Room 4B keycard", "Globex lab access board")


@pytest.fixture
def world():
    agent = factories.agent(username="desk")
    globex = factories.OrganizationFactory(name="Globex")
    boss = factories.requester(username="g.boss", first_name="Gloria", last_name="Boss", organization=globex)
    victim = factories.requester(username="g.victim", organization=globex)
    Profile.objects.filter(user=victim).update(manager=boss)
    team = factories.TeamFactory(name=SECRETS[3], members=[agent])
    item = rf.catalog_item(name=SECRETS[0], team=team, tasks=[(1, "Cut the badge")],
                           approvals=[{"approver": ApproverType.REQUESTER_MANAGER}],
                           fields=[{"name": "room", "label": "Room", "type": FieldType.TEXT},
                                   {"name": "colleague", "label": "Colleague", "type": FieldType.USER}])
    item.organizations.add(globex)
    item.service.customers.add(globex)
    waiting = rf.service_request(actor=victim, item=item, title=SECRETS[1], variables={"room": SECRETS[2]})
    fulfilling = rf.service_request(actor=victim, item=item, title=SECRETS[1], variables={"room": SECRETS[2]})
    rf.decide(fulfilling, True)
    task = Task.objects.get(request=fulfilling)
    import datetime

    delegation = approvals.create_delegation(boss, victim, datetime.date(2026, 1, 1), datetime.date(2099, 1, 1))
    stranger = factories.requester(username="stranger", organization=factories.OrganizationFactory(name="Initech"))
    return SimpleNamespace(agent=agent, item=item, waiting=waiting, fulfilling=fulfilling, task=task, boss=boss,
                           approval=Approval.objects.get(ticket_id=waiting.pk), stranger=stranger,
                           delegation=delegation, victim=victim)


def pages(w):
    r, f, t, i, a = w.waiting.pk, w.fulfilling.pk, w.task.pk, w.item.pk, w.approval.pk
    return [
        "/", "/?tab=closed", "/portal/", "/portal/search/?q=badge", "/portal/catalog/", f"/portal/catalog/{i}/",
        "/portal/tickets/", "/portal/tickets/?tab=closed", f"/requests/{r}/", f"/requests/{f}/", "/requests/",
        "/requests/new/", f"/requests/new/?item={i}", f"/requests/tasks/{t}/", "/requests/tasks/", "/profile/",
        "/search/?q=badge", "/search/?q=1001", "/api/v1/search/?q=1001",
        "/api/v1/requests/", f"/api/v1/requests/{r}/", f"/api/v1/requests/{r}/audit/", "/api/v1/tasks/",
        f"/api/v1/tasks/{t}/", "/api/v1/catalog-items/", f"/api/v1/catalog-items/{i}/",
        f"/api/v1/catalog-items/{i}/choices/user/?q=g", f"/api/v1/catalog-items/{i}/choices/configuration_item/",
        "/api/v1/catalog-categories/", "/api/v1/approvals/", f"/api/v1/approvals/{a}/",
        f"/api/v1/approvals/?ticket={r}", "/api/v1/approvals/?mine=true", "/api/v1/approval-delegations/",
        "/api/v1/approval-delegations/delegates/?search=g", "/api/v1/search/?q=badge",
    ]


def posts(w):
    r, f, t, i, a = w.waiting.pk, w.fulfilling.pk, w.task.pk, w.item.pk, w.approval.pk
    return [
        (f"/portal/catalog/{i}/", {"room": "x"}), (f"/requests/{r}/act/reply/", {"body": "x"}),
        (f"/requests/{r}/act/transition/", {"to": "cancelled", "cancel_reason": "x"}),
        (f"/requests/tasks/{t}/act/transition/", {"to": "done"}), (f"/approvals/{a}/approve/", {"comment": "x"}),
        (f"/approvals/{a}/reject/", {"comment": "x"}), ("/api/v1/requests/", {"catalog_item": i, "variables": {}}),
        (f"/api/v1/requests/{r}/transition/", {"to": "cancelled", "cancel_reason": "x"}),
        (f"/api/v1/requests/{r}/comments/", {"body": "x"}), (f"/api/v1/tasks/{t}/transition/", {"to": "done"}),
        (f"/api/v1/approvals/{a}/approve/", {"comment": "x"}), (f"/api/v1/approvals/{a}/reject/", {"comment": "x"}),
        ("/api/v1/catalog-items/", {"name": "x"}),
    ]


def test_a_requester_of_another_organization_learns_nothing(world, api_as):
    client = Client()
    client.force_login(world.stranger)
    api = api_as(world.stranger)
    hidden = SECRETS + (world.waiting.number, world.fulfilling.number, world.task.number, "Gloria", "g.victim")
    for url in pages(world):
        response = (api if url.startswith("/api/") else client).get(url)
        assert response.status_code in (200, 302, 400, 403, 404), (url, response.status_code)
        body = response.content.decode()
        for secret in hidden:
            assert secret not in body, (url, secret)
    for url, data in posts(world):
        response = (api.post(url, data, format="json") if url.startswith("/api/") else client.post(url, data))
        assert response.status_code in (302, 400, 403, 404), (url, response.status_code)
        if response.status_code == 302:  # a page action answers by going back: nothing may have changed
            assert "/login/" not in response.url
    assert ServiceRequest.objects.count() == 2 and not ServiceRequest.objects.filter(requester=world.stranger)
    world.approval.refresh_from_db()
    world.waiting.refresh_from_db()
    world.task.refresh_from_db()
    assert (world.approval.state, world.waiting.state, world.task.state) == ("pending", "awaiting_approval", "open")
    assert world.waiting.comments.count() == 0


def test_a_requester_never_approves_for_another_organization_through_delegation(world, api_as):
    api = api_as(world.stranger)
    response = api.post("/api/v1/approval-delegations/", {"delegate": world.boss.pk, "starts_on": "2026-01-01",
                                                          "ends_on": "2099-01-01"}, format="json")
    assert response.status_code in (400, 403)
    assert not ApprovalDelegation.objects.filter(user=world.stranger).exists()
    response = api.post("/api/v1/approval-delegations/", {"user": world.boss.pk, "delegate": world.stranger.pk,
                                                          "starts_on": "2026-01-01", "ends_on": "2099-01-01"},
                        format="json")
    assert response.status_code in (400, 403)
    assert not ApprovalDelegation.objects.filter(delegate=world.stranger).exists()


HOSTILE_VALUES = [2**70, -1, "\x00", "a\x00b", "9999-12-31", "0001-01-01", "99999-01-01", "1e309", [], {},
                  ["١٢"], "REQ" + "9" * 40, {"a": {"b": [1, {"c": None}]}}]


def deep(levels=5000):
    return "[" * levels + "]" * levels


def test_hostile_input_is_a_4xx_never_a_500(world, api_as):
    manager = factories.manager(username="cfg")
    api, admin_api = api_as(world.agent), api_as(manager)
    requester_api = api_as(world.victim)
    client = Client(raise_request_exception=False)
    client.force_login(world.victim)
    r, t, i, a = world.waiting.pk, world.task.pk, world.item.pk, world.approval.pk
    cases = [(requester_api, "/api/v1/requests/", ("catalog_item", "variables", "title")),
             (api, "/api/v1/requests/", ("catalog_item", "variables", "requester", "title")),
             (api, f"/api/v1/requests/{r}/transition/", ("to", "cancel_reason", "version")),
             (api, f"/api/v1/tasks/{t}/transition/", ("to", "resolution_notes", "version")),
             (api, "/api/v1/tasks/", ("request", "team", "title")),
             (api, f"/api/v1/approvals/{a}/reject/", ("comment",)),
             (admin_api, "/api/v1/catalog-items/", ("fields", "approval", "tasks", "category", "service",
                                                    "request_type", "organizations")),
             (requester_api, "/api/v1/approval-delegations/", ("delegate", "starts_on", "ends_on", "user"))]
    for caller, url, fields in cases:
        assert caller.generic("POST", url, deep(), content_type="application/json").status_code == 400, url
        for field in fields:
            for value in HOSTILE_VALUES:
                body = {"catalog_item": i, "variables": {"room": "x"}, "name": "Probe", field: value}
                response = caller.post(url, body, format="json")
                assert response.status_code < 500, (url, field, value, response.status_code)
    for variables in ({"room": "\x00"}, {"room": "x" * 100000}, {"colleague": 2**70}, {"colleague": "١٢"},
                      {"nope": 1}, [1, 2], "text", {"room": {"a": 1}}):
        response = requester_api.post("/api/v1/requests/", {"catalog_item": i, "variables": variables},
                                      format="json")
        assert response.status_code == 400, (variables, response.status_code)
    queries = ["/api/v1/requests/", "/api/v1/tasks/", "/api/v1/catalog-items/", "/api/v1/approvals/",
               "/portal/search/", "/portal/catalog/", "/portal/tickets/", "/requests/", "/requests/tasks/", "/"]
    for url in queries:
        for param in ("q", "cursor", "after", "before", "category", "ticket", "state", "mine", "request", "tab",
                      "catalog_item", "item"):
            for value in ("\x00", str(2**70), "99999-01-01", "-5", "١٢", "x" * 5000):
                response = (requester_api if url.startswith("/api/") else client).get(url, {param: value})
                assert response.status_code < 500, (url, param, value, response.status_code)
    before = ServiceRequest.objects.count()
    for field, value in (("room", "\x00"), ("colleague", str(2**70)), ("colleague", "١٢"), ("order-title", "x" * 999)):
        response = client.post(f"/portal/catalog/{i}/", {field: value})
        assert response.status_code == 400, (field, response.status_code)
    assert ServiceRequest.objects.count() == before


def test_an_approver_of_another_organization_decides_but_is_not_a_party(world, api_as):
    """Asked to approve, a requester-role approver reads the request and decides it; they may not reply, attach,
    cancel or close it, and it is not listed among their own requests."""
    outsider = factories.requester(username="outsider", organization=factories.OrganizationFactory(name="Hooli"))
    request = world.waiting
    stage_approval = approvals.start_stage(request, world.agent, [outsider], order=2).approvals.get()
    api = api_as(outsider)
    assert api.get(f"/api/v1/requests/{request.pk}/").status_code == 200
    assert api.post(f"/api/v1/requests/{request.pk}/comments/", {"body": "hi"}, format="json").status_code == 403
    response = api.post(f"/api/v1/requests/{request.pk}/transition/", {"to": "cancelled", "cancel_reason": "x"},
                        format="json")
    assert response.status_code in (400, 403)
    client = Client()
    client.force_login(outsider)
    page = client.get(f"/requests/{request.pk}/").content.decode()
    assert 'value="cancelled"' not in page and 'name="body"' not in page
    assert request.number not in client.get("/portal/tickets/").content.decode()
    assert request.number in client.get("/").content.decode()  # among the approvals waiting, not my requests
    assert api.post(f"/api/v1/approvals/{stage_approval.pk}/approve/", {"comment": ""},
                    format="json").status_code == 200
    request.refresh_from_db()
    assert request.comments.count() == 0 and not request.attachments.exists()
