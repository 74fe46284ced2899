"""Polling mailboxes on a real Dovecot, with a stand-in for mailchannel.ingest.ingest: it records each call and
the message's key the way ingest does, so these tests hold with the real ingest too."""

import email
import hashlib
import sys
import threading
import time
import types

import pytest
from django.core.cache import cache

import mailchannel
from mailchannel import imap, polling, tasks
from mailchannel.models import InboundMessage, Mailbox, Outcome
from tests.support.imap import compose, deliver, flags, make_mailbox, read_all

pytestmark = pytest.mark.django_db


class StandIn:
    """ingest(mailbox, raw): records the message by Message-ID (an existing one is returned unchanged); raises for
    subjects in `failing`."""

    def __init__(self):
        self.calls = []
        self.failing = set()

    def __call__(self, mailbox, raw):
        self.calls.append(raw)
        message = email.message_from_bytes(raw)
        if message["Subject"] in self.failing:
            raise ValueError(f"cannot handle {message['Subject']}")
        key = message["Message-ID"] or hashlib.sha256(raw).hexdigest()
        row, _created = InboundMessage.objects.get_or_create(
            key=key, defaults={"mailbox": mailbox, "subject": message["Subject"], "outcome": Outcome.CREATED})
        return row


@pytest.fixture
def ingest(monkeypatch):
    stand_in = StandIn()
    try:
        from mailchannel import ingest as module
    except ImportError:  # the real ingest is not there yet
        module = types.ModuleType("mailchannel.ingest")
        monkeypatch.setitem(sys.modules, "mailchannel.ingest", module)
        monkeypatch.setattr(mailchannel, "ingest", module, raising=False)
    monkeypatch.setattr(module, "ingest", stand_in, raising=False)
    return stand_in


@pytest.fixture
def server(clean_imap):
    return clean_imap


@pytest.fixture
def desk(server):
    return make_mailbox(server)


def subjects(raws):
    return [email.message_from_bytes(raw)["Subject"] for raw in raws]


def test_each_message_is_ingested_then_marked_read(server, desk, ingest):
    raws = [compose(subject=f"Message {n}") for n in range(3)]
    for raw in raws:
        deliver(server, "desk", raw)
    counts = polling.poll_mailbox(desk)
    assert counts == {"read": 3, "handled": 3, "duplicates": 0, "errors": 0}
    assert ingest.calls == raws  # oldest first
    assert flags(server, "desk") == [{r"\Seen"}] * 3
    desk.refresh_from_db()
    assert desk.last_polled_at is not None and desk.last_error == ""
    assert polling.poll_mailbox(desk)["read"] == 0


def test_handled_mail_is_moved_when_the_mailbox_says_so(server, ingest):
    mailbox = make_mailbox(server, processed_folder="Done")
    raw = compose(subject="Move after ingest")
    deliver(server, "desk", raw)
    assert polling.poll_mailbox(mailbox)["handled"] == 1
    assert read_all(server, "desk") == []
    assert read_all(server, "desk", "Done") == [raw]


def test_a_message_ingest_fails_on_stays_unread_and_the_others_go_on(server, desk, ingest):
    deliver(server, "desk", compose(subject="Broken"))
    deliver(server, "desk", compose(subject="Fine"))
    ingest.failing.add("Broken")
    counts = polling.poll_mailbox(desk)
    assert counts == {"read": 2, "handled": 1, "duplicates": 0, "errors": 1}
    assert flags(server, "desk") == [set(), {r"\Seen"}]
    desk.refresh_from_db()
    assert "1 message could not be handled" in desk.last_error
    assert "ValueError: cannot handle Broken" in desk.last_error

    ingest.failing.clear()
    assert polling.poll_mailbox(desk) == {"read": 1, "handled": 1, "duplicates": 0, "errors": 0}
    assert subjects(ingest.calls) == ["Broken", "Fine", "Broken"]
    desk.refresh_from_db()
    assert desk.last_error == ""


def test_a_crash_between_ingest_and_marking_reads_the_message_again(server, desk, ingest, monkeypatch):
    raw = compose(subject="Crash after the ticket")
    deliver(server, "desk", raw)
    mark_handled = imap.Client.mark_handled
    crashes = [RuntimeError("worker killed")]

    def crash_once(client, uid):
        if crashes:
            raise crashes.pop()
        mark_handled(client, uid)

    monkeypatch.setattr(imap.Client, "mark_handled", crash_once)
    with pytest.raises(RuntimeError):
        polling.poll_mailbox(desk)
    assert flags(server, "desk") == [set()]
    desk.refresh_from_db()
    assert "worker killed" in desk.last_error

    counts = polling.poll_mailbox(desk)
    assert ingest.calls == [raw, raw]
    assert counts == {"read": 1, "handled": 1, "duplicates": 1, "errors": 0}
    assert flags(server, "desk") == [{r"\Seen"}]
    assert InboundMessage.objects.count() == 1


