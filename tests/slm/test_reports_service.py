"""Availability, the monthly service report (HTML, print, CSV, JSON), the compliance page, and who may see them."""

import csv
import io

import pytest

from slm.reports import merge_intervals
from tests.support import factories
from tests.support import report_factories as rf
from tests.support.queries import count_queries

pytestmark = pytest.mark.django_db

OCTOBER_SECONDS = 31 * 86400


@pytest.fixture
def data():
    """E-mail: outages 10:00-12:00 and 11:00-13:00 on 10-10 (3 h merged) and 09-30 23:00-10-01 01:00
    (1 h inside October); a non-major incident's outage is ignored. Target 99.5 % -> 99.462 % achieved."""
    email, payroll = factories.ServiceFactory(name="E-mail"), factories.ServiceFactory(name="Payroll")
    acme = factories.OrganizationFactory(name="ACME")
    gold = rf.agreement(services=[email], organization=acme, availability_target="99.500", name="Gold")
    rf.agreement(services=[payroll], availability_target="99.000", name="Silver")
    res = rf.target(gold, "resolution", name="P5 resolution in 4 h")
    for start, end in [(rf.at(2026, 10, 10, 10), rf.at(2026, 10, 10, 12)),
                       (rf.at(2026, 10, 10, 11), rf.at(2026, 10, 10, 13)),
                       (rf.at(2026, 9, 30, 23), rf.at(2026, 10, 1, 1))]:
        rf.incident(service=email, is_major=True, outage_start=start, outage_end=end, organization=acme)
    rf.incident(service=email, outage_start=rf.at(2026, 10, 20), outage_end=rf.at(2026, 10, 21))
    breached = rf.incident(service=email, organization=acme, title="Mailbox full for the whole board")
    rf.set_times(breached, rf.at(2026, 10, 3), rf.at(2026, 10, 3, 0, 20), rf.at(2026, 10, 4))
    rf.timer(breached, res, breached_at=rf.at(2026, 10, 3, 4), stopped_at=rf.at(2026, 10, 4), met=False)
    met = rf.incident(service=email, organization=acme)
    rf.set_times(met, rf.at(2026, 10, 5), rf.at(2026, 10, 5, 0, 10), rf.at(2026, 10, 5, 2))
    rf.timer(met, res, stopped_at=rf.at(2026, 10, 5, 2), met=True)
    return {"email": email, "payroll": payroll, "acme": acme, "res": res, "breached": breached}


def test_merge_intervals_merges_overlaps_and_clips():
    start, end = rf.at(2026, 10, 1), rf.at(2026, 11, 1)
    assert merge_intervals([], start, end) == 0
    assert merge_intervals([(rf.at(2026, 10, 2), rf.at(2026, 10, 2, 2)), (rf.at(2026, 10, 2, 1), rf.at(2026, 10, 2, 3)),
                            (rf.at(2026, 10, 2, 3), rf.at(2026, 10, 2, 4))], start, end) == 4 * 3600
    assert merge_intervals([(rf.at(2026, 10, 31, 23), None)], start, end) == 3600  # still open: until period end
    assert merge_intervals([(rf.at(2026, 9, 1), rf.at(2026, 12, 1))], start, end) == OCTOBER_SECONDS


def test_availability_against_target(data, agent_user, api_as):
    rows = {r["label"]: r for r in api_as(agent_user).get("/api/v1/reports/availability/",
                                                          {"period": "2026-10"}).json()["rows"]}
    assert rows["E-mail"] == {"service": data["email"].pk, "label": "E-mail", "downtime_seconds": 4 * 3600,
                              "outages": 3, "availability": round(100 * (1 - 14400 / OCTOBER_SECONDS), 3),
                              "target": 99.5, "met": False}
    assert rows["E-mail"]["availability"] == 99.462
    assert (rows["Payroll"]["availability"], rows["Payroll"]["target"], rows["Payroll"]["met"]) == (100.0, 99.0, True)


def test_service_report_json(data, manager_user, api_as):
    url = f"/api/v1/reports/service/{data['email'].pk}/"
    report = api_as(manager_user).get(url, {"period": "2026-10", "organization": data["acme"].pk}).json()
    assert report["organization"] == {"id": data["acme"].pk, "name": "ACME"}
    assert report["total"] == {"measured": 2, "met": 1, "breached": 1, "compliance": 50.0,
                               "mtta_seconds": 900, "mttr_seconds": (86400 + 7200) // 2}
    assert [(t["name"], t["target_seconds"], t["measured"], t["compliance"]) for t in report["targets"]] == [
        ("P5 resolution in 4 h", 4 * 3600, 2, 50.0)]
    assert report["availability"]["availability"] == 99.462 and report["availability"]["target"] == 99.5
    by_priority = {p["priority"]: p["count"] for p in report["incidents_by_priority"]}
    assert by_priority == {1: 0, 2: 0, 3: 0, 4: 0, 5: 2}  # the two moved to October; the outages are "now"
    assert [b["ticket"]["number"] for b in report["breaches"]] == [data["breached"].number]
    assert report["satisfaction"] == {"count": 0, "average": None,
                                      "distribution": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}}


