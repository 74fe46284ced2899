"""Processing a batch together (events/batch.py): what one batch does is what the same events one by one did, in
order; failures, concurrent workers and the query count of a batch."""

import threading
import time

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from core.models import AuditAction, AuditEntry, Comment
from events import services
from events.formats.base import RawEvent
from events.models import Alert, Event
from incidents.models import Incident
from incidents.workflow import IN_PROGRESS, NEW, RESOLVED
from tests.support import events_factories as ef
from tests.support.cmdb_factories import CIFactory, depends_on

pytestmark = pytest.mark.django_db
URL = "/api/v1/events/"


def at(minute, **overrides):
    return ef.generic(time=f"2026-11-24T10:{minute:02d}:00Z", **overrides)


def notes(incident):
    return list(Comment.objects.filter(ticket_id=incident.pk, is_internal=True).order_by("id")
                .values_list("body", flat=True))


def post_batch(post_events, batch):
    response = post_events(URL, batch)
    assert response.status_code == 202, response.content
    assert not Event.objects.exclude(error="").exists(), list(Event.objects.values_list("error", flat=True))
    return response


def test_a_batch_of_repeats_of_one_fingerprint_counts_every_one(post_events):
    post_batch(post_events, [at(minute) for minute in range(50)])
    alert = Alert.objects.get()
    assert alert.count == 50 and alert.last_seen.isoformat() == "2026-11-24T10:49:00+00:00"
    assert alert.first_seen.isoformat() == "2026-11-24T10:00:00+00:00"
    assert Incident.objects.count() == 1
    still = [n for n in notes(alert.incident) if "still" in n]
    assert len(still) == 1 and "seen 2 times" in still[0]  # the work notes stay rate-limited within a batch


def test_repeats_across_batches_add_up(post_events):
    for first in (0, 10, 20):
        post_batch(post_events, [at(first + i) for i in range(10)])
    assert Alert.objects.get().count == 30


def test_a_firing_and_a_clearing_in_one_batch_apply_in_order(post_events):
    post_batch(post_events, [at(0), at(1), at(2, severity="clear")])
    alert = Alert.objects.get()
    assert alert.state == "closed" and alert.count == 2
    incident = alert.incident
    assert incident.state == RESOLVED and incident.resolution_notes == "Cleared by monitoring: HTTP on web01."


def test_a_clearing_before_the_firing_in_one_batch_clears_nothing(post_events):
    post_batch(post_events, [at(0, severity="clear"), at(1)])
    alert = Alert.objects.get()
    assert alert.state == "open" and alert.count == 1 and alert.incident.state == NEW


def test_fire_clear_fire_in_one_batch_reopens_the_incident_resolved_moments_before(post_events):
    post_batch(post_events, [at(0), at(1, severity="clear"), at(2), at(3)])
    first, second = Alert.objects.order_by("id")
    assert (first.state, first.count, second.state, second.count) == ("closed", 1, "open", 2)
    assert first.incident_id == second.incident_id
    incident = Incident.objects.get()
    assert incident.state == IN_PROGRESS and incident.reopen_count == 1
    bodies = notes(incident)
    assert sum("reopened" in n for n in bodies) == 1 and not any("still" in n for n in bodies)
    states = [e.changes.get("state") for e in AuditEntry.objects.filter(ticket_id=incident.pk).order_by("id")
              if e.action == AuditAction.TRANSITIONED]
    assert states == [[NEW, RESOLVED], [RESOLVED, IN_PROGRESS]]  # every change is in the audit trail


def test_two_alerts_of_one_incident_clearing_in_one_batch_resolve_it_once(post_events):
    db1 = CIFactory(name="db1")
    app1, app2 = CIFactory(name="app1"), CIFactory(name="app2")
    depends_on(app1, db1)
    depends_on(app2, db1)
    post_batch(post_events, [at(0, node="app1", check="Latency"), at(1, node="app2", check="Errors")])
    incident = Incident.objects.get()  # the second correlated with the first, written in the same batch
    assert set(Alert.objects.values_list("incident_id", flat=True)) == {incident.pk}
    post_batch(post_events, [at(2, node="app1", check="Latency", severity="clear"),
                             at(3, node="app2", check="Errors", severity="clear")])
    incident.refresh_from_db()
    assert incident.state == RESOLVED
    assert any("1 alert(s) on this incident are still open" in n for n in notes(incident))
    assert AuditEntry.objects.filter(ticket_id=incident.pk, action=AuditAction.TRANSITIONED).count() == 1


def test_a_failing_event_in_the_middle_keeps_the_others_exactly_once(post_events, monkeypatch):
    real = services.apply_signal

    def flaky(signal, context):
        if signal.node == "bad":
            raise RuntimeError("CMDB unreachable")
        return real(signal, context)

    monkeypatch.setattr(services, "apply_signal", flaky)
    post_events(URL, [at(0), at(1), at(2, node="bad"), at(3), at(4, node="web02")])
    errors = list(Event.objects.order_by("pk").values_list("error", flat=True))
    assert errors == ["", "", "RuntimeError: CMDB unreachable", "", ""]
    assert dict(Alert.objects.values_list("node", "count")) == {"web01": 3, "web02": 1}
    assert Incident.objects.count() == 2
    assert Event.objects.filter(processed_at__isnull=True).count() == 1


