"""Handing accepted events to Celery: one message per interval per process, none lost when the broker is down."""

import os
import threading
import time
from unittest import mock

import pytest
from kombu.exceptions import OperationalError

from events import dispatch as event_dispatch
from events.models import Event
from tests.support import events_factories as ef


def make_dispatcher(interval=0.05, max_ids=3, fail=False, eager=False):
    sent = []
    published = threading.Event()

    def publish(ids):
        if fail:
            return False
        sent.append(list(ids))
        published.set()
        return True

    dispatcher = event_dispatch.Dispatcher(interval=interval, max_ids=max_ids, publish=publish,
                                           eager=lambda: eager)
    return dispatcher, sent, published


def wait_for(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.01)


def test_ids_of_many_requests_within_the_interval_go_in_one_message():
    dispatcher, sent, _published = make_dispatcher(interval=0.2, max_ids=100)
    for pk in range(1, 11):
        dispatcher.add([pk])
    wait_for(lambda: sent)
    time.sleep(0.05)
    assert sent == [list(range(1, 11))]


def test_a_large_buffer_is_sent_in_bounded_chunks():
    dispatcher, sent, _published = make_dispatcher(interval=0.01, max_ids=3)
    dispatcher.add([1, 2, 3, 4, 5, 6, 7])
    wait_for(lambda: sum(map(len, sent)) == 7)
    assert sent == [[1, 2, 3], [4, 5, 6], [7]]


def test_ids_added_after_a_flush_are_sent_in_the_next_message():
    dispatcher, sent, _published = make_dispatcher(interval=0.01, max_ids=100)
    dispatcher.add([1])
    wait_for(lambda: sent)
    dispatcher.add([2])
    wait_for(lambda: len(sent) == 2)
    assert sent == [[1], [2]]


def test_broker_down_drops_the_buffer_for_the_sweep_without_stopping_the_thread():
    dispatcher, sent, _published = make_dispatcher(interval=0.01, fail=True)
    dispatcher.add([1, 2, 3, 4])
    wait_for(lambda: not dispatcher._ids)
    assert sent == []
    assert dispatcher._thread.is_alive()


def test_eager_mode_publishes_inline():
    dispatcher, sent, _published = make_dispatcher(max_ids=2, eager=True)
    dispatcher.add([1, 2, 3])
    assert sent == [[1, 2], [3]] and dispatcher._thread is None


def test_a_forked_child_starts_its_own_buffer_and_thread():
    dispatcher, sent, _published = make_dispatcher(interval=60)
    dispatcher.add([1])
    parent_thread = dispatcher._thread
    with mock.patch.object(os, "getpid", return_value=os.getpid() + 1):
        assert dispatcher.flush() == 0  # the parent's ids are the parent's to send
        dispatcher.add([2])
        assert dispatcher._ids == [2] and dispatcher._thread is not parent_thread


def test_publish_reports_a_broker_outage():
    from events import tasks

    with mock.patch.object(tasks.process_event, "apply_async", side_effect=OperationalError("down")):
        assert event_dispatch.publish([1, 2]) is False


@pytest.mark.django_db
def test_accept_dispatches_only_after_the_rows_are_committed(bot, api_as, django_capture_on_commit_callbacks):
    seen = []
    with mock.patch.object(event_dispatch.dispatcher, "add",
                           side_effect=lambda ids: seen.append((ids, Event.objects.filter(pk__in=ids).count()))):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = api_as(bot).post("/api/v1/events/", [ef.generic(node="a"), ef.generic(node="b")],
                                        format="json")
        assert response.status_code == 202 and seen == []
        for callback in callbacks:
            callback()
    assert seen == [(response.json()["ids"], 2)]