def test_a_poll_reads_at_most_a_batch(server, desk, ingest, settings):
    settings.INBOUND_MAIL_BATCH = 2
    for n in range(3):
        deliver(server, "desk", compose(subject=f"Batch {n}"))
    assert polling.poll_mailbox(desk)["read"] == 2
    assert subjects(ingest.calls) == ["Batch 0", "Batch 1"]
    assert polling.poll_mailbox(desk)["read"] == 1
    assert subjects(ingest.calls)[-1] == "Batch 2"


def test_a_message_over_the_size_limit_still_reaches_ingest(server, desk, ingest, settings, caplog):
    settings.INBOUND_MAIL_MAX_BYTES = 1000
    raw = compose(subject="Huge", body="x" * 5000)
    deliver(server, "desk", raw)
    assert polling.poll_mailbox(desk)["handled"] == 1
    assert ingest.calls == [raw]
    assert "over INBOUND_MAIL_MAX_BYTES" in caplog.text


def test_a_mailbox_being_read_is_not_read_twice(server, desk, ingest):
    deliver(server, "desk", compose())
    cache.add(f"mailchannel:poll:{desk.pk}", "another poll", 60)
    try:
        assert polling.poll_mailbox(desk)["read"] == 0
    finally:
        cache.delete(f"mailchannel:poll:{desk.pk}")
    assert ingest.calls == []
    assert polling.poll_mailbox(desk)["read"] == 1


def test_a_login_failure_is_recorded_not_raised(server, ingest):
    mailbox = make_mailbox(server, password="wrong")
    assert polling.poll_mailbox(mailbox) == {"read": 0, "handled": 0, "duplicates": 0, "errors": 0}
    mailbox.refresh_from_db()
    assert "refused the user name or password of desk" in mailbox.last_error
    assert mailbox.last_polled_at is not None


def test_mail_arriving_during_idle_is_handled_in_the_same_poll(server, desk, ingest):
    deliver(server, "desk", compose(subject="Before"))
    sender = threading.Timer(0.5, deliver, args=(server, "desk", compose(subject="During IDLE")))
    sender.start()
    started = time.monotonic()
    try:
        counts = polling.poll_mailbox(desk, idle_seconds=2)
    finally:
        sender.join()
    assert counts["handled"] == 2
    assert subjects(ingest.calls) == ["Before", "During IDLE"]
    assert 1.9 <= time.monotonic() - started < 10  # it idles on until the time is up


def test_poll_all_reads_every_active_mailbox(server, ingest):
    desk = make_mailbox(server)
    make_mailbox(server, user="alice")
    make_mailbox(server, user="bob", active=False)
    for user in ("desk", "alice", "bob"):
        deliver(server, user, compose(subject=f"To {user}"))
    results = polling.poll_all(idle_seconds=0)
    assert set(results) == {desk.name, "alice@test"}
    assert sorted(subjects(ingest.calls)) == ["To alice", "To desk"]
    assert flags(server, "bob") == [set()]


def test_the_task_with_no_mailbox_costs_one_query(django_assert_max_num_queries, ingest):
    with django_assert_max_num_queries(1):
        assert tasks.poll_mailboxes.delay().get() == {}


def test_the_task_reads_the_mailboxes_of_the_settings(server, ingest, settings):
    settings.INBOUND_MAIL_URLS = [f"imap://desk:secret@{server.host}:{server.port}/INBOX?address=desk@example.com"]
    settings.INBOUND_MAIL_IDLE_SECONDS = 0
    deliver(server, "desk", compose(subject="Via settings"))
    name = f"desk@{server.host}/INBOX"
    assert tasks.poll_mailboxes.delay().get() == {name: {"read": 1, "handled": 1, "duplicates": 0, "errors": 0}}
    assert Mailbox.objects.get(name=name).from_settings
    assert subjects(ingest.calls) == ["Via settings"]


def test_the_task_bounds_idle_by_the_soft_time_limit(monkeypatch, settings, db):
    settings.INBOUND_MAIL_IDLE_SECONDS = 600
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 60
    seen = {}
    monkeypatch.setattr(polling, "poll_all", lambda idle_seconds, mailboxes: seen.setdefault("idle", idle_seconds))
    tasks.poll_mailboxes()
    assert seen["idle"] == 60 - tasks.IDLE_MARGIN_SECONDS
