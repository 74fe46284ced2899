"""Service catalogue, agreements, targets and timers through the API, with permissions and query counts."""

import pytest

from slm.models import Agreement
from tests.support import factories
from tests.support.cmdb_factories import CIFactory
from tests.support.queries import max_queries
from tests.support.slm_factories import AgreementFactory, TargetFactory, around_the_clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    acme = factories.OrganizationFactory(name="Acme")
    return {"acme": acme, "manager": factories.manager(username="cat-mgr"),
            "agent": factories.agent(username="cat-agent"),
            "requester": factories.requester(username="cat-req", organization=acme),
            "outsider": factories.requester(username="cat-out")}


def test_requesters_see_the_services_offered_to_their_organization(people, api_as):
    mail = factories.ServiceFactory(name="Mail")
    mail.customers.add(people["acme"])
    factories.ServiceFactory(name="Payroll")
    names = lambda user: [s["name"] for s in api_as(user).get("/api/v1/services/").json()["results"]]  # noqa: E731
    assert names(people["requester"]) == ["Mail"]
    assert names(people["outsider"]) == []
    assert sorted(names(people["agent"])) == ["Mail", "Payroll"]
    assert api_as(people["requester"]).post("/api/v1/services/", {"name": "X"}).status_code == 403


def test_managers_write_services(people, api_as):
    manager = api_as(people["manager"])
    r = manager.post("/api/v1/services/", {"name": "VPN", "customers": [people["acme"].pk], "status": "live",
                                           "service_hours": around_the_clock().pk}, format="json")
    assert r.status_code == 201, r.content
    assert manager.post("/api/v1/services/", {"name": "VPN"}, format="json").status_code == 400
    assert manager.post("/api/v1/services/", {"name": "Y", "customers": [10**20]}, format="json").status_code == 400
    assert api_as(people["agent"]).patch(f"/api/v1/services/{r.json()['id']}/", {"name": "Z"}).status_code == 403
    assert manager.patch(f"/api/v1/services/{r.json()['id']}/", {"criticality": 1}).json()["criticality"] == 1


def test_service_list_query_count(people, api_as):
    for n in range(10):
        service = factories.ServiceFactory(name=f"S{n}")
        service.customers.add(people["acme"])
        CIFactory(service=service)
    client = api_as(people["agent"])
    with max_queries(10):
        r = client.get("/api/v1/services/")
    assert len(r.json()["results"]) == 10


def agreement_payload(acme, **kw):
    return {"kind": "sla", "name": "Acme SLA", "organization": acme.pk, "valid_from": "2026-01-01",
            "availability_target": "99.900", **kw}


def test_agreement_lifecycle_and_versions(people, api_as):
    manager = api_as(people["manager"])
    r = manager.post("/api/v1/agreements/", agreement_payload(people["acme"]), format="json")
    assert r.status_code == 201, r.content
    agreement_id = r.json()["id"]
    r = manager.post("/api/v1/service-level-targets/", {
        "agreement": agreement_id, "name": "P1 resolution", "metric": "resolution", "priority": 1,
        "target_seconds": 14400, "pause_states": ["on_hold"]}, format="json")
    assert r.status_code == 201 and r.json()["warning_thresholds"] == [50, 75, 90]
    assert manager.patch(f"/api/v1/agreements/{agreement_id}/", {"status": "agreed"}).status_code == 200
    r = manager.patch(f"/api/v1/agreements/{agreement_id}/", {"name": "Changed"})
    assert r.status_code == 400 and "status" in r.json()
    r = manager.post("/api/v1/service-level-targets/", {
        "agreement": agreement_id, "name": "More", "metric": "response", "target_seconds": 60}, format="json")
    assert r.status_code == 400
    r = manager.post(f"/api/v1/agreements/{agreement_id}/new-version/")
    assert r.status_code == 201
    body = r.json()
    assert (body["version"], body["status"], body["previous_version"]) == (2, "draft", agreement_id)
    assert [t["name"] for t in body["targets"]] == ["P1 resolution"]
    assert manager.post(f"/api/v1/agreements/{agreement_id}/new-version/").status_code == 400
    assert manager.patch(f"/api/v1/agreements/{body['id']}/", {"name": "Acme SLA 2027"}).status_code == 200


