"""The change API contract: type, template, planned window, configuration_items and services as ids (unknown ids
400), read-only risk with its inputs (re-assessed when the CIs change), gate refusals as 400s that say why, the
conflicts endpoint's shape and a list whose query count does not grow."""

import pytest

from changes.models import Change
from tests.slm.clock import Clock
from tests.support import change_factories, factories
from tests.support.cmdb_factories import CIFactory
from tests.support.queries import count_queries

pytestmark = pytest.mark.django_db

URL = "/api/v1/changes/"
WINDOW = {"planned_start": "2030-01-05T22:00:00Z", "planned_end": "2030-01-05T23:30:00Z"}
PLANS = {"implementation_plan": "Stage and reload", "backout_plan": "Boot the previous image"}


@pytest.fixture
def agent():
    return factories.agent()


@pytest.fixture
def api(api_as, agent):
    return api_as(agent)


def test_create_normal_change_with_cis_and_services(api):
    switch, router = CIFactory(name="core-switch-01"), CIFactory(name="edge-router")
    mail = factories.ServiceFactory(name="Mail")
    response = api.post(URL, {"title": "Upgrade the core switch", "type": "normal", **WINDOW, **PLANS,
                              "configuration_items": [switch.pk, router.pk], "services": [mail.pk]}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["type"] == "normal" and body["number"].startswith("CHG")
    assert sorted(body["configuration_items"]) == sorted([switch.pk, router.pk]) and body["services"] == [mail.pk]
    assert body["planned_start"].startswith("2030-01-05T22:00") and body["planned_end"].startswith("2030-01-05T23:30")
    assert set(body["risk"]) == {"level", "score", "inputs", "assessed_at"}
    assert body["risk"]["level"] in ("low", "medium", "high") and body["risk"]["assessed_at"]
    assert body["template"] is None and body["state"] == "new"
    detail = api.get(f"{URL}{body['id']}/").json()
    assert detail["caused_incidents"] == [] and sorted(detail["configuration_items"]) == sorted([switch.pk, router.pk])


def test_create_emergency_change_needs_a_review(api):
    response = api.post(URL, {"title": "Patch the exploited firewall", "type": "emergency", **WINDOW, **PLANS},
                        format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["type"] == "emergency" and body["review_required"] is True


def test_standard_change_from_a_template(api):
    template = change_factories.template()
    response = api.post(URL, {"title": "Restart the spooler", "type": "standard", "template": template.pk},
                        format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["type"], body["template"], body["state"]) == ("standard", template.pk, "scheduled")
    assert body["planned_start"] and body["planned_end"]


@pytest.mark.parametrize("payload, field", [
    ({"configuration_items": [999999]}, "configuration_items"),
    ({"configuration_items": ["x"]}, "configuration_items"),
    ({"services": [999999]}, "services"),
    ({"services": "all"}, "services"),
    ({"type": "whenever"}, "type"),
    ({"template": 999999}, "template"),
    ({"planned_start": "2030-01-05T22:00:00Z"}, "planned_end"),
    ({"risk": {"level": "low"}, "configuration_items": [999999]}, "configuration_items"),
])
def test_bad_input_is_a_400_on_its_field(api, payload, field):
    response = api.post(URL, {"title": "x", **payload}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not Change.objects.exists()


def test_risk_is_read_only(api, agent):
    change = change_factories.change(agent)
    response = api.patch(f"{URL}{change.pk}/", {"risk": {"level": "high", "score": 99}}, format="json")
    assert response.status_code == 200
    assert Change.objects.get(pk=change.pk).risk_score != 99


def test_changing_the_cis_reassesses_the_risk(monkeypatch, api, agent):
    clock = Clock(monkeypatch)
    change = change_factories.change(agent)
    before = Change.objects.get(pk=change.pk).risk_assessed_at
    clock.advance(minutes=5)
    switch = CIFactory(name="core-switch-01")
    response = api.patch(f"{URL}{change.pk}/", {"configuration_items": [switch.pk]}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["configuration_items"] == [switch.pk]
    change = Change.objects.get(pk=change.pk)
    assert change.risk_assessed_at > before and body["risk"]["assessed_at"]
    clock.advance(minutes=5)
    response = api.patch(f"{URL}{change.pk}/", {"title": "Only the title"}, format="json")
    assert Change.objects.get(pk=change.pk).risk_assessed_at == change.risk_assessed_at  # nothing to re-assess
    bad = api.patch(f"{URL}{change.pk}/", {"configuration_items": [switch.pk, 999999]}, format="json")
    assert bad.status_code == 400 and "configuration_items" in bad.json()
    assert list(Change.objects.get(pk=change.pk).configuration_items.all()) == [switch]


def test_gate_refusal_is_a_400_saying_what_is_missing(api, agent):
    change = change_factories.change(agent, backout_plan="")
    response = api.post(f"{URL}{change.pk}/transition/", {"to": "authorize"}, format="json")
    assert response.status_code == 400
    assert "back-out plan" in str(response.json())
    assert Change.objects.get(pk=change.pk).state == "new"
    response = api.post(f"{URL}{change.pk}/transition/", {"to": "implement"}, format="json")
    assert response.status_code == 400


def test_conflicts_endpoint_shape(api, agent):
    switch = CIFactory(name="core-switch-01")
    one = change_factories.change(agent, configuration_items=[switch])
    change_factories.change(agent, configuration_items=[switch])
    response = api.get(f"{URL}{one.pk}/conflicts/")
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body, list)
    for conflict in body:
        assert {"kind", "change", "blackout_window", "detail"} <= set(conflict)
        assert conflict["kind"] in ("ci_overlap", "service_overlap", "blackout")
    assert api.get(f"{URL}999999/conflicts/").status_code == 404


def test_requesters_get_nothing(api_as):
    change = change_factories.change()
    requester = api_as(factories.requester())
    assert requester.get(f"{URL}{change.pk}/").status_code == 404
    assert requester.get(f"{URL}{change.pk}/conflicts/").status_code == 404


def test_list_query_count_does_not_grow(api, agent):
    def make(n):
        for _ in range(n):
            change_factories.change(agent, configuration_items=[CIFactory(), CIFactory()],
                                    services=[factories.ServiceFactory()])

    make(2)
    api.get(URL)
    few = count_queries(lambda: api.get(URL))
    make(10)
    many = count_queries(lambda: api.get(URL))
    assert few == many, f"{few} queries for 2 changes, {many} for 12"
    assert many <= 12
    rows = api.get(URL).json()["results"]
    assert all(len(row["configuration_items"]) == 2 and len(row["services"]) == 1 for row in rows)


def test_a_standard_change_takes_its_title_from_the_template(api_as):
    template = change_factories.template(name="Rotate the backup tapes")
    api = api_as(factories.agent())
    response = api.post("/api/v1/changes/", {"type": "standard", "template": template.pk}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["title"] == "Rotate the backup tapes" and response.json()["state"] == "scheduled"
    missing = api.post("/api/v1/changes/", {"type": "normal"}, format="json")
    assert missing.status_code == 400 and "title" in missing.json()
