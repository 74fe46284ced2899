"""Reading a mailbox over IMAP (the standard library's imaplib): log in, list the messages not handled yet, fetch
one without marking it read, mark it handled (read, or moved to the processed folder) and wait in IDLE.

    with connect(mailbox) as client:
        client.select()
        for uid in client.unhandled_uids():
            raw = client.fetch(uid)
            ...
            client.mark_handled(uid)
"""

import base64
import imaplib
import logging
import re
import socket
import ssl
import time

from django.utils.translation import gettext as _

from .models import Protocol

logger = logging.getLogger(__name__)

TIMEOUT = 30  # seconds, every socket operation but IDLE's wait
_EXISTS = re.compile(rb"^\* \d+ (EXISTS|RECENT)\b", re.IGNORECASE)
_UID = re.compile(rb"\bUID (\d+)", re.IGNORECASE)
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)", re.IGNORECASE)


class MailboxError(Exception):
    """The mailbox cannot be read (server, login or folder); str() says why, in the reader's language."""


def connect(mailbox, timeout=TIMEOUT):
    """A logged-in Client for the mailbox; raises MailboxError."""
    host, port = mailbox.host, mailbox.effective_port
    try:
        if mailbox.protocol == Protocol.IMAPS:
            conn = imaplib.IMAP4_SSL(host, port, ssl_context=ssl.create_default_context(), timeout=timeout)
        else:
            conn = imaplib.IMAP4(host, port, timeout=timeout)
            if "STARTTLS" in conn.capabilities:
                conn.starttls(ssl_context=ssl.create_default_context())
    except Exception as exc:
        raise MailboxError(_connection_message(exc, host, port)) from exc
    client = Client(mailbox, conn)
    try:
        client.login()
    except BaseException:
        client.close()
        raise
    return client


def check_connection(mailbox):
    """None when the mailbox can be logged in to and its folder opened; else raises MailboxError."""
    with connect(mailbox) as client:
        client.select(readonly=True)


def _connection_message(exc, host, port):
    where = {"host": host, "port": port}
    if isinstance(exc, socket.gaierror):
        return _("The server %(host)s cannot be found.") % where
    if isinstance(exc, ConnectionRefusedError):
        return _("%(host)s refuses connections on port %(port)s.") % where
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return _("%(host)s did not answer on port %(port)s within %(seconds)s seconds.") % {
            **where, "seconds": TIMEOUT}
    if isinstance(exc, ssl.SSLCertVerificationError):
        return _("The TLS certificate of %(host)s is not valid: %(reason)s") % {
            **where, "reason": exc.verify_message or exc.reason}
    if isinstance(exc, ssl.SSLError):
        return _("TLS with %(host)s:%(port)s failed (is it the right port for this protocol?): %(reason)s") % {
            **where, "reason": exc.reason or exc}
    return _("Cannot read mail from %(host)s:%(port)s: %(reason)s") % {**where, "reason": _reason(exc)}


def _reason(exc):
    text = exc.args[0] if exc.args else ""
    text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    return text or exc.__class__.__name__


