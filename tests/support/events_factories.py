"""Factories and real-world payloads for event management tests."""

import factory

from events.permissions import INTEGRATION
from tests.support import factories


def integration_user(**kw):
    kw.setdefault("username", "prometheus-bot")
    return factories.UserFactory(role=INTEGRATION, **kw)


class IncidentRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "events.IncidentRule"

    name = factory.Sequence(lambda n: f"Rule {n}")
    order = 10
    min_severity = "major"


class CIMappingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "events.CIMappingRule"

    name = factory.Sequence(lambda n: f"Mapping {n}")
    order = 10


def generic(**overrides):
    event = {"source": "nagios", "node": "web01", "check": "HTTP", "severity": "critical",
             "message": "HTTP CRITICAL: 503 Service Unavailable", "time": "2026-11-24T10:00:00Z",
             "labels": {"env": "prod"}}
    event.update(overrides)
    return event


def am_alert(alertname="HighCPU", instance="web01:9100", severity="critical", status="firing",
             fingerprint="c4d2a1f0b3e5a6d7", **labels):
    return {
        "status": status,
        "labels": {"alertname": alertname, "instance": instance, "job": "node", "severity": severity, **labels},
        "annotations": {"summary": f"{alertname} on {instance}",
                        "description": "CPU usage above 90% for 5 minutes."},
        "startsAt": "2026-11-24T09:58:30.123456789Z",
        "endsAt": "2026-11-24T10:05:00Z" if status == "resolved" else "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph?g0.expr=cpu_usage+%3E+0.9&g0.tab=1",
        "fingerprint": fingerprint,
    }


def alertmanager(*alerts, status=None):
    """A real Alertmanager webhook body (version 4)."""
    alerts = list(alerts) or [am_alert()]
    status = status or ("firing" if any(a["status"] == "firing" for a in alerts) else "resolved")
    return {
        "version": "4",
        "groupKey": "{}/{}:{alertname=\"HighCPU\"}",
        "truncatedAlerts": 0,
        "status": status,
        "receiver": "itsm",
        "groupLabels": {"alertname": alerts[0]["labels"]["alertname"]},
        "commonLabels": {"job": "node"},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "alerts": alerts,
    }


def grafana_alert(status="firing", instance="db01", fingerprint="57c6d9296de2ad39", severity="critical"):
    return {
        "status": status,
        "labels": {"alertname": "DiskFull", "grafana_folder": "Infra", "instance": instance,
                   "severity": severity},
        "annotations": {"summary": "Disk almost full", "description": "Less than 5% free on /var"},
        "startsAt": "2026-11-24T10:00:00Z",
        "endsAt": "2026-11-24T10:20:00Z" if status == "resolved" else "0001-01-01T00:00:00Z",
        "generatorURL": "http://grafana:3000/alerting/grafana/abc/view",
        "fingerprint": fingerprint,
        "silenceURL": "http://grafana:3000/alerting/silence/new?alertmanager=grafana",
        "dashboardURL": "http://grafana:3000/d/dash1",
        "panelURL": "http://grafana:3000/d/dash1?viewPanel=2",
        "values": {"B": 96.2, "C": 1},
        "valueString": "[ var='B' labels={instance=db01} value=96.2 ]",
    }


def grafana(*alerts):
    """A real Grafana unified alerting webhook body."""
    alerts = list(alerts) or [grafana_alert()]
    firing = any(a["status"] == "firing" for a in alerts)
    return {
        "receiver": "itsm", "status": "firing" if firing else "resolved", "orgId": 1, "alerts": alerts,
        "groupLabels": {"alertname": "DiskFull"}, "commonLabels": {"alertname": "DiskFull"},
        "commonAnnotations": {}, "externalURL": "http://grafana:3000/", "version": "1",
        "groupKey": "{}:{alertname=\"DiskFull\"}", "truncatedAlerts": 0,
        "title": "[FIRING:1] DiskFull Infra" if firing else "[RESOLVED] DiskFull Infra",
        "state": "alerting" if firing else "ok", "message": "**Firing**\n\nValue: B=96.2",
    }


def integration_group():
    from django.contrib.auth.models import Group

    return Group.objects.get(name=INTEGRATION)
