"""Prometheus Alertmanager webhook (payload version 4): POST /api/v1/events/alertmanager/.

One webhook call is stored as one Event row; each entry of its `alerts` list becomes a signal. Mapping:
labels.alertname -> check, labels.instance (or host, node, job) -> node, labels.severity -> severity,
annotations.summary / description -> message, startsAt (firing) / endsAt (resolved) -> time,
status resolved -> clear, the alert's fingerprint -> our fingerprint (prefixed with the source).
"""

import hashlib
import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError

from ..models import Severity
from . import register
from .base import Checker, EventFormat, RawEvent, Signal, map_severity, parse_time, require_object

NODE_LABELS = ("instance", "host", "hostname", "node", "nodename", "job")


class TooManyAlerts(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_many_alerts"


def node_of(labels):
    for name in NODE_LABELS:
        if labels.get(name):
            return labels[name]
    return ""


def label_fingerprint(labels):
    return hashlib.sha1(json.dumps(labels, sort_keys=True).encode()).hexdigest()[:16]


class AlertmanagerFormat(EventFormat):
    """Also the base of formats shaped like it (Grafana's unified alerting)."""

    statuses = ("firing", "resolved")

    def split(self, data, default_source):
        require_object(data)
        errors = {}
        alerts = data.get("alerts")
        if not isinstance(alerts, list) or not alerts:
            errors["alerts"] = [_("Expected a non-empty list of alerts.")]
        elif len(alerts) > settings.EVENTS_MAX_ALERTS_PER_WEBHOOK:
            raise TooManyAlerts(_("At most %(max)d alerts in one webhook; this one has %(count)d.") % {
                "max": settings.EVENTS_MAX_ALERTS_PER_WEBHOOK, "count": len(alerts)})
        else:
            item_errors = [self._check_alert(alert) for alert in alerts]
            if any(item_errors):
                errors["alerts"] = item_errors
        if errors:
            raise ValidationError(errors)
        # One row per chunk of alerts, so one task never holds a whole huge webhook.
        size = max(1, int(getattr(settings, "EVENTS_ALERTS_PER_EVENT", 100)))
        return [RawEvent(default_source, {**data, "alerts": alerts[start:start + size], "source": default_source})
                for start in range(0, len(alerts), size)]

    def _check_alert(self, alert):
        if not isinstance(alert, dict):
            return {"non_field_errors": [_("Expected a JSON object.")]}
        check = Checker(alert)
        check.choice("status", self.statuses, required=True)
        labels = alert.get("labels")
        if not isinstance(labels, dict) or not labels:
            check.add("labels", _("Expected an object of names to values."))
        check.mapping("annotations")
        check.time("startsAt")
        check.time("endsAt")
        check.text("fingerprint", 200)
        return check.errors

    def signals(self, payload):
        source = payload["source"]
        common = payload.get("commonLabels") or {}
        return [self._signal(source, alert, common) for alert in payload["alerts"]]

    def _signal(self, source, alert, common_labels):
        labels = {**common_labels, **alert.get("labels", {})}
        annotations = alert.get("annotations") or {}
        resolved = alert.get("status") == "resolved"
        severity = Severity.CLEAR if resolved else map_severity(labels.get("severity"))
        if severity == Severity.CLEAR and not resolved:
            severity = Severity.INFO
        summary = annotations.get("summary") or annotations.get("message") or ""
        description = annotations.get("description") or ""
        message = "\n".join(part for part in (summary, description) if part)
        time = parse_time(alert.get("endsAt")) if resolved else None
        time = time or parse_time(alert.get("startsAt"))
        fingerprint = alert.get("fingerprint") or label_fingerprint(labels)
        if alert.get("generatorURL"):
            labels.setdefault("generatorURL", alert["generatorURL"])
        return Signal(source=source, node=node_of(labels), check=labels.get("alertname") or _("Alert"),
                      severity=severity, message=message, time=time, fingerprint=f"{source}:{fingerprint}",
                      labels=labels)


register("alertmanager", AlertmanagerFormat())
