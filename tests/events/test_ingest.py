"""Accepting events: formats' validation, 202 answers, batches, idempotency, the broker being down, who may post."""

from unittest import mock

import pytest
from kombu.exceptions import OperationalError

from events import tasks
from events.models import Alert, Event
from tests.support import events_factories as ef
from tests.support import factories
from tests.support.cmdb_factories import CIFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/events/"


def test_generic_single_event_is_stored_acknowledged_and_processed(post_events):
    response = post_events(URL, ef.generic())
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["accepted"] == 1 and body["duplicates"] == 0 and len(body["ids"]) == 1
    event = Event.objects.get(pk=body["ids"][0])
    assert event.format == "generic" and event.source == "nagios"
    assert event.processed_at is not None and event.error == ""
    alert = Alert.objects.get()
    assert (alert.check_name, alert.node, alert.severity, alert.count) == ("HTTP", "web01", "critical", 1)
    assert alert.first_seen.isoformat() == "2026-11-24T10:00:00+00:00"
    assert alert.labels == {"env": "prod"}


def test_generic_batch_is_stored_in_one_request(post_events):
    batch = [ef.generic(node=f"web{i:02d}") for i in range(5)]
    response = post_events(URL, batch)
    assert response.status_code == 202
    ids = response.json()["ids"]
    assert len(ids) == 5 and Event.objects.count() == 5
    assert sorted(Alert.objects.values_list("node", flat=True)) == [f"web{i:02d}" for i in range(5)]


def test_ci_reference_instead_of_node_is_accepted(post_events):
    ci = CIFactory(name="payments-db")
    response = post_events(URL, ef.generic(node="", ci_id=ci.pk, check="Replication lag"))
    assert response.status_code == 202
    assert Alert.objects.get().configuration_item == ci


@pytest.mark.parametrize("body, field", [
    ({"node": "web01", "check": "HTTP", "severity": "critical"}, "source"),
    (ef.generic(severity="disaster"), "severity"),
    (ef.generic(check=""), "check"),
    (ef.generic(time="yesterday"), "time"),
    (ef.generic(labels=["a"]), "labels"),
    (ef.generic(node="", ci=""), "node"),
    (ef.generic(ci_id="abc"), "ci_id"),
])
def test_bad_generic_event_is_400_with_field_message(post_events, body, field):
    response = post_events(URL, body)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert Event.objects.count() == 0


def test_bad_item_in_batch_is_400_naming_the_item_and_nothing_is_stored(post_events):
    response = post_events(URL, [ef.generic(), ef.generic(severity="loud")])
    assert response.status_code == 400
    errors = response.json()
    assert errors[0] == {} and "severity" in errors[1]
    assert Event.objects.count() == 0


@pytest.mark.parametrize("body", [[], "text", 42])
def test_empty_or_non_object_body_is_400(post_events, body):
    assert post_events(URL, body).status_code == 400


def test_unknown_format_is_404(post_events):
    assert post_events(URL + "zabbix/", ef.generic()).status_code == 404


def test_retry_with_idempotency_header_stores_nothing_new(post_events):
    first = post_events(URL, ef.generic(), HTTP_IDEMPOTENCY_KEY="nagios-42")
    again = post_events(URL, ef.generic(), HTTP_IDEMPOTENCY_KEY="nagios-42")
    assert first.status_code == again.status_code == 202
    assert again.json() == {"accepted": 0, "duplicates": 1, "ids": first.json()["ids"]}
    assert Event.objects.count() == 1
    assert Alert.objects.get().count == 1


def test_batch_retry_with_idempotency_header_returns_original_ids(post_events):
    batch = [ef.generic(node=f"web{i}") for i in range(3)]
    first = post_events(URL, batch, HTTP_IDEMPOTENCY_KEY="batch-7")
    again = post_events(URL, batch, HTTP_IDEMPOTENCY_KEY="batch-7")
    assert again.json()["ids"] == first.json()["ids"] and again.json()["accepted"] == 0
    assert Event.objects.count() == 3


def test_idempotency_key_in_body_and_same_key_twice_in_one_batch(post_events):
    response = post_events(URL, [ef.generic(idempotency_key="k1"), ef.generic(idempotency_key="k1")])
    ids = response.json()["ids"]
    assert ids[0] == ids[1] and Event.objects.count() == 1
    assert post_events(URL, ef.generic(idempotency_key="k1")).json()["ids"] == [ids[0]]


def test_same_key_from_another_source_is_a_different_event(post_events):
    post_events(URL, ef.generic(idempotency_key="k1"))
    post_events(URL, ef.generic(source="zabbix", idempotency_key="k1"))
    assert Event.objects.count() == 2


def test_events_are_accepted_while_the_broker_is_down_and_swept_later(post_events):
    with mock.patch.object(tasks.process_event, "apply_async",
                           side_effect=OperationalError("Error 111 connecting to redis:6379")):
        response = post_events(URL, [ef.generic(node="web01"), ef.generic(node="web02")])
    assert response.status_code == 202
    assert Event.objects.filter(processed_at__isnull=True).count() == 2
    assert Alert.objects.count() == 0

    assert tasks.process_pending.delay().get() == 2
    assert Event.objects.filter(processed_at__isnull=True).count() == 0
    assert Alert.objects.count() == 2
    assert tasks.process_pending.delay().get() == 0


