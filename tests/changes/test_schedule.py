"""The change schedule: blackout windows API, GET /api/v1/change-schedule/, maintenance window occurrences (time
zones, DST, past midnight), the calendar pages and the admin screens."""

import datetime as dt
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from changes import schedule
from changes.models import BlackoutWindow
from core import permissions
from slm.models import Agreement
from tests.conftest import client_for
from tests.support import change_factories, factories, slm_factories
from tests.support.cmdb_factories import CIFactory
from tests.support.queries import max_queries

pytestmark = pytest.mark.django_db

UTC = dt.timezone.utc


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


def change_authority():
    user = factories.agent()
    user.groups.add(Group.objects.get(name=permissions.CHANGE_AUTHORITY))
    return user


# --- blackout windows API --------------------------------------------------------------------

def test_blackout_crud_by_manager_and_reads_by_agents(manager_user, agent_user):
    payroll = factories.ServiceFactory(name="Payroll")
    api = client_for(manager_user)
    body = {"name": "Payroll run", "start": "2030-01-31T00:00:00Z", "end": "2030-02-02T00:00:00Z",
            "services": [payroll.pk], "reason": "Month-end"}
    created = api.post("/api/v1/blackout-windows/", body, format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert {k: data[k] for k in ("name", "services", "reason")} == {"name": "Payroll run", "services": [payroll.pk],
                                                                  "reason": "Month-end"}
    pk = data["id"]
    glob = api.post("/api/v1/blackout-windows/", {"name": "Freeze", "start": "2030-12-20T00:00:00Z",
                                                  "end": "2031-01-03T00:00:00Z"}, format="json")
    assert glob.status_code == 201 and glob.json()["services"] == []
    assert api.patch(f"/api/v1/blackout-windows/{pk}/", {"services": []}, format="json").json()["services"] == []
    reader = client_for(agent_user)
    listed = reader.get("/api/v1/blackout-windows/")
    assert listed.status_code == 200
    assert {row["name"] for row in listed.json()["results"]} == {"Payroll run", "Freeze"}
    ranged = reader.get("/api/v1/blackout-windows/?start=2030-01-01&end=2030-03-01").json()["results"]
    assert [row["name"] for row in ranged] == ["Payroll run"]
    assert reader.get(f"/api/v1/blackout-windows/{pk}/").status_code == 200
    assert reader.post("/api/v1/blackout-windows/", body, format="json").status_code == 403
    assert reader.delete(f"/api/v1/blackout-windows/{pk}/").status_code == 403
    assert api.delete(f"/api/v1/blackout-windows/{pk}/").status_code == 204
    assert not BlackoutWindow.objects.filter(pk=pk).exists()


def test_change_authority_may_write_blackouts_and_requesters_may_not_read():
    body = {"name": "Freeze", "start": "2030-12-20T00:00:00Z", "end": "2031-01-03T00:00:00Z"}
    assert client_for(change_authority()).post("/api/v1/blackout-windows/", body, format="json").status_code == 201
    requester = client_for(factories.requester())
    assert requester.get("/api/v1/blackout-windows/").status_code == 403
    assert requester.post("/api/v1/blackout-windows/", body, format="json").status_code == 403
    assert client_for(None).get("/api/v1/blackout-windows/").status_code == 401


@pytest.mark.parametrize("body, field", [
    ({"name": "x", "start": "2030-01-02T00:00:00Z", "end": "2030-01-01T00:00:00Z"}, "end"),
    ({"name": "x", "start": "2030-01-02T00:00:00Z", "end": "2030-01-02T00:00:00Z"}, "end"),
    ({"name": "x", "start": "soon", "end": "2030-01-02T00:00:00Z"}, "start"),
    ({"name": "x", "start": "2030-01-01T00:00:00Z", "end": "2030-01-02T00:00:00Z", "services": [999999]}, "services"),
    ({"name": "x", "start": "2030-01-01T00:00:00Z", "end": "2030-01-02T00:00:00Z", "services": [2 ** 70]},
     "services"),
    ({"start": "2030-01-01T00:00:00Z", "end": "2030-01-02T00:00:00Z"}, "name"),
])
def test_bad_blackouts_are_400_with_field_messages(manager_user, body, field):
    response = client_for(manager_user).post("/api/v1/blackout-windows/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_patch_end_before_existing_start_is_400(manager_user):
    window = change_factories.blackout(start=utc(2030, 1, 1), end=utc(2030, 1, 2))
    response = client_for(manager_user).patch(f"/api/v1/blackout-windows/{window.pk}/",
                                              {"end": "2029-12-31T00:00:00Z"}, format="json")
    assert response.status_code == 400 and "end" in response.json()


# --- the schedule API ----------------------------------------------------------------------

@pytest.mark.parametrize("query, field", [
    ("", "start"), ("?start=2030-01-01", "end"), ("?end=2030-01-01", "start"),
    ("?start=yesterday&end=2030-01-01", "start"), ("?start=2030-01-10&end=2030-01-01", "end"),
    ("?start=2030-01-01&end=2030-06-01", "end"), ("?start=2030-13-45&end=2030-01-01", "start"),
    ("?start=2030-01-01&end=2030-01-31&service=abc", "service"),
    ("?start=2030-01-01&end=2030-01-31&team=999999", "team"),
])
def test_schedule_bad_ranges_are_400(agent_user, query, field):
    response = client_for(agent_user).get(f"/api/v1/change-schedule/{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_schedule_contract_and_access(agent_user):
    switch = CIFactory(name="core-sw-01")
    start = utc(2030, 1, 10, 22)
    first = change_factories.change(configuration_items=[switch], planned_start=start,
                                    planned_end=start + timedelta(hours=2))
    other = change_factories.change(configuration_items=[switch], planned_start=start + timedelta(hours=1),
                                    planned_end=start + timedelta(hours=3))
    lonely = change_factories.change(planned_start=utc(2030, 1, 20, 8), planned_end=utc(2030, 1, 20, 9))
    change_factories.change(planned_start=utc(2030, 3, 1), planned_end=utc(2030, 3, 2))  # outside
    freeze = change_factories.blackout("Freeze", utc(2030, 1, 25), utc(2030, 1, 27))
    agreement = slm_factories.AgreementFactory(name="Mail SLA")
    agreement.services.set([factories.ServiceFactory(name="Mail")])
    change_factories.maintenance_window(agreement, 6, "02:00", "04:00")  # Sundays
    with max_queries(20):
        response = client_for(agent_user).get("/api/v1/change-schedule/?start=2030-01-01&end=2030-02-01")
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) >= {"changes", "blackout_windows", "maintenance_windows"}
    rows = {row["id"]: row for row in body["changes"]}
    assert list(rows) == [first.pk, other.pk, lonely.pk]
    assert set(rows[first.pk]) >= {"id", "number", "title", "type", "state", "risk", "planned_start", "planned_end",
                                   "conflict"}
    assert rows[first.pk]["conflict"] is True and rows[lonely.pk]["conflict"] is False
    assert rows[first.pk]["conflicts"][0]["kind"] == "ci_overlap"
    assert rows[first.pk]["conflicts"][0]["change"] == other.pk
    assert body["blackout_windows"] == [{"id": freeze.pk, "name": "Freeze", "start": "2030-01-25T00:00:00Z",
                                         "end": "2030-01-27T00:00:00Z", "services": [], "reason": ""}]
    sundays = [row["start"] for row in body["maintenance_windows"]]
    assert sundays == ["2030-01-06T02:00:00Z", "2030-01-13T02:00:00Z", "2030-01-20T02:00:00Z",
                       "2030-01-27T02:00:00Z"]
    assert body["maintenance_windows"][0]["services"] == [{"id": agreement.services.get().pk, "name": "Mail"}]
    for user in (factories.requester(), None):
        assert client_for(user).get("/api/v1/change-schedule/?start=2030-01-01&end=2030-02-01").status_code in (
            401, 403)


def test_schedule_filters_by_service_and_team(agent_user):
    payroll, mail = factories.ServiceFactory(name="Payroll"), factories.ServiceFactory(name="Mail")
    team = factories.TeamFactory(name="Network")
    window = {"planned_start": utc(2030, 1, 10, 22), "planned_end": utc(2030, 1, 10, 23)}
    on_payroll = change_factories.change(services=[payroll], **window)
    on_mail = change_factories.change(services=[mail], team=team, **window)
    change_factories.blackout("Payroll run", utc(2030, 1, 5), utc(2030, 1, 6), services=[payroll])
    change_factories.blackout("Freeze", utc(2030, 1, 7), utc(2030, 1, 8))
    api = client_for(agent_user)
    body = api.get(f"/api/v1/change-schedule/?start=2030-01-01&end=2030-02-01&service={payroll.pk}").json()
    assert [row["id"] for row in body["changes"]] == [on_payroll.pk]
    assert [row["name"] for row in body["blackout_windows"]] == ["Payroll run", "Freeze"]
    body = api.get(f"/api/v1/change-schedule/?start=2030-01-01&end=2030-02-01&team={team.pk}").json()
    assert [row["id"] for row in body["changes"]] == [on_mail.pk]


# --- maintenance window occurrences ------------------------------------------------------------

def agreement_on(service_tz=None, **fields):
    service = factories.ServiceFactory()
    if service_tz:
        service.service_hours = slm_factories.calendar(name=f"Hours {service_tz}", timezone=service_tz)
        service.save()
    agreement = slm_factories.AgreementFactory(**fields)
    agreement.services.set([service])
    return agreement


def test_occurrences_follow_the_calendar_time_zone_across_dst():
    agreement = agreement_on("America/New_York")
    change_factories.maintenance_window(agreement, 6, "01:00", "03:00")  # Sunday 01:00-03:00 New York
    found = schedule.maintenance_in(utc(2026, 3, 1), utc(2026, 3, 16))
    assert [(o["start"], o["end"]) for o in found] == [
        (utc(2026, 3, 1, 6), utc(2026, 3, 1, 8)),  # EST, UTC-5
        (utc(2026, 3, 8, 6), utc(2026, 3, 8, 7)),  # clocks go forward at 02:00: the window is one hour long
        (utc(2026, 3, 15, 5), utc(2026, 3, 15, 7)),  # EDT, UTC-4
    ]
    assert found[0]["timezone"] == "America/New_York"
    autumn = schedule.maintenance_in(utc(2026, 10, 25), utc(2026, 11, 2))
    assert [(o["start"], o["end"]) for o in autumn] == [(utc(2026, 10, 25, 5), utc(2026, 10, 25, 7)),
                                                        (utc(2026, 11, 1, 5), utc(2026, 11, 1, 8))]


def test_occurrences_past_midnight_and_at_the_range_edges():
    agreement = agreement_on("Asia/Shanghai")
    change_factories.maintenance_window(agreement, 5, "22:00", "02:00")  # Saturday 22:00 - Sunday 02:00 (UTC+8)
    # Saturday 2030-01-05 22:00 +08 = 14:00Z until Sunday 02:00 +08 = Saturday 18:00Z
    found = schedule.maintenance_in(utc(2030, 1, 5, 17), utc(2030, 1, 5, 18))
    assert [(o["start"], o["end"]) for o in found] == [(utc(2030, 1, 5, 14), utc(2030, 1, 5, 18))]
    assert schedule.maintenance_in(utc(2030, 1, 5, 18), utc(2030, 1, 6)) == []  # touches the end only
    assert schedule.maintenance_in(utc(2030, 1, 5, 12), utc(2030, 1, 5, 14)) == []  # ends as it starts


def test_occurrences_only_of_agreed_agreements_valid_that_day(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    timezone.activate(ZoneInfo("Europe/Berlin"))
    try:
        valid = agreement_on(None, valid_from=dt.date(2030, 1, 8), valid_to=dt.date(2030, 1, 21))
        draft = agreement_on(None, status=Agreement.Status.DRAFT)
        expired = agreement_on(None, status=Agreement.Status.EXPIRED)
        for agreement in (valid, draft, expired):
            change_factories.maintenance_window(agreement, 2, "20:00", "21:00")  # Wednesdays
        found = schedule.maintenance_in(utc(2030, 1, 1), utc(2030, 2, 1))
        # no service hours: the site's time zone (Berlin, UTC+1 in winter); valid from the 8th to the 21st
        assert [(o["agreement"], o["start"]) for o in found] == [(valid.pk, utc(2030, 1, 9, 19)),
                                                                 (valid.pk, utc(2030, 1, 16, 19))]
    finally:
        timezone.deactivate()


# --- pages ------------------------------------------------------------------------------------

def calendar_data():
    switch = CIFactory(name="core-sw-01")
    start = timezone.now().replace(hour=22, minute=0, second=0, microsecond=0) + timedelta(days=1)
    first = change_factories.change(title="Firmware upgrade", configuration_items=[switch], planned_start=start,
                                    planned_end=start + timedelta(hours=2))
    other = change_factories.change(title="Replace PSU", configuration_items=[switch],
                                    planned_start=start + timedelta(hours=1), planned_end=start + timedelta(hours=3))
    for i in range(8):
        change_factories.change(title=f"Patch batch {i}", planned_start=start + timedelta(hours=i),
                                planned_end=start + timedelta(hours=i + 1))
    change_factories.blackout("Quarter-end freeze", start - timedelta(hours=30), start - timedelta(hours=20))
    agreement = agreement_on(None, name="Mail SLA")
    for weekday in range(7):
        change_factories.maintenance_window(agreement, weekday, "03:00", "04:00")
    return first, other


@pytest.mark.parametrize("view", ["month", "week", "list"])
def test_calendar_pages_render_for_agents(client, agent_user, view):
    first, other = calendar_data()
    client.force_login(agent_user)
    url = reverse("change_schedule:calendar")
    client.get(url)  # warm caches (translations, content types)
    with max_queries(25):
        response = client.get(url, {"view": view, "date": timezone.localdate(first.planned_start).isoformat()})
    assert response.status_code == 200
    html = response.content.decode()
    assert first.number in html and other.number in html
    assert reverse("changes:detail", args=[first.pk]) in html
    assert "conflict-mark" in html and "core-sw-01" in html  # the marker, its title listing the conflict
    assert "Mail SLA" in html or "Service" in html
    if view != "month":
        assert "22:00" in html
    for name in ("Previous", "Next", "Today"):
        assert name in html


def test_month_view_shows_blackouts_and_caps_busy_days(client, agent_user):
    first, _other = calendar_data()
    client.force_login(agent_user)
    response = client.get(reverse("change_schedule:calendar"), {"date": first.planned_start.date().isoformat()})
    html = response.content.decode()
    assert "Quarter-end freeze" in html
    assert "band maintenance" in html
    assert "more" in html  # ten changes start that day: some behind "+N more"


def test_calendar_navigation_and_filters(client, agent_user):
    client.force_login(agent_user)
    url = reverse("change_schedule:calendar")
    response = client.get(url, {"view": "month", "date": "2030-01-15"})
    assert response.status_code == 200
    assert "date=2029-12-01" in response.context["previous_url"]
    assert "date=2030-02-01" in response.context["next_url"]
    week = client.get(url, {"view": "week", "date": "2030-01-15"})
    assert "date=2030-01-08" in week.context["previous_url"]
    assert week.context["first"] == dt.date(2030, 1, 14)
    assert client.get(url, {"date": "not-a-date"}).status_code == 400
    assert client.get(url, {"service": "999999"}).status_code == 400


def test_calendar_refuses_requesters_and_asks_anonymous_to_sign_in(client):
    url = reverse("change_schedule:calendar")
    assert client.get(url).status_code == 302
    client.force_login(factories.requester())
    assert client.get(url).status_code in (403, 404)


def test_conflicts_panel_renders(agent_user):
    from django.template.loader import render_to_string

    from changes import conflicts

    switch = CIFactory(name="core-sw-01")
    first = change_factories.change(configuration_items=[switch])
    other = change_factories.change(configuration_items=[switch])
    window = change_factories.blackout("Freeze", first.planned_start - timedelta(hours=1),
                                       first.planned_end + timedelta(hours=1))
    html = render_to_string("changes/_conflicts_panel.html", {"conflicts": conflicts.for_change(first)})
    assert reverse("changes:detail", args=[other.pk]) in html and other.number in html
    assert window.name in html and "core-sw-01" in html
    assert "No other open change" in render_to_string("changes/_conflicts_panel.html", {"conflicts": []})


# --- admin ------------------------------------------------------------------------------------

def test_admin_blackout_screen_and_agreement_maintenance_inline(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("admin:changes_blackoutwindow_changelist")).status_code == 200
    response = client.post(reverse("admin:changes_blackoutwindow_add"), {
        "name": "Freeze", "start_0": "2030-12-20", "start_1": "00:00:00", "end_0": "2030-12-19",
        "end_1": "00:00:00", "reason": ""})
    assert response.status_code == 200 and not BlackoutWindow.objects.exists()  # end before start: form error
    response = client.post(reverse("admin:changes_blackoutwindow_add"), {
        "name": "Freeze", "start_0": "2030-12-20", "start_1": "00:00:00", "end_0": "2031-01-03",
        "end_1": "00:00:00", "reason": "Holidays"})
    assert response.status_code == 302
    assert BlackoutWindow.objects.get().reason == "Holidays"
    agreement = slm_factories.AgreementFactory(status=Agreement.Status.DRAFT)
    page = client.get(reverse("admin:slm_agreement_change", args=[agreement.pk]))
    assert page.status_code == 200 and "maintenance_slots" in page.content.decode()
