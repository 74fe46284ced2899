"""A real IMAP server for the e-mail channel's tests: Debian's Dovecot, with the users desk, alice and bob (password
"secret").

The session fixture `imap_server` ((host, port)) uses IMAP_TEST_HOST / IMAP_TEST_PORT when set, else starts its
own on a reserved loopback port with .ci/dovecot, else skips (fails with REQUIRE_IMAP=1). Under pytest-xdist each
worker process has its own session and so its own Dovecot: `clean_imap` empties every user's folders before a
test, which one server shared by parallel workers would do under another worker's test, so a server named by
IMAP_TEST_HOST / IMAP_TEST_PORT is refused when more than one worker runs.
"""

import imaplib
import os
import re
import shutil
import subprocess
import tempfile
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.support.ports import reserved_port

DOVECOT = "/usr/sbin/dovecot"
SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "dovecot"
USERS = ("desk", "alice", "bob")
PASSWORD = "secret"


class ImapServer(NamedTuple):
    host: str
    port: int


def _unavailable(reason):
    if os.environ.get("REQUIRE_IMAP"):
        pytest.fail(f"An IMAP server is required (REQUIRE_IMAP is set): {reason}")
    pytest.skip(f"IMAP tests need Debian's dovecot-imapd (apt-get install dovecot-imapd): {reason}; skipped")


@contextmanager
def dovecot():
    """The server named by IMAP_TEST_HOST / IMAP_TEST_PORT, else a Dovecot of our own on a loopback port reserved
    while it runs, stopped and removed on exit. RuntimeError when there is neither."""
    host, port = os.environ.get("IMAP_TEST_HOST"), os.environ.get("IMAP_TEST_PORT")
    if host and port:
        yield ImapServer(host, int(port))
        return
    if not os.path.exists(DOVECOT):
        raise RuntimeError(f"{DOVECOT} is missing")
    directory = tempfile.mkdtemp(prefix="itsm-dovecot-")
    with ExitStack() as cleanup:
        cleanup.callback(shutil.rmtree, directory, ignore_errors=True)
        port = cleanup.enter_context(reserved_port())
        cleanup.callback(subprocess.run, [str(SCRIPT), "stop", directory], capture_output=True, timeout=60)
        started = subprocess.run([str(SCRIPT), directory, str(port)], capture_output=True, text=True, timeout=60)
        if started.returncode:
            raise RuntimeError(f".ci/dovecot failed: {started.stderr.strip()}")
        yield ImapServer("127.0.0.1", port)


@pytest.fixture(scope="session")
def imap_server():
    named = os.environ.get("IMAP_TEST_HOST") and os.environ.get("IMAP_TEST_PORT")
    if named and int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) > 1:
        pytest.fail("IMAP_TEST_HOST / IMAP_TEST_PORT name one server, which parallel workers would empty under each "
                    "other's tests: unset them (each worker then starts its own Dovecot) or run with -n 0")
    with ExitStack() as stack:
        try:
            server = stack.enter_context(dovecot())
        except RuntimeError as exc:
            _unavailable(str(exc))
        yield server


@pytest.fixture
def clean_imap(imap_server):
    """The server, with every test user's mail deleted."""
    for user in USERS:
        clear(imap_server, user)
    return imap_server


def login(server, user):
    conn = imaplib.IMAP4(server.host, server.port, timeout=30)
    conn.login(user, PASSWORD)
    return conn


def _q(folder):
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def deliver(server, user, raw, folder="INBOX", flags=""):
    """APPEND a message (bytes) to the user's folder; returns its UID."""
    return deliver_many(server, user, [raw], folder, flags)[0]


def deliver_many(server, user, raws, folder="INBOX", flags=""):
    """APPEND messages on one connection, in order; returns their UIDs."""
    conn = login(server, user)
    try:
        uids = []
        for raw in raws:
            status, data = conn.append(_q(folder), f"({flags})" if flags else None, None, raw)
            assert status == "OK", data
            uids.append(int(re.search(rb"APPENDUID \d+ (\d+)", data[0]).group(1)))
        return uids
    finally:
        conn.logout()


def _messages(server, user, folder, item):
    conn = login(server, user)
    try:
        status, _data = conn.select(_q(folder), readonly=True)
        if status != "OK":
            return []
        _status, data = conn.uid("SEARCH", "ALL")
        uids = data[0].split()
        if not uids:
            return []
        _status, data = conn.uid("FETCH", b",".join(uids).decode(), f"(UID {item})")
        return [entry for entry in data if entry != b")"]
    finally:
        conn.logout()


def read_all(server, user, folder="INBOX"):
    """Every message in the user's folder (whole, as bytes), oldest first; [] when the folder is missing."""
    return [entry[1] for entry in _messages(server, user, folder, "BODY.PEEK[]")]


def flags(server, user, folder="INBOX"):
    """Each message's flags (a set of str such as "\\Seen"; not \\Recent, which depends on who looked first),
    oldest first."""
    found = []
    for entry in _messages(server, user, folder, "FLAGS"):
        line = entry[0] if isinstance(entry, tuple) else entry
        found.append(set(re.search(rb"FLAGS \(([^)]*)\)", line).group(1).decode().split()) - {"\\Recent"})
    return found


def clear(server, user):
    """Delete all of the user's mail and every folder but INBOX."""
    conn = login(server, user)
    try:
        _status, listing = conn.list()
        for line in listing or []:
            name = re.search(rb' "[^"]*" (.+)$', line).group(1).decode().strip('"')
            if name.upper() == "INBOX":
                continue
            conn.delete(_q(name))
        _status, data = conn.select("INBOX")
        if int(data[0]):
            conn.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
            conn.expunge()
    finally:
        conn.logout()


def compose(subject="Printer offline", sender="alice@example.com", to="desk@example.com", body="It is offline.",
            message_id=None, **headers):
    """A plain-text message as bytes; headers given as keyword arguments (In_Reply_To="<...>")."""
    from email import policy
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid

    msg = EmailMessage(policy=policy.SMTP)  # CRLF, as servers hand it back
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id or make_msgid(domain="example.com")
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes()


def make_mailbox(server, user="desk", **fields):
    """A Mailbox row reading the user's INBOX on the test server over plain IMAP."""
    from mailchannel.models import Mailbox, Protocol

    values = {"name": f"{user}@test", "address": f"{user}@example.com", "protocol": Protocol.IMAP,
              "host": server.host, "port": server.port, "username": user, "password": PASSWORD, **fields}
    return Mailbox.objects.create(**values)
