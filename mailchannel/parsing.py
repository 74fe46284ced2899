"""Raw RFC 5322 bytes -> ParsedMail: headers, the reply text without quoted history, sanitised HTML, attachments,
and whether the message is an auto-reply or a bounce. Pure functions: no database.

Lenient by design: broken MIME, bad base64, unknown charsets and 8-bit headers give the best text possible;
MailParseError only when there is no mail to speak of (empty, no header section, no sender)."""

import logging
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email import utils
from email.errors import MessageError
from email.parser import BytesParser
from email.policy import compat32

from django.utils.translation import gettext as _

from .charsets import decode, decode_header, lenient_base64
from .html_text import read_html
from .quoting import strip_quoted

__all__ = ["MailParseError", "ParsedAttachment", "ParsedMail", "parse", "strip_quoted"]

log = logging.getLogger(__name__)


class MailParseError(ValueError):
    """The message cannot be understood well enough to handle (it is kept in the held-mail list)."""


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    message_id: str  # "<id@host>" as sent, or "" when missing
    in_reply_to: list[str]  # "<...>" ids
    references: list[str]  # "<...>" ids, oldest first
    sender: str  # lower-case address of From (Reply-To is not trusted for identity)
    sender_name: str
    to: list[str]
    cc: list[str]
    subject: str
    date: datetime | None
    text: str  # the whole plain-text body (from HTML when there is no text part)
    reply_text: str  # text without quoted history and the signature
    html: str  # sanitised HTML ("" when the message has none)
    attachments: list[ParsedAttachment] = field(default_factory=list)
    auto_reply: bool = False
    bounce: bool = False
    no_auto_response: bool = False  # a person's mail that asks for no automatic answer


class _RawHeaders(type(compat32)):
    """compat32 handing header values back as read (8-bit bytes as surrogates), so they are decoded here, and
    writing them back as read (an attached message is kept as it came)."""

    def header_fetch_parse(self, name, value):
        return value

    def fold_binary(self, name, value):
        return f"{name}: {value}{self.linesep}".encode("utf-8", "surrogateescape")


POLICY = _RawHeaders()
EML_POLICY = POLICY.clone(linesep="\r\n")
MAX_MIME_DEPTH = 30  # MIME levels read; deeper parts are ignored
MAX_ADDRESS_HEADER = 65536  # characters of To/Cc read
IDS = re.compile(r"<([^<>]*)>|([^\s<>,;()\"]+@[^\s<>,;()\"]+)")
ADDRESS = re.compile(r"[^\s<>\"'(),;:@]+@[^\s<>\"'(),;:@]+")
BOUNDARY_LINE = re.compile(rb"^--([!#-~]{1,70}?)(?:--)?[ \t]*\r?$", re.MULTILINE)
META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
SURROGATE = re.compile(r"[\ud800-\udfff]")
AUTO_SUBJECT = re.compile(
    r"^\s*(?:auto:|automatic reply|auto[- ]?reply|autoreply|out of (?:the )?office|自动回复|自动答复)", re.IGNORECASE)
AUTO_PRECEDENCE = {"bulk", "junk", "auto_reply"}
SUPPRESS_AUTO = {"all", "autoreply", "oof"}
BOUNCE_SENDERS = {"mailer-daemon", "postmaster"}
BOUNCE_FROM = re.compile(r"(?:^|[\s<\"'])(?:mailer-daemon|postmaster)(?:[@>\s\"']|$)", re.IGNORECASE)
BODY_TYPES = {"text/plain", "text/html"}
ATTACHED_MESSAGES = {"message/rfc822", "message/global"}
REPORT_PARTS = {"message/delivery-status", "message/disposition-notification", "text/rfc822-headers",
                "message/global-delivery-status", "message/global-headers"}


def _clean(text):
    """Text safe to store: no NUL characters, no lone surrogates."""
    text = text.replace("\x00", "")
    if SURROGATE.search(text):
        text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text


def _plain(value):
    """A header value that is no text for people (ids, tokens), as a str without raw bytes."""
    return (value or "").encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _header(msg, name):
    value = msg.get(name)
    return value if isinstance(value, str) else ""


def _ids(value):
    """The "<id>" tokens of Message-ID / In-Reply-To / References, in order, whatever junk is around them."""
    ids = {}
    for match in IDS.finditer(_plain(value)):
        inner = "".join((match.group(1) if match.group(1) is not None else match.group(2)).split())
        if inner and len(inner) <= 996:
            ids.setdefault(f"<{inner}>")
    return list(ids)


def _addresses(values, hint):
    """[(display name, lower-case address)] of address header values; junk around addresses tolerated."""
    values = [value[:MAX_ADDRESS_HEADER] for value in values]
    try:
        pairs = utils.getaddresses(values)
    except RecursionError:  # comments nested thousands deep: take what looks like an address
        pairs = [("", address) for value in values for address in ADDRESS.findall(_plain(value))]
    found = []
    for name, address in pairs:
        address = _plain(address).strip()
        if not ADDRESS.fullmatch(address):  # "Alice alice@example.com": the address, and the rest as the name
            loose = ADDRESS.search(address)
            address, name = (loose.group(0), name or address.replace(loose.group(0), "")) if loose else ("", name)
        address = address.lower()
        if address and len(address) <= 254:
            found.append((_clean(" ".join(decode_header(name, hint).split())), address))
    return found


