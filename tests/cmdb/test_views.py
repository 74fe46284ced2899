import pytest

from cmdb.models import CIAuditEntry, ConfigurationItem, Relationship
from tests.support import factories
from tests.support.cmdb_factories import CIClassFactory, CIFactory, chain
from tests.support.queries import max_queries

pytestmark = pytest.mark.django_db


def test_list_page_filters_and_query_count(client, agent_user):
    client.force_login(agent_user)
    service = factories.ServiceFactory(name="Mail")
    for n in range(20):
        CIFactory(name=f"mx-{n:02d}", service=service)
    CIFactory(name="lonely", environment="test")
    with max_queries(12):
        response = client.get("/cmdb/cis/", {"service": service.pk})
    assert response.status_code == 200
    assert b"mx-00" in response.content and b"lonely" not in response.content
    assert b"lonely" in client.get("/cmdb/cis/", {"environment": "test"}).content
    assert client.get("/cmdb/cis/", {"environment": "moon"}).status_code == 200
    unfiltered = client.get("/cmdb/cis/").content
    assert b"mx-00" in unfiltered and b"lonely" in unfiltered


def test_requester_cannot_open_cmdb(client, requester_user):
    client.force_login(requester_user)
    ci = CIFactory()
    assert client.get("/cmdb/cis/").status_code == 403
    assert client.get(f"/cmdb/cis/{ci.pk}/").status_code == 403


def test_detail_shows_impact_tickets_and_history(client, agent_user, manager_user):
    web, app, db = chain("web-1", "app-1", "db-1")
    from cmdb import services

    services.update_ci(db, manager_user, {"location": "DC2"})
    incident = factories.incident(title="Database slow", configuration_item=db)
    closed = factories.incident(title="Old outage", configuration_item=db)
    from core import services as core_services

    core_services.transition_ticket(closed, agent_user, "cancelled", {"cancel_reason": "Duplicate"})
    client.force_login(agent_user)
    with max_queries(25):
        response = client.get(f"/cmdb/cis/{db.pk}/")
    content = response.content.decode()
    assert response.status_code == 200
    assert 'data-ci-id="%d"' % web.pk in content and "db-1 → app-1 → web-1" in content
    assert incident.number in content and "Old outage" not in content
    assert "DC2" in content and "location" in content
    upstream = client.get(f"/cmdb/cis/{web.pk}/", {"direction": "upstream", "depth": 1}).content.decode()
    assert 'data-ci-id="%d"' % app.pk in upstream and 'data-ci-id="%d"' % db.pk not in upstream


def test_manager_creates_ci_with_attribute_errors_shown(client, manager_user):
    cls = CIClassFactory(name="ui_server")
    client.force_login(manager_user)
    form = client.get("/cmdb/cis/new/", {"ci_class": cls.pk})
    assert b'name="attr_cpu_cores"' in form.content
    data = {"name": "ui-01", "ci_class": cls.pk, "status": "in_use", "environment": "production",
            "attr_cpu_cores": "", "attr_os": "linux"}
    response = client.post("/cmdb/cis/new/", data)
    assert response.status_code == 400 and b"This field is required" in response.content
    assert not ConfigurationItem.objects.filter(name="ui-01").exists()
    data["attr_cpu_cores"] = "4"
    response = client.post("/cmdb/cis/new/", data)
    ci = ConfigurationItem.objects.get(name="ui-01")
    assert response.status_code == 302 and ci.attributes == {"cpu_cores": 4, "os": "linux"}
    duplicate = client.post("/cmdb/cis/new/", data)
    assert duplicate.status_code == 400 and ConfigurationItem.objects.filter(name="ui-01").count() == 1


def test_manager_edits_ci(client, manager_user):
    ci = CIFactory(name="edit-me")
    client.force_login(manager_user)
    assert client.get(f"/cmdb/cis/{ci.pk}/edit/").status_code == 200
    response = client.post(f"/cmdb/cis/{ci.pk}/edit/", {
        "name": "edited", "ci_class": ci.ci_class_id, "status": "maintenance", "environment": "staging",
        "attr_version": "2.1"})
    assert response.status_code == 302
    ci.refresh_from_db()
    assert ci.name == "edited" and ci.attributes == {"version": "2.1"}
    assert CIAuditEntry.objects.filter(ci=ci, action="updated").exists()


def test_agent_cannot_edit(client, agent_user):
    ci = CIFactory()
    client.force_login(agent_user)
    assert client.get(f"/cmdb/cis/{ci.pk}/edit/").status_code == 403
    assert client.post("/cmdb/cis/new/", {"name": "x"}).status_code == 403


def test_relationship_form_refuses_self_loop(client, manager_user):
    a, b = CIFactory(), CIFactory()
    client.force_login(manager_user)
    response = client.post(f"/cmdb/cis/{a.pk}/relationships/", {"kind": "depends_on", "target": a.pk,
                                                               "direction": "out"}, follow=True)
    assert b"cannot be related to itself" in response.content
    client.post(f"/cmdb/cis/{a.pk}/relationships/", {"kind": "runs_on", "target": b.pk, "direction": "out"})
    rel = Relationship.objects.get()
    assert (rel.source, rel.target, rel.kind) == (a, b, "runs_on")
    client.post(f"/cmdb/cis/{a.pk}/relationships/{rel.pk}/remove/")
    assert not Relationship.objects.exists()


def test_admin_defines_a_class(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/admin/cmdb/ciclass/add/", {
        "name": "printer", "label": "Printer", "description": "",
        "attribute_schema": '[{"name": "colour", "type": "boolean", "required": false}]'})
    assert response.status_code == 302
    from cmdb.models import CIClass

    assert CIClass.objects.get(name="printer").attribute_schema[0]["name"] == "colour"
    bad = client.post("/admin/cmdb/ciclass/add/", {"name": "bad", "label": "Bad",
                                                   "attribute_schema": '[{"name": "x", "type": "blob"}]'})
    assert bad.status_code == 200 and not CIClass.objects.filter(name="bad").exists()
