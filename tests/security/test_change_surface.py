"""Every page and API endpoint added by change enablement: a requester learns nothing from them (not even the
number of a change that caused their own incident), and hostile input is a 4xx, never a 500."""

from types import SimpleNamespace

import pytest
from django.test import Client

from changes import cab, releases
from changes.models import AgendaItem, Change, ChangeTemplate
from core import services as core_services
from core.models import LinkKind
from tests.support import change_factories, factories
from tests.support.cmdb_factories import CIFactory

pytestmark = pytest.mark.django_db

SECRETS = ("Secret firewall opening for the auditors", "Hidden CAB board", "Covert spooler template",
           "Quiet release name")


@pytest.fixture
def world():
    agent = factories.agent()
    manager = factories.manager()
    acme = factories.OrganizationFactory(name="Acme")
    victim = factories.requester(organization=acme)
    switch = CIFactory(name="fw-edge-01", organization=acme)
    board = change_factories.board(name=SECRETS[1], members=[manager], chair=manager, rule="any", required=1)
    change = change_factories.change(actor=agent, title=SECRETS[0], configuration_items=[switch])
    template = change_factories.template(name=SECRETS[2])
    meeting = cab.create_meeting(manager, {"board": board, "starts_at": change.planned_start, "title": "Weekly"})
    AgendaItem.objects.create(meeting=meeting, change=change, order=1)
    release = releases.save_release(manager, {"name": SECRETS[3], "version": "1.0"})
    window = change_factories.blackout() if hasattr(change_factories, "blackout") else None
    incident = factories.incident(actor=agent, requester=victim, title="Firewall drops our VPN",
                                  configuration_item=switch)
    core_services.add_link(incident, agent, change, LinkKind.CAUSED_BY)
    return SimpleNamespace(agent=agent, manager=manager, victim=victim, change=change, template=template,
                           meeting=meeting, release=release, window=window, incident=incident,
                           stranger=factories.requester(organization=factories.OrganizationFactory(name="Initech")))


def pages(w):
    c, t, m, r, i = w.change.pk, w.template.pk, w.meeting.pk, w.release.pk, w.incident.pk
    return [
        "/changes/", "/changes/?q=firewall", "/changes/new/", f"/changes/{c}/", f"/changes/{c}/edit/",
        "/changes/schedule/", "/changes/schedule/?view=list", "/changes/cab/", f"/changes/cab/{m}/",
        "/changes/templates/", f"/changes/templates/{t}/", "/changes/releases/", f"/changes/releases/{r}/",
        "/changes/reports/", "/changes/reports/?format=csv", "/changes/schedule/?view=week", "/search/?q=firewall",
        "/api/v1/approvals/", "/api/v1/approvals/?mine=true", "/api/v1/changes/", f"/api/v1/changes/{c}/",
        f"/api/v1/changes/{c}/audit/", f"/api/v1/changes/{c}/links/", f"/api/v1/changes/{c}/conflicts/",
        "/api/v1/change-templates/", f"/api/v1/change-templates/{t}/", "/api/v1/blackout-windows/",
        "/api/v1/change-schedule/?start=2020-01-01T00:00:00Z&end=2020-02-01T00:00:00Z", "/api/v1/cab-meetings/",
        f"/api/v1/cab-meetings/{m}/", "/api/v1/releases/", f"/api/v1/releases/{r}/", "/api/v1/search/?q=firewall",
        f"/api/v1/incidents/{i}/links/", f"/api/v1/incidents/{i}/", f"/incidents/{i}/",
        f"/api/v1/incidents/{i}/audit/",
    ]