def test_sweep_skips_events_already_processed(post_events):
    post_events(URL, ef.generic())
    assert tasks.process_pending.delay().get() == 0
    assert Alert.objects.get().count == 1


def test_a_failing_event_records_its_error_and_does_not_block_the_rest(post_events):
    with mock.patch("events.services.apply_signal", side_effect=[RuntimeError("boom"), None]):
        post_events(URL, [ef.generic(node="a"), ef.generic(node="b")])
    errors = list(Event.objects.order_by("pk").values_list("error", flat=True))
    assert errors == ["RuntimeError: boom", ""]
    failed, done = Event.objects.order_by("pk")
    assert failed.processed_at is None and failed.retry_at is not None  # retried later (tests/events/test_not_lost)
    assert done.processed_at is not None


@pytest.mark.parametrize("make_user, expected", [
    (ef.integration_user, 202),
    (factories.admin, 202),
    (factories.agent, 403),
    (factories.manager, 403),
    (factories.requester, 403),
])
def test_only_integration_accounts_and_admins_post_events(api_as, django_capture_on_commit_callbacks,
                                                          make_user, expected):
    client = api_as(make_user(username="someone"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, ef.generic(), format="json")
    assert response.status_code == expected
    assert Event.objects.count() == (1 if expected == 202 else 0)


def test_anonymous_post_is_401(api_as):
    assert api_as(None).post(URL, ef.generic(), format="json").status_code == 401


def test_beat_sweeps_pending_events():
    from django.conf import settings

    entries = [e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "events.process_pending" in entries


def test_a_tokens_post_decision_is_remembered_briefly_but_revocation_is_immediate(api_as, monkeypatch):
    from events import permissions as event_permissions

    user = ef.integration_user()
    client = api_as(user)
    assert client.post(URL, ef.generic(), format="json").status_code == 202
    user.groups.clear()
    assert client.post(URL, ef.generic(), format="json").status_code == 202  # within the decision's TTL
    monkeypatch.setattr(event_permissions, "_token_decisions", {})  # the TTL has passed
    assert client.post(URL, ef.generic(), format="json").status_code == 403

    user.groups.add(ef.integration_group())
    assert client.post(URL, ef.generic(), format="json").status_code == 403  # still the cached refusal
    user.api_tokens.update(revoked_at="2026-01-01T00:00:00Z")
    assert client.post(URL, ef.generic(), format="json").status_code == 401


def test_accepted_rows_are_the_rows_the_orm_would_write(post_events):
    from django.utils import timezone

    from events import services

    assert {f.name for f in Event._meta.concrete_fields if not f.primary_key} == set(services.INSERT_FIELDS)
    ids = post_events(URL, [ef.generic(node="a", idempotency_key="k-a"), ef.generic(node="b")]).json()["ids"]
    stored = list(Event.objects.filter(pk__in=ids).order_by("pk"))
    assert [e.pk for e in stored] == ids
    Event.objects.filter(pk__in=ids).update(processed_at=None)
    for event in Event.objects.filter(pk__in=ids):
        orm = Event.objects.create(source=event.source, format=event.format, payload=event.payload,
                                   account_id=event.account_id,
                                   idempotency_key=None if event.idempotency_key is None else "orm")
        orm.refresh_from_db()
        for f in Event._meta.concrete_fields:
            if f.name not in ("id", "received_at", "idempotency_key"):
                assert getattr(event, f.attname) == getattr(orm, f.attname), f.name
        assert abs((event.received_at - timezone.now()).total_seconds()) < 60
    assert [e.idempotency_key for e in stored] == ["k-a", None]
    assert stored[0].payload["node"] == "a" and stored[0].payload["labels"] == {"env": "prod"}


def test_a_long_idempotency_header_still_fits_each_row_of_a_batch(post_events):
    key = "x" * 300
    first = post_events(URL, [ef.generic(node="a"), ef.generic(node="b")], HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 202
    again = post_events(URL, [ef.generic(node="a"), ef.generic(node="b")], HTTP_IDEMPOTENCY_KEY=key)
    assert again.json()["ids"] == first.json()["ids"] and again.json()["accepted"] == 0
    assert all(len(k) <= 200 for k in Event.objects.values_list("idempotency_key", flat=True))


@pytest.mark.parametrize("first_size, again_size", [(1, 2), (2, 1), (3, 2), (2, 3)])
def test_a_header_key_reused_for_a_body_of_another_size_is_a_409(post_events, first_size, again_size):
    """The header key is stored per row ("K", or "K:0", "K:1"... for a batch): a body splitting into another
    number of rows is still a different body, never a partial retry processed twice."""
    first = post_events(URL, [ef.generic(node=f"web{i}") for i in range(first_size)], HTTP_IDEMPOTENCY_KEY="k9")
    assert first.status_code == 202
    again = post_events(URL, [ef.generic(node=f"web{i}") for i in range(again_size)], HTTP_IDEMPOTENCY_KEY="k9")
    assert again.status_code == 409
    assert Event.objects.count() == first_size

