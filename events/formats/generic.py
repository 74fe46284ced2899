"""The generic format: POST /api/v1/events/ with one event object or a list of them (a batch).

{"source": "nagios", "node": "web01", "check": "HTTP", "severity": "critical", "message": "HTTP 503",
 "time": "2026-11-24T10:00:00Z", "fingerprint": "optional", "labels": {"env": "prod"},
 "idempotency_key": "optional"}
Instead of node, a sender may name the CI: "ci" (its name or external id) or "ci_id".
"""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from ..models import Severity
from . import register
from .base import Checker, EventFormat, RawEvent, Signal, parse_time

MAX_BATCH = getattr(settings, "EVENTS_MAX_BATCH", 1000)
SEVERITIES = frozenset(Severity.values)


def _clean_item(item):
    """(normalized payload, errors) of one generic event."""
    if not isinstance(item, dict):
        return None, {"non_field_errors": [_("Expected a JSON object.")]}
    check = Checker(item)
    payload = {
        "source": check.text("source", 100, required=True),
        "node": check.text("node", 255),
        "ci": check.text("ci", 255),
        "check": check.text("check", 255, required=True),
        "severity": check.choice("severity", SEVERITIES, required=True),
        "message": check.text("message", 10000),
        "fingerprint": check.text("fingerprint", 255),
        "labels": check.mapping("labels"),
    }
    ci_id = item.get("ci_id")
    if ci_id not in (None, ""):
        if isinstance(ci_id, bool) or not (str(ci_id).isascii() and str(ci_id).isdigit()):
            check.add("ci_id", _("A valid integer is required."))
        else:
            payload["ci_id"] = int(ci_id)
    if not (payload["node"] or payload["ci"] or payload.get("ci_id")):
        check.add("node", _("Give the node, the CI name (ci) or the CI id (ci_id)."))
    time = check.time("time")
    if time:
        payload["time"] = time.isoformat()
    key = check.text("idempotency_key", 200) or None
    if check.errors:
        return None, check.errors
    return (payload, key), {}


# The text fields of a generic event and their limits, in the order _clean_item writes them.
_TEXTS = (("source", 100), ("node", 255), ("ci", 255), ("check", 255), ("message", 10000), ("fingerprint", 255))
_BAD_TIME = object()


def _parsed_time(text, times):
    """The ISO text _clean_item stores for a timestamp ("" for none, _BAD_TIME when refused), parsed once per
    distinct text of a batch (`times`)."""
    if text not in times:
        try:
            parsed = parse_time(text)
        except ValueError:
            times[text] = _BAD_TIME
        else:
            times[text] = parsed.isoformat() if parsed else ""
    return times[text]


def _clean_plain_item(item, times):
    """(payload, key) as _clean_item makes them, for an event whose fields are all plain strings within their
    limits (what senders send), without its per-field checker; None for anything else, which _clean_item then
    checks and words the errors of."""
    if type(item) is not dict:
        return None
    get = item.get
    if get("ci_id") not in (None, ""):
        return None
    texts = []
    for name, limit in _TEXTS:
        value = get(name)
        if value is None:
            value = ""
        elif type(value) is not str or len(value) > limit:
            return None
        texts.append(value)
    source, node, ci, check, message, fingerprint = texts
    severity, labels, key = get("severity"), get("labels"), get("idempotency_key")
    if not (source and check and (node or ci)) or type(severity) is not str or severity not in SEVERITIES:
        return None
    if labels is None:
        labels = {}
    elif type(labels) is not dict or not all(type(value) is str for value in labels.values()):
        return None
    if key is not None and (type(key) is not str or len(key) > 200):
        return None
    payload = {"source": source, "node": node, "ci": ci, "check": check, "severity": severity, "message": message,
               "fingerprint": fingerprint, "labels": dict(labels)}
    when = get("time")
    if when is not None and when != "":
        if type(when) is not str:
            return None
        iso = _parsed_time(when, times)
        if iso is _BAD_TIME:
            return None
        if iso:
            payload["time"] = iso
    return payload, key or None


class GenericFormat(EventFormat):
    def split(self, data, default_source):
        items = data if isinstance(data, list) else [data]
        if not items:
            raise ValidationError({"non_field_errors": [_("Send at least one event.")]})
        if len(items) > MAX_BATCH:
            raise ValidationError({"non_field_errors": [
                _("At most %(max)d events in one request.") % {"max": MAX_BATCH}]})
        raws, errors, times = [], [], {}
        for item in items:
            cleaned = _clean_plain_item(item, times)
            if cleaned is None:
                cleaned, item_errors = _clean_item(item)
            else:
                item_errors = {}
            errors.append(item_errors)
            if cleaned:
                payload, key = cleaned
                raws.append(RawEvent(payload["source"], payload, key))
        if any(errors):
            raise ValidationError(errors if isinstance(data, list) else errors[0])
        return raws

    def signals(self, payload):
        ci_ref = str(payload.get("ci_id") or payload.get("ci") or "")
        return [Signal(source=payload["source"], node=payload.get("node", ""), check=payload["check"],
                       severity=payload["severity"], message=payload.get("message", ""),
                       time=parse_time(payload.get("time")), fingerprint=payload.get("fingerprint", ""),
                       labels=payload.get("labels") or {}, ci_ref=ci_ref)]


register("generic", GenericFormat())
