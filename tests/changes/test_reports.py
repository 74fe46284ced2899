"""Change reports on a controlled clock: success rates by type, model and template, changes that caused
incidents, the emergency share and the lead time; cancelled (and, for success, rejected) changes never count."""

from datetime import timedelta

import pytest
from django.urls import reverse

from changes import caused_by, reports, services
from changes.models import Change
from core import services as core_services
from tests.slm.clock import Clock
from tests.support import change_factories, factories
from tests.support.queries import max_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def period(clock, days=90):
    today = clock.now.date()
    return reports.Period.of_dates(today - timedelta(days=days - 1), today)


def cancel(change):
    return services.transition_change(change, None, "cancelled", {"cancel_reason": "Not needed"})


def test_success_rates_by_type_model_and_template(clock):
    agent = factories.agent()
    normal_model = change_factories.change_model(name="Normal change")
    emergency_model = change_factories.change_model(name="Emergency change", change_type="emergency")
    template = change_factories.template()
    clock.advance(days=-200)
    change_factories.implemented(agent, outcome="failed")  # implemented before the period
    clock.advance(days=200)
    for outcome in ("successful", "successful_with_issues", "failed", "backed_out"):
        change_factories.implemented(agent, outcome=outcome, model=normal_model)
    change_factories.implemented(agent, outcome="successful", change_type="emergency", model=emergency_model,
                                 close=True)
    change_factories.implemented(agent, outcome="failed", change_type="emergency", model=emergency_model)
    standard = services.create_change(agent, {"template": template})
    services.transition_change(standard, agent, "implement")
    services.transition_change(standard, agent, "review", {"outcome": "successful"})
    cancel(change_factories.change(agent))  # never implemented, never counted
    rejected = change_factories.change(agent)
    Change.objects.filter(pk=rejected.pk).update(state="rejected", outcome="failed")  # cannot count even so
    change_factories.change(agent)  # open, no outcome
    with max_queries(4):
        by_type = reports.success_by_type(period(clock))
        by_model = reports.success_by_model(period(clock))
        by_template = reports.success_by_template(period(clock))
        overall = reports.success_overall(period(clock))
    assert [(r["change_type"], r["total"], r["successful"], r["rate"]) for r in by_type] == [
        ("standard", 1, 1, 100.0), ("normal", 4, 2, 50.0), ("emergency", 2, 1, 50.0)]
    assert {r["label"]: (r["total"], r["successful"]) for r in by_model} == {
        "Normal change v1": (4, 2), "Emergency change v1": (2, 1), "": (1, 1)}
    assert [(r["template__name"], r["total"], r["rate"]) for r in by_template] == [(template.name, 1, 100.0)]
    assert (overall["total"], overall["successful"], overall["rate"]) == (7, 4, 57.1)


def test_changes_that_caused_incidents(clock):
    agent = factories.agent()
    first, second = change_factories.implemented(agent), change_factories.implemented(agent)
    incidents = [factories.incident(agent) for _ in range(4)]
    for incident in incidents[:3]:
        caused_by.link(incident, first, agent)
    caused_by.link(incidents[3], second, agent)
    core_services.transition_ticket(incidents[2], None, "cancelled", {"cancel_reason": "duplicate"})
    clock.advance(days=-120)
    old = factories.incident(agent)  # raised before the period
    clock.advance(days=120)
    caused_by.link(old, second, agent)
    rows = reports.caused_incidents(period(clock))
    assert [(r["number"], r["incidents"]) for r in rows] == [(first.number, 2), (second.number, 1)]


def test_emergency_share_of_changes_raised(clock):
    agent = factories.agent()
    for _ in range(3):
        change_factories.change(agent)
    change_factories.change(agent, change_type="emergency")
    cancel(change_factories.change(agent, change_type="emergency"))  # withdrawn: not counted
    clock.advance(days=-100)
    change_factories.change(agent, change_type="emergency")  # raised before the period
    clock.advance(days=100)
    share = reports.emergency_share(period(clock))
    assert (share["total"], share["emergency"], share["share"]) == (4, 1, 25.0)
    assert {r["change_type"]: r["count"] for r in share["by_type"]} == {"standard": 0, "normal": 3, "emergency": 1}
    assert reports.emergency_share(reports.Period(clock.now + timedelta(days=1),
                                                  clock.now + timedelta(days=2)))["share"] is None


def test_mean_lead_time_from_raised_to_implementation(clock):
    agent = factories.agent()

    def started_after(hours, **data):
        change = change_factories.change(agent, **data)
        Change.objects.filter(pk=change.pk).update(state="scheduled", authorised_at=clock.now)  # test set-up
        clock.advance(hours=hours)
        services.transition_change(change, agent, "implement")
        return change

    started_after(10)
    started_after(30)
    started_after(2, change_type="emergency")
    cancel(change_factories.change(agent))
    change_factories.change(agent)  # not started
    lead = reports.lead_time(period(clock))
    assert lead["count"] == 3 and lead["overall"] == 14.0
    assert [(r["change_type"], r["count"], r["hours"]) for r in lead["by_type"]] == [
        ("normal", 2, 20.0), ("emergency", 1, 2.0)]


def test_report_page_and_csv_for_staff_only(client, clock):
    agent = factories.agent()
    change_factories.implemented(agent, outcome="successful", change_type="emergency")
    client.force_login(agent)
    url = reverse("change_reports:index")
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for marker in ('id="success-by-type"', 'id="success-by-model"', 'id="success-by-template"',
                   'id="caused-incidents"', 'id="emergency-share"', 'id="lead-time-by-type"'):
        assert marker in html
    assert "100.0 % of the changes raised" in html
    csv = client.get(url, {"format": "csv"})
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert "Success by type" in csv.content.decode()
    assert client.get(url, {"start": "2026-03-05", "end": "2026-03-01"}).status_code == 400
    assert client.get(url, {"start": "2020-01-01", "end": "2026-03-01"}).status_code == 400
    assert client.get(url, {"start": "garbage"}).status_code == 400
    client.force_login(factories.manager())
    assert client.get(url).status_code == 200
    client.force_login(factories.requester())
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