@pytest.mark.parametrize("payload", [
    {"kind": "ola"}, {"valid_to": "2025-01-01"}, {"availability_target": "100.5"}, {"kind": "uc"},
    {"valid_from": "soon"}, {"status": "signed"},
])
def test_bad_agreements_are_400(people, api_as, payload):
    r = api_as(people["manager"]).post("/api/v1/agreements/", agreement_payload(people["acme"], **payload),
                                       format="json")
    assert r.status_code == 400, r.content


@pytest.mark.parametrize("payload", [
    {"ticket_kind": "spaceship"}, {"pause_states": ["sleeping"]}, {"warning_thresholds": [50, 120]},
    {"target_seconds": 0}, {"metric": "beauty"}, {"calendar": 10**20},
])
def test_bad_targets_are_400(people, api_as, payload):
    agreement = AgreementFactory(status="draft", organization=people["acme"])
    body = {"agreement": agreement.pk, "name": "T", "metric": "resolution", "target_seconds": 60, **payload}
    r = api_as(people["manager"]).post("/api/v1/service-level-targets/", body, format="json")
    assert r.status_code == 400, r.content


def test_only_managers_configure_agreements_and_targets(people, api_as):
    agreement = AgreementFactory(status="draft", organization=people["acme"])
    agent, requester = api_as(people["agent"]), api_as(people["requester"])
    assert agent.get(f"/api/v1/agreements/{agreement.pk}/").status_code == 200
    assert agent.post("/api/v1/agreements/", agreement_payload(people["acme"]), format="json").status_code == 403
    assert agent.delete(f"/api/v1/agreements/{agreement.pk}/").status_code == 403
    assert requester.get("/api/v1/agreements/").status_code == 403
    assert requester.get("/api/v1/service-level-targets/").status_code == 403
    assert agent.post("/api/v1/escalation-rules/", {"name": "x"}).status_code == 403
    assert api_as(people["manager"]).delete(f"/api/v1/agreements/{agreement.pk}/").status_code == 204
    assert not Agreement.objects.filter(pk=agreement.pk).exists()


def test_agreement_list_query_count(people, api_as):
    for n in range(8):
        TargetFactory(agreement=AgreementFactory(organization=people["acme"]))
    with max_queries(8):
        r = api_as(people["agent"]).get("/api/v1/agreements/")
    assert len(r.json()["results"]) == 8


def test_timers_api_follows_ticket_visibility(people, api_as):
    TargetFactory(calendar=around_the_clock())
    TargetFactory(calendar=None, metric="response", target_seconds=600)
    own = factories.incident(people["requester"])
    foreign = factories.incident(people["agent"])
    for _ in range(5):
        factories.incident(people["agent"])
    requester = api_as(people["requester"])
    rows = requester.get("/api/v1/sla-timers/").json()["results"]
    assert {r["ticket"] for r in rows} == {own.pk}
    # the due date and whether it runs, never the desk's targets, percentages or breaches
    assert set(rows[0]) == {"id", "ticket", "metric", "started_at", "due_at", "state", "stopped_at"}
    assert requester.get("/api/v1/sla-timers/", {"ticket": foreign.pk}).json()["results"] == []
    assert requester.get("/api/v1/sla-timers/", {"ticket": "x"}).status_code == 400
    agent = api_as(people["agent"])
    with max_queries(8):
        r = agent.get("/api/v1/sla-timers/")
    assert len(r.json()["results"]) == 14
    row = agent.get("/api/v1/sla-timers/", {"ticket": foreign.pk}).json()["results"][0]
    assert {"metric", "target_name", "target_seconds", "due_at", "elapsed_seconds", "percent", "state",
            "breached", "events"} <= set(row)
    assert row["state"] == "running" and row["events"][0]["kind"] == "attached"


def test_incident_queue_filters_on_sla(people, api_as):
    import datetime as dt

    from slm.models import SLATimer

    TargetFactory(calendar=None, target_seconds=3600)
    late, soon, later = (factories.incident(people["agent"]) for _ in range(3))
    SLATimer.objects.filter(ticket=late).update(breached_at=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    SLATimer.objects.filter(ticket=later).update(due_at=dt.datetime(2099, 1, 1, tzinfo=dt.timezone.utc))
    from incidents.filters import IncidentFilter
    from incidents.models import Incident

    breached = IncidentFilter({"sla_breached": "true"}, queryset=Incident.objects.all()).qs
    assert list(breached) == [late]
    due = IncidentFilter({"sla_due_within": "120"}, queryset=Incident.objects.all()).qs
    assert set(due) == {late, soon}
