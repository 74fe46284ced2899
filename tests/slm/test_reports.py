"""The compliance report against a hand-computed fixture (October 2026, UTC)."""

import pytest

from core.models import Impact, Urgency
from tests.support import factories
from tests.support import report_factories as rf
from tests.support.queries import count_queries

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/compliance/"


@pytest.fixture
def fixture():
    """Service s1: i1 (both timers met), i2 (resolution breached 10-10, response met), i5 (running).
    Service s2: i3 (breached in September, stopped in October), i4 (met on 11-01 00:00, i.e. November),
    i6 (stopped without outcome)."""
    s1, s2 = factories.ServiceFactory(name="E-mail"), factories.ServiceFactory(name="Payroll")
    team = factories.TeamFactory(name="Messaging")
    org = factories.OrganizationFactory(name="ACME")
    gold = rf.agreement(services=[s1, s2], organization=org, name="Gold")
    resp, res = rf.target(gold, "response", target_seconds=3600), rf.target(gold, "resolution")
    high = {"impact": Impact.HIGH, "urgency": Urgency.MEDIUM}  # -> P2
    i1 = rf.incident(service=s1, team=team, organization=org, **high)
    i2 = rf.incident(service=s1, organization=org)
    i3 = rf.incident(service=s2)
    i4 = rf.incident(service=s2)
    i5 = rf.incident(service=s1)
    i6 = rf.incident(service=s2)
    rf.set_times(i1, rf.at(2026, 10, 1, 8), rf.at(2026, 10, 1, 8, 30), rf.at(2026, 10, 5, 8))
    rf.set_times(i2, rf.at(2026, 10, 2), rf.at(2026, 10, 2, 1))
    rf.set_times(i3, rf.at(2026, 9, 27), rf.at(2026, 9, 27, 0, 10), rf.at(2026, 10, 3))
    rf.set_times(i4, rf.at(2026, 10, 31), rf.at(2026, 10, 31, 0, 10), rf.at(2026, 11, 1))
    rf.set_times(i5, rf.at(2026, 10, 15))
    rf.set_times(i6, rf.at(2026, 10, 20))
    rf.timer(i1, resp, stopped_at=rf.at(2026, 10, 1, 8, 30), met=True)
    rf.timer(i1, res, stopped_at=rf.at(2026, 10, 5, 8), met=True)
    rf.timer(i2, resp, stopped_at=rf.at(2026, 10, 2, 1), met=True)
    rf.timer(i2, res, breached_at=rf.at(2026, 10, 10))
    rf.timer(i3, res, breached_at=rf.at(2026, 9, 28), stopped_at=rf.at(2026, 10, 3), met=False)
    rf.timer(i4, res, stopped_at=rf.at(2026, 11, 1), met=True)
    rf.timer(i5, res)
    rf.timer(i6, res, stopped_at=rf.at(2026, 10, 20))
    return {"s1": s1, "s2": s2, "team": team, "org": org, "gold": gold, "resp": resp, "res": res,
            "i1": i1, "i2": i2, "i3": i3, "i4": i4}


def get(api, **params):
    response = api.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_by_service_counts_compliance_mtta_mttr(fixture, manager_user, api_as):
    data = get(api_as(manager_user), period="2026-10", group_by="service")
    rows = {r["label"]: r for r in data["rows"]}
    assert rows["E-mail"] == {"key": fixture["s1"].pk, "label": "E-mail", "measured": 4, "met": 3, "breached": 1,
                              "compliance": 75.0, "mtta_seconds": 2700, "mttr_seconds": 4 * 86400}
    # Payroll: nothing measured in October; i4 responded in October (600 s), i3 resolved in October (6 days).
    assert rows["Payroll"] == {"key": fixture["s2"].pk, "label": "Payroll", "measured": 0, "met": 0,
                               "breached": 0, "compliance": None, "mtta_seconds": 600,
                               "mttr_seconds": 6 * 86400}
    assert data["total"] == {"measured": 4, "met": 3, "breached": 1, "compliance": 75.0, "mtta_seconds": 2000,
                             "mttr_seconds": 5 * 86400}
    assert data["period"]["label"] == "2026-10"


def test_by_agreement_and_target(fixture, agent_user, api_as):
    api = api_as(agent_user)
    data = get(api, period="2026-10", group_by="agreement")
    assert [(r["label"], r["measured"], r["met"], r["breached"]) for r in data["rows"]] == [("Gold v1", 4, 3, 1)]
    # Through timers: MTTA of tickets with a response timer (i1, i2), MTTR with a resolution timer (i1, i3).
    assert (data["rows"][0]["mtta_seconds"], data["rows"][0]["mttr_seconds"]) == (2700, 5 * 86400)
    data = get(api, period="2026-10", group_by="target")
    rows = {r["key"]: r for r in data["rows"]}
    assert (rows[fixture["resp"].pk]["measured"], rows[fixture["resp"].pk]["compliance"]) == (2, 100.0)
    assert (rows[fixture["res"].pk]["measured"], rows[fixture["res"].pk]["compliance"]) == (2, 50.0)