def posts(w):
    c, t, m, r, i = w.change.pk, w.template.pk, w.meeting.pk, w.release.pk, w.incident.pk
    item = AgendaItem.objects.get(meeting=w.meeting).pk
    return [
        (f"/changes/{c}/act/note/", {"body": "x"}), (f"/changes/{c}/risk/", {}),
        (f"/changes/caused-by/{i}/", {"change": c}), (f"/changes/cab/{m}/agenda/", {}),
        (f"/changes/cab/{m}/minutes/", {"minutes": "x"}),
        (f"/changes/cab/{m}/items/{item}/decide/", {f"item{item}-decision": "approved"}),
        (f"/changes/templates/{t}/raise/", {}), (f"/changes/templates/{t}/retire/", {}),
        (f"/changes/releases/{r}/deploy/", {}), ("/api/v1/changes/", {"title": "x"}),
        (f"/api/v1/changes/{c}/transition/", {"to": "cancelled", "cancel_reason": "x"}),
        (f"/api/v1/change-templates/{t}/raise/", {}), (f"/api/v1/change-templates/{t}/retire/", {}),
        ("/api/v1/blackout-windows/", {"name": "x", "start": "2030-01-01T00:00:00Z",
                                       "end": "2030-01-02T00:00:00Z"}),
        (f"/api/v1/cab-meetings/{m}/decide/", {"change": c, "decision": "approved"}),
        (f"/api/v1/releases/{r}/deploy/", {}),
    ]


@pytest.mark.parametrize("who", ["stranger", "victim"])
def test_a_requester_learns_nothing_about_changes(world, api_as, who):
    user = getattr(world, who)
    client = Client()
    client.force_login(user)
    api = api_as(user)
    for url in pages(world):
        response = (api if url.startswith("/api/") else client).get(url)
        assert response.status_code in (200, 302, 403, 404), (url, response.status_code)
        body = response.content.decode()
        for secret in SECRETS + (world.change.number,):
            assert secret not in body, (url, secret)
    for url, data in posts(world):
        response = (api.post(url, data, format="json") if url.startswith("/api/") else client.post(url, data))
        assert response.status_code in (302, 403, 404), (url, response.status_code)
    change = Change.objects.get(pk=world.change.pk)
    assert change.state == "new" and change.comments.count() == 0
    assert Change.objects.count() == 1 and ChangeTemplate.objects.get(pk=world.template.pk).state == "published"
    assert AgendaItem.objects.get(meeting=world.meeting).decision == ""
    world.release.refresh_from_db()
    assert world.release.state == "planned"


HOSTILE_VALUES = [2**70, -1, "\x00", "a\x00b", "9999-12-31T00:00:00Z", "0001-01-01T00:00:00Z", "1e309", [], {},
                  ["١٢"], [2**70], "CHG" + "9" * 40]


def test_hostile_input_is_a_4xx_never_a_500(world, api_as):
    api = api_as(world.manager)
    c, t, m = world.change.pk, world.template.pk, world.meeting.pk
    api_posts = [("/api/v1/changes/", ("type", "template", "planned_start", "planned_end", "configuration_items",
                                       "services", "risk_answers", "model")),
                 (f"/api/v1/changes/{c}/transition/", ("to", "outcome", "cancel_reason", "version")),
                 (f"/api/v1/change-templates/{t}/raise/", ("planned_start", "configuration_items", "title")),
                 ("/api/v1/blackout-windows/", ("start", "end", "services", "name")),
                 (f"/api/v1/cab-meetings/{m}/decide/", ("change", "decision", "notes"))]
    for url, fields in api_posts:
        assert api.generic("POST", url, "[" * 5000 + "]" * 5000,
                           content_type="application/json").status_code == 400, url
        for field in fields:
            for value in HOSTILE_VALUES:
                body = {"title": "Probe", "name": "Probe", "start": "2030-01-01T00:00:00Z",
                        "end": "2030-01-02T00:00:00Z", field: value}
                response = api.post(url, body, format="json")
                assert response.status_code < 500, (url, field, value, response.status_code)
    for value in HOSTILE_VALUES:
        response = api.patch(f"/api/v1/changes/{c}/", {"risk_answers": value}, format="json")
        assert response.status_code < 500, (value, response.status_code)
        for query in ("start", "end"):
            response = api.get("/api/v1/change-schedule/", {"start": "2030-01-01T00:00:00Z",
                                                             "end": "2030-01-02T00:00:00Z", query: str(value)})
            assert response.status_code < 500, (query, value)
    client = Client(raise_request_exception=False)
    client.force_login(world.manager)
    for query in ({"date": "99999-01-01"}, {"view": "year"}, {"service": "x"}, {"team": 2**70}, {"date": "\x00"}):
        assert client.get("/changes/schedule/", query).status_code < 500, query
    for query in ({"start": "9999-12-31"}, {"start": "\x00"}, {"end": "1-1-1"}):
        assert client.get("/changes/reports/", query).status_code < 500, query
