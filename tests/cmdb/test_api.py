import pytest

from cmdb.models import CIAuditEntry, ConfigurationItem, Relationship
from tests.support import factories
from tests.support.cmdb_factories import CIClassFactory, CIFactory, RelationshipFactory
from tests.support.queries import max_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_api(api_as, manager_user):
    return api_as(manager_user)


@pytest.fixture
def server_class():
    return CIClassFactory(name="test_server")


def test_requester_has_no_access(requester_api):
    assert requester_api.get("/api/v1/cis/").status_code == 403
    assert requester_api.get("/api/v1/ci-classes/").status_code == 403
    assert requester_api.get("/api/v1/relationships/").status_code == 403


def test_agent_reads_but_cannot_write(agent_api):
    ci = CIFactory()
    assert agent_api.get("/api/v1/cis/").status_code == 200
    assert agent_api.get(f"/api/v1/cis/{ci.pk}/impact/").status_code == 200
    response = agent_api.post("/api/v1/cis/", {"name": "x", "ci_class": "application"})
    assert response.status_code == 403
    assert agent_api.post("/api/v1/cis/import/", []).status_code == 403


def test_anonymous_is_refused(client):
    assert client.get("/api/v1/cis/").status_code in (401, 403)


def test_manager_creates_ci_with_audit(manager_api, server_class):
    service = factories.ServiceFactory(name="Payroll")
    response = manager_api.post("/api/v1/cis/", {
        "name": "pay-01", "ci_class": "test_server", "environment": "staging", "service": service.pk,
        "attributes": {"cpu_cores": "8", "os": "linux", "backed_up": "yes"}}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["attributes"] == {"cpu_cores": 8, "os": "linux", "backed_up": True}
    assert body["service_name"] == "Payroll"
    ci = ConfigurationItem.objects.get(pk=body["id"])
    assert CIAuditEntry.objects.filter(ci=ci, action="created").count() == 1


@pytest.mark.parametrize("attributes, field", [
    ({}, "cpu_cores"),
    ({"cpu_cores": "many"}, "cpu_cores"),
    ({"cpu_cores": 2, "os": "beos"}, "os"),
    ({"cpu_cores": 2, "backed_up": "perhaps"}, "backed_up"),
    ({"cpu_cores": 2, "installed_on": "31/12/2024"}, "installed_on"),
    ({"cpu_cores": 2, "colour": "red"}, "colour"),
])
def test_attributes_are_validated_against_the_class_schema(manager_api, server_class, attributes, field):
    response = manager_api.post("/api/v1/cis/", {"name": "bad", "ci_class": "test_server",
                                                 "attributes": attributes}, format="json")
    assert response.status_code == 400
    messages = response.json()["attributes"]
    assert any(m.startswith(f"{field}:") for m in messages), messages
    assert not ConfigurationItem.objects.filter(name="bad").exists()


def test_update_records_attribute_changes(manager_api, server_class):
    ci = CIFactory(ci_class=server_class, attributes={"cpu_cores": 2})
    response = manager_api.patch(f"/api/v1/cis/{ci.pk}/", {"attributes": {"cpu_cores": 4}, "location": "DC1"},
                                 format="json")
    assert response.status_code == 200, response.json()
    entry = CIAuditEntry.objects.get(ci=ci, action="updated")
    assert entry.changes == {"attributes.cpu_cores": [2, 4], "location": ["", "DC1"]}


def test_duplicate_class_and_name_is_400(manager_api):
    CIFactory(name="web-01")
    response = manager_api.post("/api/v1/cis/", {"name": "web-01", "ci_class": "application"}, format="json")
    assert response.status_code == 400
    assert response.json()


def test_unknown_class_is_400(manager_api):
    response = manager_api.post("/api/v1/cis/", {"name": "x", "ci_class": "spaceship"}, format="json")
    assert response.status_code == 400
    assert "ci_class" in response.json()


def test_relationship_self_loop_is_400(manager_api):
    ci = CIFactory()
    response = manager_api.post("/api/v1/relationships/", {"source": ci.pk, "target": ci.pk, "kind": "depends_on"})
    assert response.status_code == 400
    assert "target" in response.json()
    assert not Relationship.objects.exists()


def test_relationship_duplicate_is_400(manager_api):
    a, b = CIFactory(), CIFactory()
    first = manager_api.post("/api/v1/relationships/", {"source": a.pk, "target": b.pk, "kind": "runs_on"})
    assert first.status_code == 201, first.json()
    again = manager_api.post("/api/v1/relationships/", {"source": a.pk, "target": b.pk, "kind": "runs_on"})
    assert again.status_code == 400
    assert Relationship.objects.count() == 1
    other_kind = manager_api.post("/api/v1/relationships/", {"source": a.pk, "target": b.pk, "kind": "depends_on"})
    assert other_kind.status_code == 201
    assert CIAuditEntry.objects.filter(ci=a, action="related").count() == 2


def test_relationship_bad_kind_is_400(manager_api):
    a, b = CIFactory(), CIFactory()
    response = manager_api.post("/api/v1/relationships/", {"source": a.pk, "target": b.pk, "kind": "likes"})
    assert response.status_code == 400
    assert "kind" in response.json()


def test_relationship_delete_is_audited(manager_api):
    rel = RelationshipFactory()
    assert manager_api.delete(f"/api/v1/relationships/{rel.pk}/").status_code == 204
    assert CIAuditEntry.objects.filter(ci=rel.source, action="unrelated").exists()


def test_ci_list_filters_and_query_count(agent_api):
    service = factories.ServiceFactory(name="Mail")
    org = factories.OrganizationFactory(name="Acme")
    team = factories.TeamFactory(name="Ops")
    for n in range(15):
        CIFactory(name=f"mail-{n}", service=service, organization=org, owner_team=team, environment="production")
    CIFactory(name="other", environment="test")
    with max_queries(6):
        response = agent_api.get("/api/v1/cis/", {"service": service.pk})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 15
    assert [r["name"] for r in agent_api.get("/api/v1/cis/", {"environment": "test"}).json()["results"]] == ["other"]
    assert agent_api.get("/api/v1/cis/", {"ci_class": "application", "q": "mail-1"}).json()["results"]
    assert agent_api.get("/api/v1/cis/", {"environment": "nowhere"}).status_code == 400


def test_ci_search_for_the_picker(agent_api):
    service = factories.ServiceFactory(name="CRM")
    ci = CIFactory(name="crm-db-01", service=service)
    CIFactory(name="unrelated")
    with max_queries(5):
        response = agent_api.get("/api/v1/cis/", {"search": "crm"})
    assert response.json()["results"] == [{"id": ci.pk, "name": "crm-db-01", "ci_class": "application",
                                          "class_label": "Application", "service": service.pk,
                                          "service_name": "CRM"}]


def test_cursor_pagination(agent_api):
    for n in range(5):
        CIFactory(name=f"page-{n}")
    first = agent_api.get("/api/v1/cis/", {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    second = agent_api.get(first["next"]).json()
    assert {r["id"] for r in first["results"]}.isdisjoint({r["id"] for r in second["results"]})


def test_relationship_and_class_lists_query_count(agent_api):
    for _ in range(10):
        RelationshipFactory()
    with max_queries(6):
        response = agent_api.get("/api/v1/relationships/")
    assert len(response.json()["results"]) == 10
    with max_queries(5):
        assert agent_api.get("/api/v1/ci-classes/").status_code == 200


def test_class_schema_is_validated(manager_api):
    response = manager_api.post("/api/v1/ci-classes/", {"name": "router", "label": "Router", "attribute_schema": [
        {"name": "ports", "type": "tuple"}]}, format="json")
    assert response.status_code == 400
    assert "attribute_schema" in response.json()
    ok = manager_api.post("/api/v1/ci-classes/", {"name": "router", "label": "Router", "attribute_schema": [
        {"name": "ports", "type": "integer", "required": True}]}, format="json")
    assert ok.status_code == 201, ok.json()


def test_seeded_classes_exist(agent_api):
    names = {c["name"] for c in agent_api.get("/api/v1/ci-classes/").json()["results"]}
    assert {"server", "virtual_machine", "database", "application", "network_device", "load_balancer",
            "storage", "business_service"} <= names
