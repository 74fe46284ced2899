"""The business calendar REST contract."""

import pytest

from slm.models import BusinessCalendar
from tests.support import factories
from tests.support.queries import max_queries

pytestmark = pytest.mark.django_db

OFFICE = {
    "name": "Shanghai office", "timezone": "Asia/Shanghai",
    "hours": [h for d in range(5) for h in ({"weekday": d, "start": "09:00", "end": "12:00"},
                                            {"weekday": d, "start": "13:00", "end": "18:00"})],
    "exceptions": [{"date": "2026-10-01", "kind": "holiday"},
                   {"date": "2026-09-27", "kind": "workday", "start": "09:00", "end": "18:00"}],
}


@pytest.fixture
def manager_api(api_as):
    return api_as(factories.manager(username="cal-mgr"))


@pytest.fixture
def office(manager_api):
    response = manager_api.post("/api/v1/calendars/", OFFICE, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_create_round_trips_hours_and_exceptions(office, manager_api):
    body = manager_api.get(f"/api/v1/calendars/{office['id']}/").json()
    assert body["timezone"] == "Asia/Shanghai"
    assert {"weekday": 0, "start": "13:00", "end": "18:00"} in body["hours"]
    assert {"date": "2026-09-27", "kind": "workday", "start": "09:00", "end": "18:00", "name": ""} in body["exceptions"]


def test_elapsed_and_due(office, manager_api):
    url = f"/api/v1/calendars/{office['id']}"
    # Friday 2026-09-25 17:00 to Monday 09:30 local: 1h Friday + 9h Sunday make-up day + 0.5h Monday.
    r = manager_api.get(f"{url}/elapsed/", {"start": "2026-09-25T17:00:00+08:00", "end": "2026-09-28T09:30:00+08:00"})
    assert r.status_code == 200 and r.json() == {"seconds": 37800}
    r = manager_api.get(f"{url}/due/", {"start": "2026-09-30T17:00:00+08:00", "seconds": 3600})
    assert r.json() == {"due": "2026-09-30T18:00:00+08:00"}  # ends at the end of the interval
    r = manager_api.get(f"{url}/due/", {"start": "2026-09-30T17:00:00+08:00", "seconds": 3601})
    assert r.json() == {"due": "2026-10-02T09:00:01+08:00"}  # skips the 1 October holiday
    r = manager_api.get(f"{url}/due/", {"start": "2026-09-30T17:00:00Z", "seconds": 0})
    assert r.json() == {"due": "2026-09-30T17:00:00+00:00"}


@pytest.mark.parametrize("params", [
    {"start": "2026-09-25T17:00:00", "end": "2026-09-28T09:30:00+08:00"},
    {"start": "yesterday", "end": "2026-09-28T09:30:00+08:00"},
    {"start": "2026-09-25T17:00:00+08:00"},
])
def test_elapsed_rejects_bad_input(office, manager_api, params):
    r = manager_api.get(f"/api/v1/calendars/{office['id']}/elapsed/", params)
    assert r.status_code == 400 and set(r.json()) <= {"start", "end"}


@pytest.mark.parametrize("seconds", ["-1", "abc", "1.5", ""])
def test_due_rejects_bad_seconds(office, manager_api, seconds):
    r = manager_api.get(f"/api/v1/calendars/{office['id']}/due/", {"start": "2026-09-25T17:00:00+08:00",
                                                                   "seconds": seconds})
    assert r.status_code == 400 and "seconds" in r.json()


def test_due_rejects_naive_start(office, manager_api):
    r = manager_api.get(f"/api/v1/calendars/{office['id']}/due/", {"start": "2026-09-25T17:00:00", "seconds": 5})
    assert r.status_code == 400 and "start" in r.json()


@pytest.mark.parametrize("change", [
    {"timezone": "Mars/Olympus"},
    {"hours": [{"weekday": 7, "start": "09:00", "end": "18:00"}]},
    {"hours": [{"weekday": 0, "start": "18:00", "end": "09:00"}]},
    {"hours": [{"weekday": 0, "start": "24:00", "end": "24:00"}]},
    {"hours": [{"weekday": 0, "start": "09:00", "end": "12:00"}, {"weekday": 0, "start": "11:00", "end": "13:00"}]},
    {"exceptions": [{"date": "2026-09-27", "kind": "workday"}]},
    {"exceptions": [{"date": "not a date", "kind": "holiday"}]},
])
def test_bad_calendars_are_400(manager_api, change):
    r = manager_api.post("/api/v1/calendars/", {**OFFICE, "name": "Bad", **change}, format="json")
    assert r.status_code == 400, r.content
    assert set(r.json()) & {"timezone", "hours", "exceptions"}


def test_end_of_day_and_put_patch_delete(office, manager_api):
    url = f"/api/v1/calendars/{office['id']}/"
    r = manager_api.put(url, {"name": "Night", "timezone": "UTC",
                              "hours": [{"weekday": 0, "start": "22:00", "end": "24:00"}]}, format="json")
    assert r.status_code == 200 and r.json()["hours"] == [{"weekday": 0, "start": "22:00", "end": "24:00"}]
    assert r.json()["exceptions"] == []
    r = manager_api.patch(url, {"description": "Late shift"}, format="json")
    assert r.status_code == 200 and len(r.json()["hours"]) == 1
    r = manager_api.get(f"{url}elapsed/", {"start": "2026-03-02T00:00:00Z", "end": "2026-03-03T00:00:00Z"})
    assert r.json() == {"seconds": 7200}
    assert manager_api.delete(url).status_code == 204
    assert not BusinessCalendar.objects.filter(pk=office["id"]).exists()


def test_import_cn_holidays_with_make_up_days(office, manager_api):
    r = manager_api.post(f"/api/v1/calendars/{office['id']}/import-holidays/", {"country": "CN", "year": 2026},
                         format="json")
    assert r.status_code == 200 and r.json()["added"] > 10
    body = manager_api.get(f"/api/v1/calendars/{office['id']}/").json()
    kinds = {e["date"]: e["kind"] for e in body["exceptions"]}
    assert kinds["2026-02-17"] == "holiday" and kinds["2026-02-14"] == "workday"
    # Saturday 14 February 2026 is a make-up working day: 09:00-18:00.
    r = manager_api.get(f"/api/v1/calendars/{office['id']}/elapsed/",
                        {"start": "2026-02-14T00:00:00+08:00", "end": "2026-02-15T00:00:00+08:00"})
    assert r.json() == {"seconds": 9 * 3600}
    r = manager_api.post(f"/api/v1/calendars/{office['id']}/import-holidays/", {"country": "XX", "year": 2026},
                         format="json")
    assert r.status_code == 400 and "country" in r.json()


def test_only_managers_configure_calendars(office, api_as):
    agent = api_as(factories.agent(username="cal-agent"))
    requester = api_as(factories.requester(username="cal-req"))
    assert agent.get(f"/api/v1/calendars/{office['id']}/").status_code == 200
    assert agent.post("/api/v1/calendars/", {**OFFICE, "name": "Agent's"}, format="json").status_code == 403
    assert agent.delete(f"/api/v1/calendars/{office['id']}/").status_code == 403
    assert requester.get("/api/v1/calendars/").status_code == 403
    admin = api_as(factories.admin(username="cal-admin"))
    assert admin.post("/api/v1/calendars/", {**OFFICE, "name": "Admin's"}, format="json").status_code == 201


def test_list_query_count(manager_api, office):
    for n in range(5):
        manager_api.post("/api/v1/calendars/", {**OFFICE, "name": f"Office {n}"}, format="json")
    with max_queries(8):
        r = manager_api.get("/api/v1/calendars/")
    assert r.status_code == 200 and len(r.json()["results"]) == 6
