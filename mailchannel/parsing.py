"""Raw RFC 5322 bytes -> ParsedMail: headers, the reply text without quoted history, sanitised HTML, attachments,
and whether the message is an auto-reply or a bounce. Pure functions: no database."""

from dataclasses import dataclass, field
from datetime import datetime


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


def parse(raw: bytes) -> ParsedMail:
    raise NotImplementedError


def strip_quoted(text: str) -> str:
    raise NotImplementedError
