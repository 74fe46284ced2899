import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cmdb.models import CIAuditEntry, ConfigurationItem, Relationship
from tests.support import factories
from tests.support.cmdb_factories import CIClassFactory, CIFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_api(api_as, manager_user):
    return api_as(manager_user)


@pytest.fixture(autouse=True)
def reference_data():
    CIClassFactory(name="test_server")
    factories.ServiceFactory(name="Payroll")
    factories.TeamFactory(name="Unix")


GOOD = [
    {"name": "pay-01", "class": "test_server", "external_id": "disc-1", "service": "Payroll",
     "owner_team": "Unix", "attributes": {"cpu_cores": 4}},
    {"name": "pay-db", "class": "database", "attributes": {"engine": "postgresql", "port": "5432"}},
]


def test_dry_run_reports_row_errors_and_writes_nothing(manager_api):
    rows = GOOD + [
        {"name": "bad-1", "class": "test_server", "attributes": {"cpu_cores": "lots"}},
        {"name": "bad-2", "class": "no_such_class"},
        {"name": "bad-3", "class": "database", "service": "Nope", "environment": "moon"},
        {"name": "pay-01", "class": "test_server", "attributes": {"cpu_cores": 1}},
    ]
    response = manager_api.post("/api/v1/cis/import/?dry_run=1", rows, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["created"] == 2 and body["updated"] == 0
    errors = {e["row"]: e["errors"] for e in body["errors"]}
    assert set(errors) == {3, 4, 5, 6}
    assert "attributes" in errors[3]
    assert "class" in errors[4]
    assert {"service", "environment"} <= set(errors[5])
    assert "Duplicate of row 1" in errors[6]["name"][0]
    assert ConfigurationItem.objects.count() == 0


def test_dry_run_of_good_rows_writes_nothing(manager_api):
    body = manager_api.post("/api/v1/cis/import/?dry_run=true", GOOD, format="json").json()
    assert body == {"created": 2, "updated": 0, "errors": [], "dry_run": True}
    assert ConfigurationItem.objects.count() == 0


def test_import_is_all_or_nothing(manager_api):
    rows = GOOD + [{"name": "bad", "class": "test_server"}]
    response = manager_api.post("/api/v1/cis/import/", rows, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["row"] == 3
    assert ConfigurationItem.objects.count() == 0


def test_upsert_by_external_id_and_by_class_and_name(manager_api):
    first = manager_api.post("/api/v1/cis/import/", GOOD, format="json")
    assert first.json() == {"created": 2, "updated": 0, "errors": [], "dry_run": False}
    pay = ConfigurationItem.objects.get(external_id="disc-1")
    assert pay.attributes == {"cpu_cores": 4} and pay.service.name == "Payroll" and pay.owner_team.name == "Unix"
    assert ConfigurationItem.objects.get(name="pay-db").attributes == {"engine": "postgresql", "port": 5432}
    second = [
        {"name": "pay-01-renamed", "class": "test_server", "external_id": "disc-1", "attributes": {"cpu_cores": 8}},
        {"name": "pay-db", "class": "database", "status": "maintenance"},
    ]
    body = manager_api.post("/api/v1/cis/import/", second, format="json").json()
    assert body == {"created": 0, "updated": 2, "errors": [], "dry_run": False}
    assert ConfigurationItem.objects.count() == 2
    pay.refresh_from_db()
    assert pay.name == "pay-01-renamed" and pay.attributes == {"cpu_cores": 8}
    db = ConfigurationItem.objects.get(name="pay-db")
    assert db.status == "maintenance" and db.attributes["engine"] == "postgresql"
    assert CIAuditEntry.objects.filter(ci=pay, action="imported").count() == 2


def test_csv_upload(manager_api):
    text = ("name,class,environment,external_id,attr.cpu_cores,attr.os\n"
            "csv-1,test_server,test,e-1,2,linux\n"
            "csv-2,test_server,production,e-2,x,linux\n")
    upload = SimpleUploadedFile("cis.csv", text.encode(), content_type="text/csv")
    dry = manager_api.post("/api/v1/cis/import/?dry_run=1", {"file": upload}, format="multipart").json()
    assert dry["created"] == 1 and dry["errors"][0]["row"] == 2
    fixed = text.replace(",x,", ",3,")
    upload = SimpleUploadedFile("cis.csv", fixed.encode(), content_type="text/csv")
    body = manager_api.post("/api/v1/cis/import/", {"file": upload}, format="multipart").json()
    assert body["created"] == 2
    assert ConfigurationItem.objects.get(external_id="e-1").attributes == {"cpu_cores": 2, "os": "linux"}


def test_garbage_upload_is_400(manager_api):
    upload = SimpleUploadedFile("cis.json", b"{not json", content_type="application/json")
    response = manager_api.post("/api/v1/cis/import/", {"file": upload}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()
    assert manager_api.post("/api/v1/cis/import/", {"name": "x"}, format="json").status_code == 400


def test_relationship_import_by_natural_keys(manager_api):
    manager_api.post("/api/v1/cis/import/", GOOD, format="json")
    rows = [{"source": "pay-01", "source_class": "test_server", "kind": "depends_on", "target": "pay-db",
             "target_class": "database"},
            {"source_external_id": "disc-1", "kind": "depends_on", "target": "pay-db", "target_class": "database"},
            {"source": "ghost", "source_class": "test_server", "kind": "depends_on", "target": "pay-db",
             "target_class": "database"},
            {"source": "pay-db", "source_class": "database", "kind": "hugs", "target": "pay-db",
             "target_class": "database"}]
    dry = manager_api.post("/api/v1/relationships/import/?dry_run=1", rows, format="json").json()
    assert [e["row"] for e in dry["errors"]] == [3, 4] and dry["created"] == 1
    assert manager_api.post("/api/v1/relationships/import/", rows, format="json").status_code == 400
    assert Relationship.objects.count() == 0
    body = manager_api.post("/api/v1/relationships/import/", rows[:2], format="json").json()
    assert body["created"] == 1 and body["errors"] == []
    again = manager_api.post("/api/v1/relationships/import/", rows[:2], format="json").json()
    assert again["created"] == 0 and again["unchanged"] == 1
    assert Relationship.objects.count() == 1


def test_export_csv_and_json_round_trip(manager_api, agent_api):
    manager_api.post("/api/v1/cis/import/", GOOD, format="json")
    response = agent_api.get("/api/v1/cis/export/", {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {r["name"] for r in rows} == {"pay-01", "pay-db"}
    assert json.loads(next(r for r in rows if r["name"] == "pay-01")["attributes"]) == {"cpu_cores": 4}
    exported = json.loads(b"".join(agent_api.get("/api/v1/cis/export/", {"format": "json"}).streaming_content))
    assert len(exported) == 2
    body = manager_api.post("/api/v1/cis/import/", exported, format="json").json()
    assert body == {"created": 0, "updated": 2, "errors": [], "dry_run": False}
    filtered = json.loads(b"".join(agent_api.get("/api/v1/cis/export/", {"format": "json",
                                                                            "ci_class": "database"}).streaming_content))
    assert [r["name"] for r in filtered] == ["pay-db"]


def test_import_needs_a_manager(agent_api):
    assert agent_api.post("/api/v1/cis/import/?dry_run=1", GOOD, format="json").status_code == 403
    assert CIFactory() and ConfigurationItem.objects.count() == 1


def test_csv_export_neutralises_formula_cells(manager_api, agent_api):
    rows = [dict(GOOD[0], name="=HYPERLINK(\"http://evil\")", external_id="-1+1")]
    assert manager_api.post("/api/v1/cis/import/", rows, format="json").status_code in (200, 201)
    response = agent_api.get("/api/v1/cis/export/", {"format": "csv"})
    exported = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert exported[0]["name"] == "'=HYPERLINK(\"http://evil\")"
    assert exported[0]["external_id"] == "'-1+1"
