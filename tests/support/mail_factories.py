"""Mailboxes, sender domains and inbound messages for the e-mail channel's tests, and stand-ins for the modules
the pages call (imap, tasks, ingest) so a test decides what they answer."""

import importlib
import sys
import types
from itertools import count

from mailchannel.models import InboundMessage, Mailbox, Outcome

_keys = count(1)
PASSWORD = "Pw-Never-Shown-7f3a9"


def mailbox(**values):
    values.setdefault("name", f"Desk {next(_keys)}")
    values.setdefault("address", "desk@example.com")
    values.setdefault("host", "imap.example.com")
    values.setdefault("username", "desk")
    values.setdefault("password", PASSWORD)
    return Mailbox.objects.create(**values)


def message(outcome=Outcome.CREATED, **values):
    n = next(_keys)
    values.setdefault("key", f"<m{n}@example.com>")
    values.setdefault("message_id", values["key"])
    values.setdefault("sender", f"sender{n}@example.com")
    values.setdefault("subject", f"Printer broken {n}")
    if outcome in (Outcome.RATE_LIMITED, Outcome.UNKNOWN_SENDER, Outcome.FAILED):
        values.setdefault("raw", f"From: {values['sender']}\r\nSubject: {values['subject']}\r\n\r\nHello\r\n".encode())
        values.setdefault("detail", "No account for this sender.")
    return InboundMessage.objects.create(outcome=outcome, **values)


class FakeMailboxError(Exception):
    """imap.MailboxError until the real module is there."""


def peer(monkeypatch, name, **attrs):
    """mailchannel.<name> with `attrs` put in place (the real module when it exists, else a stand-in)."""
    full = f"mailchannel.{name}"
    try:
        module = importlib.import_module(full)
    except ImportError:
        module = types.ModuleType(full)
        monkeypatch.setitem(sys.modules, full, module)
    if name == "imap" and not hasattr(module, "MailboxError"):
        monkeypatch.setattr(module, "MailboxError", FakeMailboxError, raising=False)
    for key, value in attrs.items():
        monkeypatch.setattr(module, key, value, raising=False)
    return module
