"""Releases: their changes, CIs and services; deploying records the version on each CI, in its history."""

import pytest
from django.urls import reverse

from changes import releases
from changes.models import Release
from cmdb.models import CIAuditEntry, CIClass
from core.models import AuditEntry
from core.services import PermissionDeniedError
from tests.support import change_factories as cf
from tests.support import factories
from tests.support.cmdb_factories import CIClassFactory, CIFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def apps():
    application = CIClass.objects.get_or_create(name="application", defaults={
        "label": "Application", "attribute_schema": [{"name": "version", "type": "string", "required": False}]})[0]
    return [CIFactory(name="payroll-web", ci_class=application, attributes={"version": "1.9"}),
            CIFactory(name="payroll-batch", ci_class=application)]


def test_deploy_records_the_version_in_each_cis_history(apps):
    manager = factories.manager()
    release = cf.release(cis=apps, version="2.0")
    release = releases.deploy(release, manager)
    assert release.state == Release.State.DEPLOYED and release.deployed_at is not None
    web, batch = apps
    web.refresh_from_db()
    batch.refresh_from_db()
    assert web.attributes == {"version": "2.0"} and batch.attributes == {"version": "2.0"}
    entry = CIAuditEntry.objects.filter(ci=web).latest("id")
    assert entry.changes == {"attributes.version": ["1.9", "2.0"]} and entry.actor == manager
    assert CIAuditEntry.objects.filter(ci=batch).latest("id").changes == {"attributes.version": [None, "2.0"]}
    with pytest.raises(Exception) as again:
        releases.deploy(release, manager)
    assert "state" in again.value.message_dict


def test_the_ci_page_history_shows_the_version(apps, client):
    release = cf.release(cis=apps[:1], version="2.1")
    releases.deploy(release, factories.manager())
    client.force_login(factories.agent())
    text = client.get(reverse("cmdb:ci_detail", args=[apps[0].pk])).content.decode()
    assert "2.1" in text


def test_cis_whose_class_has_no_version_are_refused(apps):
    switch = CIFactory(name="core-sw", ci_class=CIClassFactory(name="network_box", attribute_schema=[]))
    release = cf.release(cis=[apps[0], switch])
    with pytest.raises(Exception) as refused:
        releases.deploy(release, factories.manager())
    assert "core-sw" in refused.value.message_dict["configuration_items"][0]
    apps[0].refresh_from_db()
    assert apps[0].attributes == {"version": "1.9"}  # nothing half-done


def test_only_managers_and_the_change_authority_deploy(apps):
    release = cf.release(cis=apps)
    with pytest.raises(PermissionDeniedError):
        releases.deploy(release, factories.agent())
    assert releases.deploy(release, cf.change_authority()).state == Release.State.DEPLOYED


def test_api_create_with_changes_and_deploy(apps, api_as):
    manager, agent = factories.manager(), factories.agent()
    change = cf.implemented()
    service = factories.ServiceFactory(name="Payroll")
    api = api_as(manager)
    response = api.post("/api/v1/releases/", {"name": "Payroll", "version": "3.0", "planned_date": "2030-02-01",
                                              "configuration_items": [ci.pk for ci in apps],
                                              "services": [service.pk], "changes": [change.pk]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "planned" and body["changes"] == [change.pk] and body["services"] == [service.pk]
    change.refresh_from_db()
    assert change.release_id == body["id"]
    assert AuditEntry.objects.filter(ticket_id=change.pk, changes__has_key="release").exists()
    assert api.post("/api/v1/releases/", {"name": "Payroll", "version": "3.0"}).status_code == 400
    assert api_as(agent).get("/api/v1/releases/").json()["results"][0]["id"] == body["id"]
    assert api_as(agent).post(f"/api/v1/releases/{body['id']}/deploy/").status_code == 403
    assert api_as(factories.requester()).get("/api/v1/releases/").status_code == 403
    deployed = api.post(f"/api/v1/releases/{body['id']}/deploy/")
    assert deployed.status_code == 200 and deployed.json()["state"] == "deployed"
    assert api.patch(f"/api/v1/releases/{body['id']}/", {"version": "3.1"}).status_code == 400


def test_pages_list_detail_form_and_deploy(apps, client):
    release = cf.release(cis=apps, version="4.0")
    client.force_login(factories.agent())
    assert "Payroll" in client.get(reverse("releases:list")).content.decode()
    page = client.get(reverse("releases:detail", args=[release.pk])).content.decode()
    assert "payroll-web" in page and 'id="deploy"' not in page
    assert client.post(reverse("releases:deploy", args=[release.pk])).status_code == 403
    assert client.get(reverse("releases:create")).status_code == 403
    client.force_login(factories.manager())
    created = client.post(reverse("releases:create"), {"name": "HR", "version": "1.0",
                                                      "configuration_items": "payroll-batch", "changes": ""})
    assert created.status_code == 302 and Release.objects.get(name="HR").configuration_items.count() == 1
    assert 'id="deploy"' in client.get(reverse("releases:detail", args=[release.pk])).content.decode()
    response = client.post(reverse("releases:deploy", args=[release.pk]))
    assert response.status_code == 302
    release.refresh_from_db()
    assert release.state == Release.State.DEPLOYED
