"""What every event format shares: the normalized Signal, fast field validation and severity mapping."""

import abc
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone as dt_timezone

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from ..models import Severity


@dataclass
class RawEvent:
    """One row to store: what was received, from which source, under which idempotency key."""

    source: str
    payload: dict
    idempotency_key: str | None = None


@dataclass
class Signal:
    """One normalized observation of a condition, whatever format it came in."""

    source: str
    node: str
    check: str
    severity: str
    message: str = ""
    time: datetime | None = None
    fingerprint: str = ""
    labels: dict = field(default_factory=dict)
    ci_ref: str = ""  # an explicit CI name or id given by the sender

    def __post_init__(self):
        if not self.fingerprint:
            self.fingerprint = default_fingerprint(self.source, self.node or self.ci_ref, self.check)


class EventFormat(abc.ABC):
    """Base of a format; see events/formats/__init__.py for how to add one."""

    @abc.abstractmethod
    def split(self, data, default_source):
        """Validate a request body; return the rows to store (one per event)."""

    @abc.abstractmethod
    def signals(self, payload):
        """Turn one stored payload into normalized Signals."""


def default_fingerprint(source, node, check):
    return hashlib.sha1(f"{source}\x1f{node}\x1f{check}".encode()).hexdigest()


def parse_time(value):
    """An ISO 8601 string as an aware UTC datetime; None when missing or Go's zero time. ValueError when it is
    not one, or when in UTC it falls outside the years 1 to 9999 (what the database and Python can hold)."""
    if not value:
        return None
    parsed = parse_datetime(value)  # ValueError for year 0, month 13, ...
    if parsed is None:
        raise ValueError(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt_timezone.utc)
    try:
        parsed = parsed.astimezone(dt_timezone.utc)
    except OverflowError:  # e.g. 9999-12-31T23:59:59-23:00 is in the year 10000 in UTC
        raise ValueError(value)
    if (parsed.year, parsed.month, parsed.day) == (1, 1, 1):
        return None  # Go's zero time: "no end yet"
    return parsed


# What monitoring tools put in their `severity` label, mapped to ours.
SEVERITY_ALIASES = {
    "critical": Severity.CRITICAL, "crit": Severity.CRITICAL, "fatal": Severity.CRITICAL,
    "page": Severity.CRITICAL, "disaster": Severity.CRITICAL, "emergency": Severity.CRITICAL,
    "major": Severity.MAJOR, "high": Severity.MAJOR, "error": Severity.MAJOR, "err": Severity.MAJOR,
    "minor": Severity.MINOR, "average": Severity.MINOR, "medium": Severity.MINOR,
    "warning": Severity.WARNING, "warn": Severity.WARNING, "low": Severity.WARNING,
    "info": Severity.INFO, "information": Severity.INFO, "informational": Severity.INFO, "none": Severity.INFO,
    "ok": Severity.CLEAR, "clear": Severity.CLEAR, "resolved": Severity.CLEAR, "normal": Severity.CLEAR,
}


def map_severity(value, default=Severity.WARNING):
    return SEVERITY_ALIASES.get(str(value or "").strip().lower(), default)


class Checker:
    """Collects field errors while reading a dict, so one 400 lists every problem."""

    def __init__(self, data):
        self.data = data
        self.errors = {}

    def add(self, name, message):
        self.errors.setdefault(name, []).append(message)

    def text(self, name, max_length, required=False, default=""):
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                self.add(name, _("This field is required."))
            return default
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.add(name, _("Not a valid string."))
            return default
        if len(value) > max_length:
            self.add(name, _("Ensure this field has no more than %(max)d characters.") % {"max": max_length})
        return value

    def mapping(self, name):
        value = self.data.get(name)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.add(name, _("Expected an object of names to values."))
            return {}
        return {str(k): v if isinstance(v, str) else str(v) for k, v in value.items()}

    def time(self, name):
        value = self.data.get(name)
        if value in (None, ""):
            return None
        try:
            if not isinstance(value, str):
                raise ValueError(value)
            return parse_time(value)
        except ValueError:
            self.add(name, _("Not a valid ISO 8601 date and time."))
            return None

    def choice(self, name, choices, required=False):
        value = self.text(name, 50, required=required)
        if value and value not in choices:
            self.add(name, _("“%(value)s” is not a valid choice.") % {"value": value})
        return value


def _unstorable(text):
    """Why PostgreSQL could not store this string (NUL, or a lone UTF-16 surrogate), or None."""
    if "\x00" in text:
        return _("Null characters are not allowed.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _("Lone surrogate characters are not allowed.")
    return None


def _surely_storable(data):
    """True when no string in the parsed JSON can hold a NUL or a lone surrogate, decided at C speed: the
    serialized text escapes a NUL as \\u0000 and keeps a lone surrogate, which UTF-8 cannot encode. False means
    "walk it" (a literal backslash-u0000 in a value is a false alarm the walk clears)."""
    try:
        text = json.dumps(data, ensure_ascii=False)
        text.encode("utf-8")
    except (TypeError, ValueError, RecursionError):  # UnicodeEncodeError is a ValueError
        return False
    return "\\u0000" not in text


def refuse_unstorable_text(data):
    """A 400 naming the first field (e.g. alerts.0.labels.instance) whose key or value PostgreSQL cannot store
    in text or jsonb. Refused rather than stripped: a changed fingerprint or label would be silently wrong."""
    if _surely_storable(data):
        return
    stack = [((), data)]
    while stack:
        path, value = stack.pop()
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for key, child in items:
            problem = _unstorable(key) if isinstance(key, str) else None
            problem = problem or (_unstorable(child) if isinstance(child, str) else None)
            if problem:
                name = ".".join(str(part) for part in (*path, key))
                raise ValidationError({str(path[0] if path else key): [f"{name}: {problem}"]})
            stack.append(((*path, key), child))
    if isinstance(data, str) and _unstorable(data):
        raise ValidationError({"non_field_errors": [_unstorable(data)]})


def require_object(data):
    if not isinstance(data, dict):
        raise ValidationError({"non_field_errors": [_("Expected a JSON object.")]})