def test_service_report_csv_via_api_and_page(data, manager_user, api_as, client):
    url = f"/api/v1/reports/service/{data['email'].pk}/"
    response = api_as(manager_user).get(url, {"period": "2026-10", "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    client.force_login(manager_user)
    page = client.get(f"/slm/reports/service/{data['email'].pk}/export.csv", {"period": "2026-10"})
    assert page["Content-Disposition"] == f'attachment; filename="service-{data["email"].pk}-2026-10.csv"'
    rows = list(csv.reader(io.StringIO(page.content.decode())))
    assert rows[0] == ["Service report", "E-mail", "All customers", "2026-10"]
    values = {r[0]: r[1] for r in rows if len(r) == 2}
    assert values["Compliance %"] == "50.0" and values["Availability %"] == "99.462"
    assert values["Availability target %"] == "99.5" and values["Downtime (seconds)"] == "14400"
    assert ["P5 resolution in 4 h", "Gold v1", "resolution", "14400", "2", "1", "1", "50.0"] in rows
    assert [data["breached"].number, "Mailbox full for the whole board", "resolution", "P5 resolution in 4 h",
            "2026-10-03T04:00:00+00:00"] in rows
    same = client.get(f"/slm/reports/service/{data['email'].pk}/", {"period": "2026-10", "format": "csv"})
    assert same.content == page.content


def test_service_report_page_prints_cleanly(data, manager_user, client):
    client.force_login(manager_user)
    page = client.get(f"/slm/reports/service/{data['email'].pk}/",
                      {"period": "2026-10", "organization": data["acme"].pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'href="/static/css/print.css" media="print"' in html
    assert "99.462%" in html and "99.500%" in html and data["breached"].number in html
    assert "export.csv?period=2026-10" in html
    bad = client.get(f"/slm/reports/service/{data['email'].pk}/", {"period": "2026-13"})
    assert bad.status_code == 400 and b'class="error"' in bad.content
    assert client.get("/slm/reports/service/999999/", {"period": "2026-10"}).status_code == 404


def test_compliance_page_shows_breach_with_drill_down(data, agent_user, client):
    client.force_login(agent_user)
    page = client.get("/slm/reports/compliance/", {"period": "2026-10", "group_by": "service"})
    html = page.content.decode()
    assert page.status_code == 200
    assert f'href="/incidents/{data["breached"].pk}/"' in html and "<svg" in html
    assert "50.00%" in html and "99.462%" in html
    filtered = client.get("/slm/reports/compliance/", {"period": "2026-10", "group_by": "service",
                                                        "value": data["payroll"].pk}).content.decode()
    assert data["breached"].number not in filtered.split('id="breaches"')[1]
    bad = client.get("/slm/reports/compliance/", {"period": "2026-10", "start": "2026-10-01", "end": "x"})
    assert bad.status_code == 400 and b'class="error"' in bad.content


def test_compliance_page_query_count_is_constant(data, manager_user, client):
    client.force_login(manager_user)
    client.get("/slm/reports/compliance/", {"period": "2026-10"})
    before = count_queries(lambda: client.get("/slm/reports/compliance/", {"period": "2026-10"}))
    for _ in range(3):
        extra = rf.incident(service=data["payroll"])
        rf.set_times(extra, rf.at(2026, 10, 3), rf.at(2026, 10, 3, 1), rf.at(2026, 10, 4))
        rf.timer(extra, data["res"], breached_at=rf.at(2026, 10, 6))
    assert count_queries(lambda: client.get("/slm/reports/compliance/", {"period": "2026-10"})) == before


@pytest.mark.parametrize("role, status", [("requester", 403), ("agent", 200), ("manager", 200), ("admin", 200)])
def test_report_permission_matrix(data, api_as, client, role, status):
    user = getattr(factories, role)(username=f"{role}-x")
    api = api_as(user)
    for url in ["/api/v1/reports/compliance/", "/api/v1/reports/breaches/", "/api/v1/reports/availability/",
                "/api/v1/reports/satisfaction/", f"/api/v1/reports/service/{data['email'].pk}/"]:
        assert api.get(url, {"period": "2026-10"}).status_code == status, url
    client.force_login(user)
    for url in ["/slm/reports/compliance/", f"/slm/reports/service/{data['email'].pk}/"]:
        assert client.get(url, {"period": "2026-10"}).status_code == status, url
    assert api_as(None).get("/api/v1/reports/compliance/").status_code in (401, 403)
