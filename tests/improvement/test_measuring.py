"""Baselines captured on entering "where are we now", results re-measured by the beat job once a day until the
record closes, and the outcome against the baseline and the target; on a controlled clock, with tickets resolved
through the incident services (live SLA timers)."""

import datetime as dt

import pytest
from django.utils import timezone

from core.models import AuditEntry, Ticket
from core.workflow import TransitionError
from improvement import measuring, metrics, services, tasks
from improvement.models import Improvement, Measurement, MetricName, Outcome
from incidents import services as incident_services
from incidents import workflow as incident_workflow
from tests.slm.clock import Clock
from tests.support import factories
from tests.support import report_factories as rf
from tests.support.improvement_factories import CONTENT, improvement
from tests.support.queries import count_queries
from tests.support.slm_factories import TargetFactory, around_the_clock

pytestmark = pytest.mark.django_db

CAPTURED = rf.at(2026, 3, 2, 9)  # the baseline is captured on Monday 2 March 2026 (UTC, the site's zone)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, rf.at(2026, 2, 2, 8))


@pytest.fixture
def desk(clock, db):
    TargetFactory(calendar=around_the_clock(), target_seconds=4 * 3600, name="Fix within 4h")
    return {"agent": factories.agent(username="desk-agent"), "manager": factories.manager(username="cir-manager"),
            "service": factories.ServiceFactory(name="Laptops")}


def fix(clock, desk, hours, day=None):
    """An incident on the service raised (at 08:00 of `day`, or now) and resolved `hours` later."""
    if day is not None:
        clock.now = dt.datetime.combine(day, dt.time(8), dt.timezone.utc)
    incident = factories.incident(desk["agent"], service=desk["service"], title="Laptop will not boot")
    clock.advance(hours=hours)
    return incident_services.transition_incident(incident, desk["agent"], incident_workflow.RESOLVED, {
        "resolution_code": "solved_permanently", "resolution_notes": "Replaced the disk"})


def history(clock, desk):
    """February: ten laptops fixed, four within the 4 h target (2 h), six late (6 h): 40 % compliance, MTTR 4.4 h."""
    for day in range(10):
        fix(clock, desk, 2 if day % 5 in (0, 2) else 6, dt.date(2026, 2, 2 + 2 * day))


def record(clock, desk, stage="baseline", metric_name=MetricName.SLA_COMPLIANCE, metric_timer="resolution"):
    """A record on the service's metric with a 30-day baseline, captured at CAPTURED (in "baseline")."""
    clock.now = CAPTURED
    imp = improvement(desk["manager"], "vision", desk["service"], baseline_days=30, metric_timer=metric_timer)
    if stage == "vision":
        return imp
    return services.advance(imp, desk["manager"], {**CONTENT["vision"], "metric_name": metric_name})


def advance_to(imp, actor, stage, target_value, clock):
    """Walk a record to `stage` with a target of our own."""
    while imp.state != stage:
        content = dict(CONTENT[imp.state])
        if imp.state == "target":
            content.update(target_value=target_value, target_date=clock.now.date() + dt.timedelta(days=60))
        imp = services.advance(imp, actor, content)
    return imp


def reported_compliance(api, service, first, last):
    response = api.get("/api/v1/reports/compliance/", {"start": first.isoformat(), "end": last.isoformat(),
                                                       "service": service.pk, "timer_metric": "resolution"})
    assert response.status_code == 200
    return response.json()["total"]["compliance"]


def test_baseline_is_captured_on_entering_the_stage_with_its_period(clock, desk, api_as):
    history(clock, desk)
    imp = record(clock, desk, "vision")
    assert imp.baseline_captured_at is None and not Measurement.objects.filter(improvement=imp).exists()
    imp = services.advance(imp, desk["manager"], CONTENT["vision"])
    imp.refresh_from_db()
    assert imp.state == "baseline" and imp.baseline_captured_at == CAPTURED
    assert (imp.baseline_start, imp.baseline_end) == (dt.date(2026, 1, 31), dt.date(2026, 3, 1))
    assert imp.baseline_value == 40.0
    api = api_as(desk["manager"])
    assert imp.baseline_value == reported_compliance(api, desk["service"], imp.baseline_start, imp.baseline_end)
    point = Measurement.objects.get(improvement=imp)
    assert (point.kind, point.value, point.period_start, point.period_end) == (
        "baseline", 40.0, imp.baseline_start, imp.baseline_end)
    entry = AuditEntry.objects.get(ticket_id=imp.pk, changes__has_key="baseline_value")
    assert entry.changes["baseline_value"] == [None, 40.0] and entry.actor == desk["manager"]


