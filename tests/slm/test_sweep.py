"""The SLA sweep: warnings and breaches flagged exactly once, notifications through the outbox, escalations."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from core.models import AuditAction, AuditEntry, Outbox
from slm import sweep
from slm.models import SLATimer, SLATimerEvent
from tests.support import factories
from tests.support.slm_factories import EscalationRuleFactory, TargetFactory, around_the_clock

from .clock import clock  # noqa: F401


@pytest.fixture
def setup(db, clock):
    agent = factories.agent(username="sweep-agent", email="agent@example.com")
    boss = factories.manager(username="sweep-boss", email="boss@example.com")
    team = factories.TeamFactory(name="Sweepers", members=[agent])
    team.manager = boss
    team.save()
    target = TargetFactory(calendar=around_the_clock(), target_seconds=4 * 3600)
    incident = factories.incident(agent, team=team, assignee=agent)
    return {"agent": agent, "team": team, "target": target, "incident": incident}


def test_warnings_then_breach_each_once(setup, clock):
    incident = setup["incident"]
    assert sweep.sweep() == 0
    clock.advance(hours=2, seconds=1)  # 50 %
    assert sweep.sweep() == 1
    assert sweep.sweep() == 0
    timer = SLATimer.objects.get(ticket=incident)
    assert timer.warned_percent == 50 and timer.next_check_at == timer.started_at + dt.timedelta(hours=3)
    clock.advance(hours=3)  # 75 %, 90 % and 100 % all passed: one warning (75 and 90) and one breach
    assert sweep.sweep() == 1
    sweep.sweep()
    timer.refresh_from_db()
    assert (timer.warned_percent, timer.breached_at, timer.next_check_at) == (
        90, timer.started_at + dt.timedelta(hours=4), None)
    kinds = list(timer.events.filter(kind__in=["warned", "breached"]).order_by("id")
                 .values_list("kind", "data__percent"))
    assert kinds == [("warned", 50), ("warned", 75), ("warned", 90), ("breached", 100)]
    assert AuditEntry.objects.filter(ticket=incident, action=AuditAction.SLA_BREACHED).count() == 1
    assert AuditEntry.objects.filter(ticket=incident, action=AuditAction.SLA).count() == 2
    recipients = sorted(Outbox.objects.values_list("recipient", flat=True))
    assert recipients == ["agent@example.com"] * 3 + ["boss@example.com"] * 3


def test_broker_down_keeps_the_outbox_rows(setup, clock, monkeypatch, django_capture_on_commit_callbacks):
    from core import tasks

    def broken(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.deliver_outbox, "delay", broken)
    clock.advance(hours=5)
    with django_capture_on_commit_callbacks(execute=True):
        sweep.sweep()
    assert SLATimer.objects.get(ticket=setup["incident"]).breached_at is not None
    assert Outbox.objects.filter(status=Outbox.Status.PENDING).count() == 4
    sent, failed, fetched = tasks.deliver_pending()
    assert (sent, failed) == (4, 0)
    assert not Outbox.objects.filter(status=Outbox.Status.PENDING).exists()


def test_delivery_after_commit(setup, clock, mailoutbox, django_capture_on_commit_callbacks):
    clock.advance(hours=5)
    with django_capture_on_commit_callbacks(execute=True):
        sweep.sweep()
    assert len(mailoutbox) == 4 and "breached" in mailoutbox[-1].subject
    assert Outbox.objects.filter(status=Outbox.Status.SENT).count() == 4


def test_escalations_raise_priority_reassign_and_notify(setup, clock):
    other = factories.TeamFactory(name="Second line")
    watcher = factories.manager(username="watcher", email="watcher@example.com")
    target = setup["target"]
    EscalationRuleFactory(target=target, trigger="warning", percent=75, action="notify", notify_user=watcher)
    EscalationRuleFactory(target=target, trigger="breach", action="raise_priority", raise_to_priority=2)
    EscalationRuleFactory(priority=5, trigger="breach", action="reassign", reassign_team=other)
    clock.advance(hours=3, seconds=1)
    sweep.sweep()
    assert Outbox.objects.filter(recipient="watcher@example.com").count() == 1
    clock.advance(hours=2)
    sweep.sweep()
    incident = type(setup["incident"]).objects.get(pk=setup["incident"].pk)
    assert (incident.priority, incident.team, incident.assignee) == (2, other, None)
    assert AuditEntry.objects.filter(ticket=incident, action="updated", changes__priority=[5, 2]).exists()
    assert Outbox.objects.filter(recipient="watcher@example.com").count() == 1


def test_paused_timers_are_not_swept(setup, clock):
    from incidents import services, workflow

    services.transition_incident(setup["incident"], setup["agent"], workflow.ON_HOLD,
                                 {"on_hold_reason": "awaiting_caller"})
    clock.advance(days=3)
    assert sweep.sweep() == 0


def test_sweep_query_uses_the_next_check_index(setup):
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN plans are checked on PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = str(SLATimer.objects.filter(next_check_at__lte=dt.datetime(2026, 3, 2, tzinfo=dt.timezone.utc))
                   .order_by("next_check_at", "id").explain())
        cursor.execute("SET enable_seqscan = on")
    assert "slm_timer_next_check" in plan


def test_beat_entries_name_registered_tasks(settings):
    from itsm.celery import app

    app.loader.import_default_modules()
    for name in ("slm-sweep-sla-timers", "core-deliver-outbox"):
        assert settings.CELERY_BEAT_SCHEDULE[name]["task"] in app.tasks
    assert settings.CELERY_BEAT_SCHEDULE["slm-sweep-sla-timers"]["schedule"] == settings.SLA_SWEEP_INTERVAL


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_flag_each_breach_once():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks (SKIP LOCKED); concurrency is tested on PostgreSQL")
    agent = factories.agent(username="conc-agent")
    target = TargetFactory(calendar=None, target_seconds=60)
    incidents = [factories.incident(agent) for _ in range(30)]
    SLATimer.objects.filter(ticket__in=incidents).update(
        due_at=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc), next_check_at=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc),
        warned_percent=90)
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(sweep.sweep_all(batch_size=7))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert SLATimerEvent.objects.filter(kind="breached").count() == 30
    assert AuditEntry.objects.filter(action=AuditAction.SLA_BREACHED).count() == 30
    assert sum(results) >= 30 and target.timers.filter(breached_at__isnull=True).count() == 0


def test_late_sweep_records_every_threshold_passed_with_one_notification(setup, clock):
    incident = setup["incident"]
    start = clock.now
    clock.advance(hours=3, minutes=50)  # 50, 75 and 90 % all passed, not yet breached
    assert sweep.sweep() == 1
    timer = SLATimer.objects.get(ticket=incident)
    events = list(timer.events.filter(kind="warned").order_by("id").values_list("data__percent", "at"))
    assert events == [(50, start + dt.timedelta(hours=2)), (75, start + dt.timedelta(hours=3)),
                      (90, start + dt.timedelta(hours=3, minutes=36))]
    assert timer.warned_percent == 90 and timer.next_check_at == start + dt.timedelta(hours=4)
    assert AuditEntry.objects.filter(ticket=incident, action=AuditAction.SLA).count() == 1
    mails = list(Outbox.objects.order_by("id").values_list("recipient", "subject", "body"))
    assert sorted(m[0] for m in mails) == ["agent@example.com", "boss@example.com"]
    assert "90%" in mails[0][1] and all(f"{p}%" in mails[0][2] for p in (50, 75, 90))


def test_warning_rules_for_each_threshold_passed_apply_once(setup, clock):
    EscalationRuleFactory(trigger="warning", percent=75, notify_user=factories.manager(
        username="at-75", email="at75@example.com"))
    clock.advance(hours=3, minutes=50)
    sweep.sweep()
    assert Outbox.objects.filter(recipient="at75@example.com").count() == 1


def test_retarget_to_a_longer_target_rearms_the_warnings(setup, clock):
    incident, agent = setup["incident"], setup["agent"]
    longer = TargetFactory(agreement=setup["target"].agreement, calendar=setup["target"].calendar,
                           target_seconds=10 * 3600, priority=2, name="P2 in 10 h")
    start = clock.now
    clock.advance(hours=3, minutes=10)  # 79 % of 4 h: 50 and 75 sent
    sweep.sweep()
    assert SLATimer.objects.get(ticket=incident).warned_percent == 75
    from incidents import services as incident_services

    incident_services.update_incident(incident, agent, {"impact": 1, "urgency": 2})  # -> P2, 10 h target
    timer = SLATimer.objects.get(ticket=incident)
    assert timer.target == longer and incident.__class__.objects.get(pk=incident.pk).priority == 2
    assert timer.warned_percent == 0  # 3 h 10 of 10 h: no threshold of the new target reached yet
    assert timer.next_check_at == start + dt.timedelta(hours=5)
    clock.advance(hours=5)  # 8 h 10: 50 and 75 % of the new target
    sweep.sweep()
    timer.refresh_from_db()
    assert timer.warned_percent == 75 and timer.breached_at is None
    assert list(timer.events.filter(kind="warned").order_by("id").values_list("data__percent", flat=True)) == [
        50, 75, 50, 75]


def test_a_threshold_passed_before_a_pause_is_recorded_at_the_resume(setup, clock):
    """The stored timer keeps elapsed time, not the instants of earlier stretches: a warning the sweep had not
    flagged before the ticket went on hold is recorded at the instant the timer ran again."""
    from incidents import services, workflow

    incident, agent = setup["incident"], setup["agent"]
    start = clock.now
    clock.advance(hours=2, minutes=30)  # 62.5 %: 50 % passed at 2 h, no sweep ran
    services.transition_incident(incident, agent, workflow.ON_HOLD, {"on_hold_reason": "awaiting_caller"})
    clock.advance(hours=1)
    services.transition_incident(incident, agent, workflow.IN_PROGRESS)
    resumed = clock.now
    clock.advance(minutes=40)  # 3 h 10 of work: 75 % passed at resume + 30 min
    sweep.sweep()
    events = list(SLATimer.objects.get(ticket=incident).events.filter(kind="warned").order_by("id")
                  .values_list("data__percent", "at"))
    assert events == [(50, resumed), (75, resumed + dt.timedelta(minutes=30))]
    assert resumed == start + dt.timedelta(hours=3, minutes=30)