def _date(value):
    try:
        moment = utils.parsedate_to_datetime(_plain(value).strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _auto_reply(msg, subject):
    """Mail a machine wrote in answer to something: it never becomes a ticket."""
    submitted = _header(msg, "auto-submitted").split(";")[0].strip().lower()
    precedence = _header(msg, "precedence").strip().lower()
    receipt = (msg.get_content_type() == "multipart/report"
               and str(msg.get_param("report-type") or "").lower() == "disposition-notification")
    return bool(
        (submitted and submitted != "no")
        or "x-autoreply" in msg or "x-autorespond" in msg
        or precedence in AUTO_PRECEDENCE
        or "x-loop" in msg
        or receipt
        or AUTO_SUBJECT.match(subject)
    )


def _no_auto_response(msg):
    """Mail a person may have written that asks not to be answered automatically (Exchange's
    X-Auto-Response-Suppress, mailing lists): it becomes a ticket, but gets no acknowledgement."""
    suppress = {token.strip().lower() for token in _header(msg, "x-auto-response-suppress").split(",")}
    precedence = _header(msg, "precedence").strip().lower()
    return bool(suppress & SUPPRESS_AUTO or precedence == "list" or "list-id" in msg)


def _bounce(msg, sender):
    report = (msg.get_content_type() == "multipart/report"
              and str(msg.get_param("report-type") or "").lower() == "delivery-status")
    return bool(
        report
        or (sender.split("@")[0] in BOUNCE_SENDERS if sender else BOUNCE_FROM.search(_plain(_header(msg, "from"))))
        or "".join(_header(msg, "return-path").split()) == "<>"
        or "x-failed-recipients" in msg
    )


def _payload(part):
    """The decoded bytes of a leaf part; bad base64 or quoted-printable gives what can be read of it."""
    encoding = _plain(_header(part, "content-transfer-encoding")).strip().lower()
    if encoding == "base64":
        try:
            payload = part.get_payload()
        except (UnicodeError, LookupError):  # 8-bit junk and a bad charset name: let the stdlib decode it
            payload = None
        if isinstance(payload, str):
            return lenient_base64(payload.encode("ascii", "ignore"))
    decoded = part.get_payload(decode=True)  # raw bytes, or quoted-printable / uuencode decoded
    return decoded if isinstance(decoded, bytes) else b""


def _safe_filename(name):
    name = CONTROL.sub("", name.replace("\\", "/").rsplit("/", 1)[-1]).strip().strip(".") or ""
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = f"{stem[:190]}.{extension[:9]}" if dot and len(extension) < 10 else name[:200]
    return name


def _filename(part, hint):
    """The part's file name: RFC 2231 (filename*=gbk''%D6%D0...), RFC 2047 (=?GBK?B?...?=) or raw 8-bit."""
    for header, param in (("content-disposition", "filename"), ("content-type", "name")):
        value = part.get_param(param, header=header)
        if isinstance(value, tuple):
            charset, _language, text = value
            name = decode(text.encode("latin-1", "surrogateescape"), charset, hint)
        elif value:
            name = decode_header(value, hint)
        else:
            continue
        name = _safe_filename(_clean(name))
        if name:
            return name
    return ""


def _charset_hint(msg):
    """The first charset the message declares: raw 8-bit headers are most likely in it."""
    stack, seen = [msg], 0
    while stack and seen < 50:
        part, seen = stack.pop(0), seen + 1
        charset = part.get_content_charset()
        if charset and charset not in ("us-ascii", "ascii"):
            return charset
        if part.is_multipart():
            stack.extend(p for p in part.get_payload() if hasattr(p, "get_content_charset"))
    return None


class _Body:
    """What the walk over the MIME tree found."""

    def __init__(self, hint):
        self.hint = hint
        self.plain, self.html, self.attachments = [], [], []

    def walk(self, part, depth=0):
        if depth > MAX_MIME_DEPTH:
            return
        content_type = part.get_content_type()
        if content_type in REPORT_PARTS:
            return
        if content_type in ATTACHED_MESSAGES and part.is_multipart() and part.get_payload():
            self.attach_message(part)
        elif part.is_multipart():
            for sub in part.get_payload():
                self.walk(sub, depth + 1)
        elif part.get_content_maintype() == "multipart":
            self.broken_multipart(part, depth)
        else:
            self.leaf(part, content_type)

    def leaf(self, part, content_type):
        disposition = part.get_content_disposition()
        filename = _filename(part, self.hint)
        data = _payload(part)
        if content_type in BODY_TYPES and disposition != "attachment" and not (filename and disposition is None):
            if content_type == "text/plain":
                self.plain.append(self.text_of(part, data))
            else:
                self.html.append(self.text_of(part, data))
        elif data:
            self.add(filename, content_type, data)

    def text_of(self, part, data):
        charset = part.get_content_charset()
        if charset is None and part.get_content_subtype() == "html":
            match = META_CHARSET.search(data[:4096])
            charset = match.group(1).decode("ascii") if match else None
        text = decode(data, charset, self.hint).replace("\r\n", "\n").replace("\r", "\n")
        if str(part.get_param("format") or "").lower() == "flowed":
            text = _unflow(text, str(part.get_param("delsp") or "").lower() == "yes")
        return text

    def attach_message(self, part):
        inner = part.get_payload()[0]
        try:
            data = inner.as_bytes(policy=EML_POLICY)
        except (MessageError, ValueError, TypeError, LookupError, UnicodeError):  # the stdlib writer on junk
            head = "".join(f"{name}: {value}\r\n" for name, value in inner.raw_items())
            data = head.encode("utf-8", "surrogateescape") + b"\r\n" + _payload(inner)
        subject = " ".join(decode_header(_header(inner, "subject"), self.hint).split())
        subject = _safe_filename(_clean(subject.replace("/", "-").replace("\\", "-")))
        name = _filename(part, self.hint) or f"{subject[:100] or 'message'}.eml"
        self.add(name, part.get_content_type(), data)

    def broken_multipart(self, part, depth):
        """A multipart whose boundary is missing or wrong: guess the boundary from the body, else read it as text."""
        data = _payload(part)
        match = BOUNDARY_LINE.search(data)
        if match and match.group(1).decode("ascii", "replace") != part.get_boundary():
            head = b'Content-Type: multipart/mixed; boundary="' + match.group(1) + b'"\r\n\r\n'
            guessed = BytesParser(policy=POLICY).parsebytes(head + data)
            if guessed.is_multipart():
                for sub in guessed.get_payload():
                    self.walk(sub, depth + 1)
                return
        self.plain.append(self.text_of(part, data))

    def add(self, filename, content_type, data):
        if not filename:
            extension = mimetypes.guess_extension(content_type) or ".bin"
            filename = f"attachment-{len(self.attachments) + 1}{extension}"
        self.attachments.append(ParsedAttachment(filename, content_type, data))


def _unflow(text, delsp):
    """RFC 3676 format=flowed: soft line breaks (a trailing space) joined, space-stuffing undone."""
    out, current = [], None
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        content = content[1:] if content.startswith(" ") else content
        if current is not None and current[0] != depth:
            out.append(current)
            current = None
        current = [depth, current[1] + content] if current else [depth, content]
        if not content.endswith(" ") or content == "-- ":
            out.append(current)
            current = None
        elif delsp:
            current[1] = current[1][:-1]
    if current is not None:
        out.append(current)
    return "\n".join(">" * depth + (" " if depth else "") + content for depth, content in out)


def _parse(raw):
    if not raw.strip():
        raise MailParseError(_("The message is empty."))
    msg = BytesParser(policy=POLICY).parsebytes(raw)
    if not msg.keys():
        raise MailParseError(_("This is not a mail: it has no header section."))
    hint = _charset_hint(msg)
    subject = _clean(" ".join(decode_header(_header(msg, "subject"), hint).split()))
    senders = _addresses(msg.get_all("from") or [], hint)
    sender_name, sender = senders[0] if senders else ("", "")
    bounce = _bounce(msg, sender)
    if not sender and not bounce:
        raise MailParseError(_("The message has no sender address (From)."))
    body = _Body(hint)
    body.walk(msg)
    plain = _clean("\n".join(text for text in body.plain if text.strip()))
    html_text, html = read_html(_clean("\n".join(body.html))) if any(h.strip() for h in body.html) else ("", "")
    html = html.strip()
    text = plain.strip() or html_text
    message_ids = _ids(_header(msg, "message-id"))
    return ParsedMail(
        message_id=message_ids[0] if message_ids else "",
        in_reply_to=_ids(" ".join(msg.get_all("in-reply-to") or [])),
        references=_ids(" ".join(msg.get_all("references") or [])),
        sender=sender,
        sender_name=sender_name,
        to=[address for _name, address in _addresses(msg.get_all("to") or [], hint)],
        cc=[address for _name, address in _addresses(msg.get_all("cc") or [], hint)],
        subject=subject,
        date=_date(_header(msg, "date")),
        text=text,
        reply_text=strip_quoted(text),
        html=html,
        attachments=body.attachments,
        auto_reply=_auto_reply(msg, subject),
        no_auto_response=_no_auto_response(msg),
        bounce=bounce,
    )


def parse(raw: bytes) -> ParsedMail:
    """Parse a whole message. Raises MailParseError (only) when it cannot be handled at all."""
    if not isinstance(raw, (bytes, bytearray, memoryview)):
        raise MailParseError(_("The message is not bytes."))
    try:
        return _parse(bytes(raw))
    except MailParseError:
        raise
    except RecursionError as exc:
        raise MailParseError(_("The message is nested too deeply to read.")) from exc
    except Exception as exc:  # a parser bug must hold the message, not stop the mailbox's polling
        log.exception("Unexpected error while parsing a mail message")
        raise MailParseError(_("The message could not be read: %(error)s") % {"error": exc}) from exc