def test_baseline_days_are_the_site_s_whoever_advances(clock, desk):
    """At 20:00 UTC on 2 March it is already 3 March in Shanghai: the period is still the site's days."""
    history(clock, desk)
    imp = record(clock, desk, "vision")
    clock.now = rf.at(2026, 3, 2, 20)
    with timezone.override("Asia/Shanghai"):
        imp = services.advance(imp, desk["manager"], CONTENT["vision"])
    assert (imp.baseline_start, imp.baseline_end) == (dt.date(2026, 1, 31), dt.date(2026, 3, 1))
    assert imp.baseline_value == metrics.measure(metrics.spec_of(imp), imp.baseline_start, imp.baseline_end)


def test_the_beat_job_re_measures_once_a_day_and_judges_the_outcome(clock, desk, api_as):
    history(clock, desk)
    imp = advance_to(record(clock, desk), desk["manager"], "action", 75.0, clock)
    assert imp.action_started_on == dt.date(2026, 3, 2)
    # The day action started: no complete day yet, so that day so far (nothing resolved yet).
    assert tasks.remeasure_improvements() == 1
    imp.refresh_from_db()
    assert (imp.result_start, imp.result_end, imp.result_value, imp.outcome) == (
        dt.date(2026, 3, 2), dt.date(2026, 3, 2), None, "")
    clock.advance(hours=3)
    assert tasks.remeasure_improvements() == 0  # once a day
    # 3 March: five laptops fixed, four in time.
    for hours in (1, 2, 3, 1, 7):
        fix(clock, desk, hours, dt.date(2026, 3, 3))
    clock.now = rf.at(2026, 3, 4, 0, 5)
    assert tasks.remeasure_improvements() == 1
    imp.refresh_from_db()
    assert (imp.result_start, imp.result_end) == (dt.date(2026, 3, 2), dt.date(2026, 3, 3))
    assert imp.result_value == 80.0 == reported_compliance(api_as(desk["manager"]), desk["service"],
                                                           imp.result_start, imp.result_end)
    assert imp.outcome == Outcome.ACHIEVED
    assert list(imp.measurements.values_list("kind", "value")) == [("baseline", 40.0), ("result", None),
                                                                   ("result", 80.0)]
    # Entering "did we get there" the next day measures again; three late fixes pull the result below the target.
    for hours in (5, 6, 7):
        fix(clock, desk, hours, dt.date(2026, 3, 4))
    clock.now = rf.at(2026, 3, 5, 9)
    imp = services.advance(imp, desk["manager"], CONTENT["action"])
    assert (imp.state, imp.result_end, imp.result_value, imp.outcome) == (
        "result", dt.date(2026, 3, 4), 50.0, Outcome.PARTLY_ACHIEVED)
    assert tasks.remeasure_improvements() == 0  # measured today on entering the stage


def test_the_result_covers_at_most_the_baseline_s_length(clock, desk):
    history(clock, desk)
    imp = advance_to(record(clock, desk), desk["manager"], "action", 75.0, clock)
    clock.now = rf.at(2026, 5, 20, 6)
    assert measuring.result_period(imp) == (dt.date(2026, 4, 20), dt.date(2026, 5, 19))
    imp = services.measure_now(imp, desk["manager"])
    assert (imp.result_start, imp.result_end) == (dt.date(2026, 4, 20), dt.date(2026, 5, 19))


def test_lower_is_better_for_mttr(clock, desk):
    history(clock, desk)  # MTTR 4.4 h
    imp = advance_to(record(clock, desk, metric_name=MetricName.MTTR, metric_timer=""), desk["manager"], "action",
                     3 * 3600, clock)
    assert imp.baseline_value == 15840  # 4.4 h
    for hours, outcome in ((4, Outcome.PARTLY_ACHIEVED), (1, Outcome.ACHIEVED), (20, Outcome.NOT_ACHIEVED)):
        fix(clock, desk, hours, clock.now.date() + dt.timedelta(days=1))
        clock.now = clock.now.replace(hour=23)
        clock.advance(hours=2)  # past midnight: the day of the fix is complete
        imp = services.measure_now(imp, desk["manager"])
        assert imp.outcome == outcome, (hours, imp.result_value)


