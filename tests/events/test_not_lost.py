"""Events accepted are never lost: unstorable timestamps are refused at the door, big webhooks are stored in
chunks, failures are retried with backoff and then shown in the console for an agent to retry."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Alert, Event
from tests.support import events_factories as ef
from tests.support import factories

pytestmark = pytest.mark.django_db
URL = "/api/v1/events/"


@pytest.mark.parametrize("when", ["9999-12-31T23:59:59-23:00", "0000-01-01T00:00:00Z", "10000-01-01T00:00:00Z",
                                  "0001-01-01T00:00:00+05:00"])
def test_unstorable_timestamps_are_refused(post_events, when):
    response = post_events(URL, ef.generic(time=when))
    assert response.status_code == 400 and "time" in response.json()
    alert = ef.am_alert()
    alert["startsAt"] = when
    response = post_events(URL + "alertmanager/", ef.alertmanager(alert))
    assert response.status_code == 400 and "alerts" in response.json()
    assert not Event.objects.exists()


def _alerts(n):
    return [ef.am_alert(instance=f"web{i:05d}:9100", fingerprint=f"fp{i:05d}") for i in range(n)]


def test_a_webhook_is_stored_and_processed_in_chunks(post_events, settings):
    settings.EVENTS_ALERTS_PER_EVENT = 2
    response = post_events(URL + "alertmanager/", ef.alertmanager(*_alerts(5)))
    assert response.status_code == 202 and response.json()["accepted"] == 3
    assert [len(e.payload["alerts"]) for e in Event.objects.order_by("pk")] == [2, 2, 1]
    assert Alert.objects.count() == 5
    again = post_events(URL + "alertmanager/", ef.alertmanager(*_alerts(5)), HTTP_IDEMPOTENCY_KEY="wh-1")
    retry = post_events(URL + "alertmanager/", ef.alertmanager(*_alerts(5)), HTTP_IDEMPOTENCY_KEY="wh-1")
    assert retry.json()["ids"] == again.json()["ids"] and retry.json()["accepted"] == 0


def test_too_many_alerts_in_one_webhook_is_a_413(post_events, settings):
    settings.EVENTS_MAX_ALERTS_PER_WEBHOOK = 3
    response = post_events(URL + "alertmanager/", ef.alertmanager(*_alerts(4)))
    assert response.status_code == 413
    assert "3" in response.json()["detail"]
    assert not Event.objects.exists()


def test_processing_stops_at_its_time_budget_and_queues_the_rest(monkeypatch, bot,
                                                                 django_capture_on_commit_callbacks):
    ids = services.accept("generic", [ef_raw(i) for i in range(3)], account=bot).ids
    queued = []
    monkeypatch.setattr(services, "PROCESS_BUDGET_SECONDS", 0)
    monkeypatch.setattr(services, "dispatch", queued.extend)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.process_events(ids) == 1
    assert queued == ids[1:]
    assert Event.objects.filter(processed_at__isnull=True).count() == 2


def ef_raw(i):
    from events.formats.base import RawEvent

    payload = ef.generic(node=f"n{i}")
    return RawEvent(payload["source"], payload)


def _fail(monkeypatch):
    def boom(signal, context):
        raise RuntimeError("CMDB unreachable")
    monkeypatch.setattr(services, "apply_signal", boom)


def test_failures_are_retried_with_backoff_then_shown_and_retried_by_an_agent(monkeypatch, bot, client,
                                                                            django_capture_on_commit_callbacks):
    (pk,) = services.accept("generic", [ef_raw(1)], account=bot).ids
    _fail(monkeypatch)
    services.process_events([pk])
    event = Event.objects.get()
    assert event.processed_at is None and event.attempts == 1 and "CMDB unreachable" in event.error
    assert event.retry_at > timezone.now()
    assert services.pending_batch() == []  # not before its backoff
    first_delay = event.retry_at - timezone.now()
    Event.objects.filter(pk=pk).update(retry_at=timezone.now() - timedelta(seconds=1))
    assert services.pending_batch() == [pk]
    services.process_events([pk])
    assert Event.objects.get().retry_at - timezone.now() > first_delay  # backs off
    for _attempt in range(services.MAX_ATTEMPTS):
        Event.objects.filter(pk=pk).update(retry_at=None)
        services.process_events([pk])
    event = Event.objects.get()
    assert event.processed_at is not None and event.error  # given up: waits for a person
    agent = factories.agent()
    client.force_login(agent)
    page = client.get(reverse("events:console"))
    assert "CMDB unreachable" in page.content.decode()
    monkeypatch.undo()
    assert client.get(reverse("events:retry_event", args=[pk])).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("events:retry_event", args=[pk]))
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.error == "" and event.processed_at is not None and Alert.objects.count() == 1


def test_requesters_cannot_retry(bot, client):
    (pk,) = services.accept("generic", [ef_raw(1)], account=bot).ids
    client.force_login(factories.requester())
    assert client.post(reverse("events:retry_event", args=[pk])).status_code in (403, 404)


def test_a_redelivered_message_does_not_retry_a_failed_event_before_its_backoff(monkeypatch, bot):
    """Celery delivers at least once: a second process_event with the same ids must wait for retry_at."""
    (pk,) = services.accept("generic", [ef_raw(1)], account=bot).ids
    _fail(monkeypatch)
    services.process_events([pk])
    assert services.process_events([pk]) == 0
    assert Event.objects.get().attempts == 1


def test_the_tasks_soft_time_limit_is_not_counted_as_a_failure_of_the_event(monkeypatch, bot,
                                                                          django_capture_on_commit_callbacks):
    from celery.exceptions import SoftTimeLimitExceeded

    ids = services.accept("generic", [ef_raw(1), ef_raw(2)], account=bot).ids
    queued = []
    monkeypatch.setattr(services, "dispatch", queued.extend)

    def out_of_time(signal, context):
        raise SoftTimeLimitExceeded()
    monkeypatch.setattr(services, "apply_signal", out_of_time)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.process_events(ids) == 0
    assert queued == ids
    assert list(Event.objects.values_list("attempts", "error", "retry_at")) == [(0, "", None)] * 2