def test_by_priority_team_organization(fixture, manager_user, api_as):
    api = api_as(manager_user)
    rows = {r["key"]: r for r in get(api, period="2026-10", group_by="priority")["rows"]}
    assert (rows[2]["measured"], rows[2]["met"], rows[2]["label"]) == (2, 2, "P2 - High")
    assert (rows[5]["measured"], rows[5]["breached"]) == (2, 1)
    rows = {r["key"]: r for r in get(api, period="2026-10", group_by="team")["rows"]}
    assert rows[fixture["team"].pk]["compliance"] == 100.0
    assert rows[None]["label"] == "(none)" and rows[None]["breached"] == 1
    data = get(api, period="2026-10", group_by="organization", value=fixture["org"].pk)
    assert [(r["label"], r["measured"], r["met"]) for r in data["rows"]] == [("ACME", 4, 3)]
    assert data["total"]["measured"] == 4


def test_timer_counts_in_the_period_it_breached_or_stopped(fixture, manager_user, api_as):
    api = api_as(manager_user)
    september = get(api, period="2026-09")["total"]
    assert (september["measured"], september["breached"], september["compliance"]) == (1, 1, 0.0)
    november = get(api, period="2026-11")["total"]
    assert (november["measured"], november["met"]) == (1, 1)
    quarter = get(api, period="2026Q4")["total"]
    assert (quarter["measured"], quarter["met"], quarter["compliance"]) == (5, 4, 80.0)
    custom = get(api, start="2026-09-01", end="2026-10-31")["total"]
    assert (custom["measured"], custom["met"], custom["breached"]) == (5, 3, 2)


def test_trend_over_six_periods(fixture, manager_user, api_as):
    api = api_as(manager_user)
    trend = get(api, period="2026-10")["trend"]
    assert [p["period"] for p in trend] == ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    assert [(p["measured"], p["compliance"]) for p in trend[-2:]] == [(1, 0.0), (4, 75.0)]
    assert trend[0] == {"period": "2026-05", "measured": 0, "met": 0, "breached": 0, "compliance": None}
    quarters = get(api, period="2026Q4")["trend"]
    assert [p["period"] for p in quarters] == ["2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    assert [(p["measured"], p["met"]) for p in quarters[-2:]] == [(1, 0), (5, 4)]


def test_breach_list_filtered_by_group_value(fixture, manager_user, api_as):
    api = api_as(manager_user)
    data = api.get("/api/v1/reports/breaches/", {"period": "2026-10"}).json()
    assert [(b["ticket"]["number"], b["metric"]) for b in data["results"]] == [(fixture["i2"].number, "resolution")]
    assert data["results"][0]["ticket"]["url"] == f"/incidents/{fixture['i2'].pk}/"
    other = api.get("/api/v1/reports/breaches/", {"period": "2026-10", "group_by": "service",
                                                   "value": fixture["s2"].pk}).json()
    assert other["results"] == []


@pytest.mark.parametrize("params, field", [
    ({"period": "2026-13"}, "period"), ({"period": "last month"}, "period"), ({"period": "2026Q5"}, "period"),
    ({"start": "2026-10-01"}, "end"), ({"start": "2026-10-05", "end": "2026-10-01"}, "end"),
    ({"start": "yesterday", "end": "2026-10-01"}, "start"), ({"group_by": "colour"}, "group_by"),
    ({"period": "2026-10", "start": "2026-10-01", "end": "2026-10-02"}, "period"), ({"value": "abc"}, "value"),
    ({"service": "x"}, "service"), ({"service": "99999999999999999999"}, "service"),
])
def test_bad_parameters_are_400_with_field_messages(manager_user, api_as, params, field):
    response = api_as(manager_user).get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


def test_query_count_does_not_grow_with_tickets(fixture, manager_user, api_as):
    api = api_as(manager_user)
    get(api, period="2026-10")  # the token's first use is recorded once
    before = count_queries(lambda: get(api, period="2026-10"))
    for _ in range(3):
        extra = rf.incident(service=fixture["s1"])
        rf.set_times(extra, rf.at(2026, 10, 3), rf.at(2026, 10, 3, 1), rf.at(2026, 10, 4))
        rf.timer(extra, fixture["res"], breached_at=rf.at(2026, 10, 6))
    assert count_queries(lambda: get(api, period="2026-10")) == before <= 10
    breaches = count_queries(lambda: api.get("/api/v1/reports/breaches/", {"period": "2026-10"}))
    assert breaches <= 4