@pytest.mark.parametrize("name, baseline, target, result, days, outcome", [
    ("sla_compliance", 40, 75, 80, None, Outcome.ACHIEVED),
    ("sla_compliance", 40, 75, 75, None, Outcome.ACHIEVED),
    ("sla_compliance", 40, 75, 60, None, Outcome.PARTLY_ACHIEVED),
    ("sla_compliance", 40, 75, 40, None, Outcome.NOT_ACHIEVED),
    ("sla_compliance", None, 75, 60, None, Outcome.NOT_ACHIEVED),
    ("availability", 99.5, 99.9, 99.95, None, Outcome.ACHIEVED),
    ("csat", 3.2, 4.0, 3.5, None, Outcome.PARTLY_ACHIEVED),
    ("mtta", 1800, 900, 600, None, Outcome.ACHIEVED),
    ("mtta", 1800, 900, 1200, None, Outcome.PARTLY_ACHIEVED),
    ("mttr", 7200, 3600, 9000, None, Outcome.NOT_ACHIEVED),
    ("incident_volume", 90, 60, 60, None, Outcome.ACHIEVED),
    ("incident_volume", 90, 60, 70, None, Outcome.PARTLY_ACHIEVED),
    # a count over 10 days against a 90-day baseline compares per day: 10 -> 90, 5 -> 45, 8 -> 72
    ("incident_volume", 90, 60, 10, (90, 10), Outcome.NOT_ACHIEVED),
    ("incident_volume", 90, 60, 5, (90, 10), Outcome.ACHIEVED),
    ("incident_volume", 90, 60, 8, (90, 10), Outcome.PARTLY_ACHIEVED),
    ("mttr", 7200, 3600, None, None, ""),
    ("mttr", 7200, None, 3000, None, ""),
])
def test_outcome_rule(name, baseline, target, result, days, outcome):
    assert metrics.outcome(name, baseline, target, result, *(days or ())) == outcome


def test_a_closed_record_is_never_measured_again(clock, desk):
    history(clock, desk)
    done = advance_to(record(clock, desk), desk["manager"], "closed", 75.0, clock)
    withdrawn = advance_to(record(clock, desk), desk["manager"], "action", 75.0, clock)
    withdrawn = services.transition_improvement(withdrawn, desk["manager"], "closed",
                                                {"withdrawn_reason": "Laptops are being replaced by tablets"})
    assert (done.closure, withdrawn.closure) == ("completed", "withdrawn")
    points = Measurement.objects.count()
    clock.advance(days=3)
    assert tasks.remeasure_improvements() == 0
    assert Measurement.objects.count() == points
    for imp in (done, withdrawn):
        with pytest.raises(TransitionError) as refused:
            services.measure_now(imp, desk["manager"])
        assert set(refused.value.errors) == {"stage"}


def test_a_record_closed_while_the_job_runs_is_skipped(clock, desk, monkeypatch):
    history(clock, desk)
    first = advance_to(record(clock, desk), desk["manager"], "action", 75.0, clock)
    second = advance_to(record(clock, desk), desk["manager"], "action", 75.0, clock)
    select = measuring.due_for_remeasure

    def racing(**kwargs):
        due = list(select(**kwargs))
        Ticket.objects.filter(pk=first.pk).update(state="closed")  # closed by someone meanwhile
        return due

    monkeypatch.setattr(measuring, "due_for_remeasure", racing)
    assert tasks.remeasure_improvements() == 1
    assert Improvement.objects.get(pk=first.pk).result_measured_at is None
    assert Improvement.objects.get(pk=second.pk).result_measured_at == clock.now


def test_measuring_is_refused_before_action(clock, desk):
    history(clock, desk)
    for stage in ("baseline", "target", "plan"):
        imp = advance_to(record(clock, desk), desk["manager"], stage, 75.0, clock)
        with pytest.raises(TransitionError) as refused:
            services.measure_now(imp, desk["manager"])
        assert set(refused.value.errors) == {"stage"}
        assert not Measurement.objects.filter(improvement=imp, kind="result").exists()


def test_the_job_works_in_batches_and_selecting_costs_the_same_whatever_is_not_due(clock, desk, monkeypatch):
    history(clock, desk)
    records = [advance_to(record(clock, desk), desk["manager"], "action", 75.0, clock) for _ in range(3)]
    monkeypatch.setattr(measuring, "BATCH_SIZE", 2)
    assert tasks.remeasure_improvements() == 2  # the rest in the batch it queued (run at once here)
    assert all(Improvement.objects.get(pk=r.pk).result_measured_at == clock.now for r in records)
    one = count_queries(tasks.remeasure_improvements)
    for _ in range(3):
        advance_to(record(clock, desk), desk["manager"], "momentum", 75.0, clock)
    assert count_queries(tasks.remeasure_improvements) == one == 1  # nothing due: one query