def _quoted(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def quote(folder):
    """A folder name as an IMAP quoted string, non-ASCII in modified UTF-7 (RFC 3501 5.1.3)."""
    encoded, pending = [], []

    def flush():
        if pending:
            data = base64.b64encode("".join(pending).encode("utf-16-be")).decode().rstrip("=")
            encoded.append("&" + data.replace("/", ",") + "-")
            pending.clear()

    for char in folder:
        if " " <= char <= "~":
            flush()
            encoded.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return _quoted("".join(encoded))


class Client:
    """One logged-in IMAP connection to a mailbox. Every method raises MailboxError when the server fails."""

    def __init__(self, mailbox, conn):
        self.mailbox = mailbox
        self.conn = conn
        self.capabilities = set()
        self._processed_ready = False
        self._idle_tags = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        try:
            self.conn.logout()
        except Exception:  # noqa: BLE001  (already gone)
            try:
                self.conn.shutdown()
            except Exception:  # noqa: BLE001
                pass

    def login(self):
        mailbox = self.mailbox
        if "LOGINDISABLED" in self.conn.capabilities:
            raise MailboxError(_("%(host)s allows no log-in without TLS; choose IMAP over TLS.") % {
                "host": mailbox.host})
        try:
            if (mailbox.username + mailbox.password).isascii() or "AUTH=PLAIN" not in self.conn.capabilities:
                self.conn.login(_quoted(mailbox.username), mailbox.password)
            else:  # LOGIN cannot carry non-ASCII; SASL PLAIN is UTF-8
                secret = f"\0{mailbox.username}\0{mailbox.password}".encode()
                self.conn.authenticate("PLAIN", lambda _challenge: secret)
        except imaplib.IMAP4.error as exc:
            raise MailboxError(_("%(host)s refused the user name or password of %(user)s: %(reason)s") % {
                "host": mailbox.host, "user": mailbox.username, "reason": _reason(exc)}) from exc
        except Exception as exc:
            raise MailboxError(_connection_message(exc, mailbox.host, mailbox.effective_port)) from exc
        self.capabilities = set(self._call("capability")[0].decode().upper().split())

    def _call(self, name, *args):
        """conn.<name>(*args)'s data; a NO or BAD answer, a lost connection or a timeout is a MailboxError."""
        try:
            status, data = getattr(self.conn, name)(*args)
        except imaplib.IMAP4.abort as exc:
            raise MailboxError(_("The connection to %(host)s was lost: %(reason)s") % {
                "host": self.mailbox.host, "reason": _reason(exc)}) from exc
        except imaplib.IMAP4.error as exc:
            raise MailboxError(_("%(host)s answered %(command)s with an error: %(reason)s") % {
                "host": self.mailbox.host, "command": " ".join(str(a) for a in (name.upper(), *args[:1])),
                "reason": _reason(exc)}) from exc
        except Exception as exc:
            raise MailboxError(_connection_message(exc, self.mailbox.host, self.mailbox.effective_port)) from exc
        if status != "OK":
            raise MailboxError(_("%(host)s answered %(command)s with %(status)s: %(reason)s") % {
                "host": self.mailbox.host, "command": name.upper(), "status": status,
                "reason": b" ".join(d for d in data if isinstance(d, bytes)).decode(errors="replace")})
        return data

    def select(self, folder=None, readonly=False):
        """Open the folder (default: the mailbox's); returns the number of messages in it."""
        folder = folder or self.mailbox.folder
        try:
            data = self._call("select", quote(folder), readonly)
        except MailboxError as exc:
            raise MailboxError(_("The folder %(folder)s cannot be opened: %(reason)s") % {
                "folder": folder, "reason": exc}) from exc
        return int(data[0] or 0)

    def _uid(self, command, *args):
        return self._call("uid", command, *args)

    def unhandled_uids(self):
        """UIDs not handled yet, oldest first: the unread ones, or every one when handled mail is moved away."""
        criteria = "ALL" if self.mailbox.processed_folder else "UNSEEN"
        self._call("noop")  # the server shows mail that arrived since the last command
        data = self._uid("SEARCH", "UNDELETED", criteria)
        return sorted(int(uid) for uid in b" ".join(d for d in data if d).split())

    def sizes(self, uids):
        """{uid: size in bytes} (RFC822.SIZE), without reading the messages."""
        if not uids:
            return {}
        data = self._uid("FETCH", ",".join(map(str, uids)), "(UID RFC822.SIZE)")
        found = {}
        for item in data:
            line = item[0] if isinstance(item, tuple) else item
            uid, size = _UID.search(line or b""), _SIZE.search(line or b"")
            if uid and size:
                found[int(uid.group(1))] = int(size.group(1))
        return found

    def fetch(self, uid):
        """The whole message as bytes (BODY.PEEK[]: it stays unread), or None when it is gone."""
        data = self._uid("FETCH", str(uid), "(UID BODY.PEEK[])")
        for item in data:
            if isinstance(item, tuple) and _UID.search(item[0]) and int(_UID.search(item[0]).group(1)) == uid:
                return item[1]
        return None

    def mark_handled(self, uid):
        """Mark the message read, or move it to the processed folder (created when missing)."""
        target = self.mailbox.processed_folder
        if not target:
            self._uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Seen)")
            return
        self._ensure_processed_folder()
        if "MOVE" in self.capabilities:
            self._uid("MOVE", str(uid), quote(target))
            return
        self._uid("COPY", str(uid), quote(target))
        self._uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Deleted)")
        if "UIDPLUS" in self.capabilities:
            self._uid("EXPUNGE", str(uid))
        else:
            self._call("expunge")

    def _ensure_processed_folder(self):
        if self._processed_ready:
            return
        folder = quote(self.mailbox.processed_folder)
        if not any(self._call("list", '""', folder)):
            try:
                self._call("create", folder)
            except MailboxError:
                if not any(self._call("list", '""', folder)):  # not created by someone else meanwhile
                    raise
            try:
                self._call("subscribe", folder)  # so mail programs show it
            except MailboxError:
                pass
        self._processed_ready = True

    @property
    def can_idle(self):
        return "IDLE" in self.capabilities

    def idle(self, seconds):
        """Wait in IDLE (RFC 2177) up to `seconds`; True as soon as new mail arrives, False when the time is up.

        imaplib (3.11) has no IDLE: the command is sent and its answers read on the socket itself. The server
        sends nothing between commands, so imaplib's read buffer is empty before and after.
        """
        if not self.can_idle:
            raise MailboxError(_("%(host)s does not offer IDLE.") % {"host": self.mailbox.host})
        self._idle_tags += 1
        tag = b"IDLE%d" % self._idle_tags
        sock = self.conn.socket()
        reader = _LineReader(sock)
        deadline = time.monotonic() + max(0.0, seconds)
        arrived = False
        try:
            self.conn.send(tag + b" IDLE\r\n")
            while True:  # up to the continuation request
                line = reader.readline(TIMEOUT)
                if line is None:
                    raise MailboxError(_("%(host)s did not answer IDLE.") % {"host": self.mailbox.host})
                if line.startswith(b"+"):
                    break
                if line.startswith(tag):
                    raise MailboxError(_("%(host)s refused IDLE: %(reason)s") % {
                        "host": self.mailbox.host, "reason": line.decode(errors="replace").strip()})
                arrived = arrived or bool(_EXISTS.match(line))
            while not arrived:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                line = reader.readline(remaining)
                if line is None:
                    break
                if line.startswith(b"* BYE"):
                    raise MailboxError(_("%(host)s closed the connection: %(reason)s") % {
                        "host": self.mailbox.host, "reason": line.decode(errors="replace").strip()})
                arrived = bool(_EXISTS.match(line))
            self.conn.send(b"DONE\r\n")
            while True:  # up to IDLE's completion
                line = reader.readline(TIMEOUT)
                if line is None:
                    raise MailboxError(_("%(host)s did not end IDLE.") % {"host": self.mailbox.host})
                arrived = arrived or bool(_EXISTS.match(line))
                if line.startswith(tag + b" "):
                    break
        except OSError as exc:
            raise MailboxError(_connection_message(exc, self.mailbox.host, self.mailbox.effective_port)) from exc
        finally:
            sock.settimeout(TIMEOUT)
        return arrived


class _LineReader:
    """CRLF lines read straight from the socket, each wait bounded by a timeout (None: timed out)."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def readline(self, timeout):
        deadline = time.monotonic() + timeout
        while b"\r\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(4096)
            except (socket.timeout, TimeoutError):
                return None
            if not chunk:
                raise ConnectionResetError("the server closed the connection")
            self.buffer += chunk
        line, _sep, self.buffer = self.buffer.partition(b"\r\n")
        return line + b"\r\n"
