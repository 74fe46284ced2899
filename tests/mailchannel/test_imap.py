"""The IMAP client against a real Dovecot (tests/support/imap.py)."""

import threading
import time

import pytest

from mailchannel import imap
from mailchannel.models import Protocol
from tests.support.imap import clear, compose, deliver, flags, make_mailbox, read_all
from tests.support.ports import reserved_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def server(clean_imap):
    return clean_imap


@pytest.fixture
def desk(server):
    return make_mailbox(server)


def open_client(mailbox):
    client = imap.connect(mailbox)
    client.select()
    return client


def test_fetch_returns_the_whole_message_and_leaves_it_unread(server, desk):
    raw = compose(subject="VPN is down")
    uid = deliver(server, "desk", raw)
    with open_client(desk) as client:
        assert client.unhandled_uids() == [uid]
        assert client.sizes([uid]) == {uid: len(raw)}
        assert client.fetch(uid) == raw
        assert client.unhandled_uids() == [uid]
    assert flags(server, "desk") == [set()]


def test_unhandled_uids_are_the_unread_ones_oldest_first(server, desk):
    first = deliver(server, "desk", compose(subject="one"))
    deliver(server, "desk", compose(subject="read by someone"), flags=r"\Seen")
    third = deliver(server, "desk", compose(subject="three"))
    with open_client(desk) as client:
        assert client.unhandled_uids() == [first, third]


def test_mark_handled_marks_the_message_read(server, desk):
    uid = deliver(server, "desk", compose())
    with open_client(desk) as client:
        client.mark_handled(uid)
        assert client.unhandled_uids() == []
    assert flags(server, "desk") == [{r"\Seen"}]


def test_mark_handled_moves_to_the_processed_folder_creating_it(server):
    mailbox = make_mailbox(server, processed_folder="Done")
    raw = compose(subject="Move me")
    read = deliver(server, "desk", compose(subject="Already read"), flags=r"\Seen")
    uid = deliver(server, "desk", raw)
    with open_client(mailbox) as client:
        assert "MOVE" in client.capabilities
        assert client.unhandled_uids() == [read, uid]  # moved mail is handled whether read or not
        client.mark_handled(uid)
        assert client.unhandled_uids() == [read]
    assert read_all(server, "desk", "Done") == [raw]
    assert len(read_all(server, "desk")) == 1


def test_without_move_the_message_is_copied_then_expunged(server):
    mailbox = make_mailbox(server, processed_folder="Done")
    raw = compose(subject="Copy me")
    uid = deliver(server, "desk", raw)
    with open_client(mailbox) as client:
        client.capabilities.discard("MOVE")
        client.mark_handled(uid)
        assert client.unhandled_uids() == []
    assert read_all(server, "desk", "Done") == [raw]
    assert read_all(server, "desk") == []


def test_folder_names_are_sent_in_modified_utf7(server):
    assert imap.quote("台北") == '"&U,BTFw-"'  # RFC 3501's example
    assert imap.quote('A&B "x"') == '"A&-B \\"x\\""'
    mailbox = make_mailbox(server, processed_folder="已处理")
    raw = compose(subject="处理完了")
    uid = deliver(server, "desk", raw)
    with open_client(mailbox) as client:
        client.mark_handled(uid)
        assert client.select("已处理") == 1
        assert client.fetch(client.unhandled_uids()[0]) == raw


def test_fetch_of_a_message_removed_meanwhile_is_none(server, desk):
    uid = deliver(server, "desk", compose())
    with open_client(desk) as client:
        clear(server, "desk")
        assert client.fetch(uid) is None


def test_idle_returns_true_when_mail_arrives(server, desk):
    with open_client(desk) as client:
        assert client.can_idle
        sender = threading.Timer(0.5, deliver, args=(server, "desk", compose(subject="During IDLE")))
        sender.start()
        started = time.monotonic()
        try:
            assert client.idle(10) is True
        finally:
            sender.join()
        assert time.monotonic() - started < 8
        assert len(client.unhandled_uids()) == 1  # the connection is usable after IDLE


def test_idle_returns_false_when_the_time_is_up(server, desk):
    with open_client(desk) as client:
        started = time.monotonic()
        assert client.idle(1) is False
        assert 0.9 <= time.monotonic() - started < 5
        uid = deliver(server, "desk", compose())
        assert client.unhandled_uids() == [uid]


def test_check_connection_passes_for_a_good_mailbox(desk):
    assert imap.check_connection(desk) is None


def test_check_connection_with_a_wrong_password_says_so(server):
    mailbox = make_mailbox(server, password="wrong")
    with pytest.raises(imap.MailboxError) as error:
        imap.check_connection(mailbox)
    assert str(error.value).startswith(f"{server.host} refused the user name or password of desk: ")
    assert "Authentication failed" in str(error.value)


def test_check_connection_with_a_missing_folder_names_it(server):
    mailbox = make_mailbox(server, folder="Nowhere")
    with pytest.raises(imap.MailboxError, match="The folder Nowhere cannot be opened"):
        imap.check_connection(mailbox)


def test_check_connection_to_a_closed_port_says_so(server):
    with reserved_port() as port:  # bound, nothing listening: refused, and no other process can take it meanwhile
        mailbox = make_mailbox(server, port=port)
        with pytest.raises(imap.MailboxError, match=f"127.0.0.1 refuses connections on port {port}"):
            imap.check_connection(mailbox)


def test_tls_on_a_plain_port_says_so(server):
    mailbox = make_mailbox(server, protocol=Protocol.IMAPS)
    with pytest.raises(imap.MailboxError, match="TLS with .* failed"):
        imap.check_connection(mailbox)


def test_an_unknown_server_says_so(server):
    mailbox = make_mailbox(server, host="no-such-host.invalid")
    with pytest.raises(imap.MailboxError, match="no-such-host.invalid cannot be found"):
        imap.check_connection(mailbox)