def test_a_batch_of_repeats_runs_a_constant_number_of_queries(post_events, bot):
    post_batch(post_events, [at(0, node=f"web{i:03d}") for i in range(100)])
    post_batch(post_events, [at(1, node=f"web{i:03d}") for i in range(100)])  # the work notes due now
    ids = services.accept("generic", [RawEvent("nagios", at(2, node=f"web{i:03d}")) for i in range(100)],
                          account=bot).ids
    with CaptureQueriesContext(connection) as queries:
        assert services.process_events(ids) == 100
    assert len(queries) <= 15, [q["sql"][:80] for q in queries]
    assert set(Alert.objects.values_list("count", flat=True)) == {3}


def test_new_alerts_of_a_batch_are_inserted_together(post_events, bot):
    ids = services.accept("generic", [RawEvent("nagios", at(0, node=f"web{i:03d}", severity="warning"))
                                      for i in range(50)], account=bot).ids
    services.monitoring_actor()  # created on first use
    with CaptureQueriesContext(connection) as queries:
        assert services.process_events(ids) == 50
    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "events_alert"')]
    assert len(inserts) == 1 and Alert.objects.count() == 50 and len(queries) <= 15


def process_concurrently(batches):
    """Process each batch of event ids in its own thread, all starting together; the exceptions raised."""
    barrier = threading.Barrier(len(batches))
    errors = []

    def work(ids):
        try:
            barrier.wait()
            services.process_events(ids)
        except Exception as exc:  # noqa: BLE001 - returned to the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(ids,)) for ids in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_on_the_same_fingerprints_lose_no_count(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite serializes writers")
    monkeypatch.setattr(services, "dispatch", lambda ids: None)  # processed below, by four workers
    ef.IncidentRuleFactory(order=1)  # the migration's default rule is gone after an earlier flush
    real = services.apply_signal

    def slow(signal, context):  # keep both batches open at the same time
        time.sleep(0.005)
        return real(signal, context)

    monkeypatch.setattr(services, "apply_signal", slow)
    nodes = [f"web{i:02d}" for i in range(10)]
    services.process_events(services.accept("generic", [RawEvent("nagios", at(0, node=n)) for n in nodes]).ids)
    batches = [services.accept("generic", [RawEvent("nagios", at(1 + worker, node=n))
                                           for n in (nodes if worker % 2 else nodes[::-1]) * 3]).ids
               for worker in range(4)]
    assert not process_concurrently(batches)
    assert not Event.objects.filter(processed_at__isnull=True).exists()
    assert not Event.objects.exclude(error="").exists()
    assert sorted(Alert.objects.values_list("node", "count")) == [(n, 13) for n in nodes]
    assert Alert.objects.filter(state="open").count() == 10 and Incident.objects.count() == 10


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_open_one_alert_per_new_fingerprint_without_colliding(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite serializes writers")
    monkeypatch.setattr(services, "dispatch", lambda ids: None)
    ef.IncidentRuleFactory(order=1)
    redone = []  # a collision would roll a batch back and apply it again event by event
    real = services._apply_one_by_one
    monkeypatch.setattr(services, "_apply_one_by_one", lambda *args: redone.append(1) or real(*args))
    batches = [services.accept("generic", [RawEvent("nagios", at(worker, node=f"db{i}")) for i in range(8)]).ids
               for worker in range(3)]
    assert not process_concurrently(batches)
    assert Alert.objects.count() == 8 and set(Alert.objects.values_list("count", flat=True)) == {3}
    assert Incident.objects.count() == 8
    assert not Event.objects.exclude(error="").exists()
    assert not redone  # the fingerprints' locks made the workers take turns


def test_an_event_whose_payload_cannot_be_read_fails_alone(post_events, bot):
    ids = services.accept("generic", [RawEvent("nagios", at(0)), RawEvent("nagios", {"source": "nagios"}),
                                      RawEvent("nagios", at(1))], account=bot).ids
    assert services.process_events(ids) == 3
    errors = list(Event.objects.order_by("pk").values_list("error", flat=True))
    assert errors[0] == errors[2] == "" and errors[1].startswith("KeyError")
    assert Alert.objects.get().count == 2


def test_the_soft_time_limit_in_the_middle_of_a_batch_queues_all_of_it_untouched(
        monkeypatch, bot, django_capture_on_commit_callbacks):
    from celery.exceptions import SoftTimeLimitExceeded

    ids = services.accept("generic", [RawEvent("nagios", at(minute)) for minute in range(3)], account=bot).ids
    queued = []
    monkeypatch.setattr(services, "dispatch", queued.extend)
    real = services.apply_signal

    def out_of_time_at_the_third(signal, context):
        if signal.time.minute == 2:
            raise SoftTimeLimitExceeded()
        return real(signal, context)

    monkeypatch.setattr(services, "apply_signal", out_of_time_at_the_third)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.process_events(ids) == 0
    assert queued == ids  # the first two were rolled back with the rest: applied again, once, by the next task
    assert not Alert.objects.exists() and not Incident.objects.exists()
    monkeypatch.undo()
    assert services.process_events(ids) == 3 and Alert.objects.get().count == 3


def test_the_database_still_refuses_a_second_open_alert_of_a_fingerprint():
    """Migration 0005 drops the fingerprint's plain indexes by name, not the constraint's partial unique one."""
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    now = timezone.now()
    fields = {"fingerprint": "fp", "source": "s", "check_name": "c", "severity": "major", "first_seen": now,
              "last_seen": now}
    Alert.objects.create(**fields)
    Alert.objects.create(**fields, state="closed")
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(**fields)
