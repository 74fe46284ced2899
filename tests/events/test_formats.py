"""Real-world payloads from Prometheus Alertmanager and Grafana."""

import pytest

from events.models import Alert, Event
from incidents.workflow import RESOLVED
from tests.support import events_factories as ef
from tests.support.cmdb_factories import CIClassFactory, CIFactory

pytestmark = pytest.mark.django_db
AM = "/api/v1/events/alertmanager/"
GRAFANA = "/api/v1/events/grafana/"


def test_alertmanager_firing_maps_labels_and_annotations(post_events):
    ci = CIFactory(name="web01")
    response = post_events(AM, ef.alertmanager(ef.am_alert()))
    assert response.status_code == 202
    event = Event.objects.get()
    assert (event.format, event.source) == ("alertmanager", "alertmanager")
    alert = Alert.objects.get()
    assert alert.check_name == "HighCPU" and alert.node == "web01:9100" and alert.severity == "critical"
    assert alert.message == "HighCPU on web01:9100\nCPU usage above 90% for 5 minutes."
    assert alert.fingerprint == "alertmanager:c4d2a1f0b3e5a6d7"
    assert alert.configuration_item == ci  # the host part of labels.instance
    assert alert.first_seen.isoformat().startswith("2026-11-24T09:58:30.123456")
    assert alert.labels["job"] == "node" and alert.labels["generatorURL"].startswith("http://prometheus")
    assert alert.incident is not None and alert.incident.channel == "monitoring"


def test_alertmanager_grouped_alerts_are_one_event_and_several_alerts(post_events):
    body = ef.alertmanager(ef.am_alert(instance="web01:9100", fingerprint="a1"),
                           ef.am_alert(instance="web02:9100", fingerprint="a2", severity="warning"),
                           ef.am_alert(instance="web03:9100", fingerprint="a3", severity="page"))
    assert post_events(AM, body).status_code == 202
    assert Event.objects.count() == 1
    assert dict(Alert.objects.values_list("node", "severity")) == {
        "web01:9100": "critical", "web02:9100": "warning", "web03:9100": "critical"}


def test_alertmanager_resolved_clears_the_alert_and_resolves_the_incident(post_events):
    post_events(AM, ef.alertmanager(ef.am_alert()))
    incident = Alert.objects.get().incident
    assert post_events(AM, ef.alertmanager(ef.am_alert(status="resolved"))).status_code == 202
    alert = Alert.objects.get()
    assert alert.state == "closed" and alert.last_seen.isoformat() == "2026-11-24T10:05:00+00:00"
    incident.refresh_from_db()
    assert incident.state == RESOLVED and incident.resolution_code == "solved_permanently"
    assert incident.resolution_notes.startswith("Cleared by monitoring")


def test_alertmanager_mixed_group_fires_and_clears_in_one_call(post_events):
    post_events(AM, ef.alertmanager(ef.am_alert(fingerprint="a1"), ef.am_alert(instance="web02:9100",
                                                                                fingerprint="a2")))
    post_events(AM, ef.alertmanager(ef.am_alert(fingerprint="a1", status="resolved"),
                                    ef.am_alert(instance="web02:9100", fingerprint="a2")))
    states = dict(Alert.objects.values_list("fingerprint", "state"))
    assert states == {"alertmanager:a1": "closed", "alertmanager:a2": "open"}
    assert Alert.objects.get(fingerprint="alertmanager:a2").count == 2


def test_source_query_parameter_names_the_sender(post_events):
    post_events(AM + "?source=prom-eu", ef.alertmanager())
    assert Event.objects.get().source == "prom-eu"
    assert Alert.objects.get().fingerprint.startswith("prom-eu:")


@pytest.mark.parametrize("body, field", [
    ({"version": "4", "status": "firing"}, "alerts"),
    ({**ef.alertmanager(), "alerts": []}, "alerts"),
    ({**ef.alertmanager(), "alerts": [{**ef.am_alert(), "status": "burning"}]}, "alerts"),
    ({**ef.alertmanager(), "alerts": [{**ef.am_alert(), "startsAt": "soon"}]}, "alerts"),
])
def test_bad_alertmanager_payload_is_400(post_events, body, field):
    response = post_events(AM, body)
    assert response.status_code == 400 and field in response.json()
    assert Event.objects.count() == 0


def test_bad_alert_in_group_names_the_alert_and_field(post_events):
    body = ef.alertmanager(ef.am_alert(), {**ef.am_alert(), "labels": "x"})
    errors = post_events(AM, body).json()["alerts"]
    assert errors[0] == {} and "labels" in errors[1]


def test_grafana_firing_and_resolved(post_events):
    db = CIFactory(name="db01", ci_class=CIClassFactory(name="database"))
    assert post_events(GRAFANA, ef.grafana()).status_code == 202
    alert = Alert.objects.get()
    assert alert.configuration_item == db and alert.check_name == "DiskFull" and alert.severity == "critical"
    assert "Disk almost full" in alert.message and "B=96.2" in alert.message
    assert alert.labels["panelURL"].endswith("viewPanel=2")
    assert alert.fingerprint == "grafana:57c6d9296de2ad39"
    incident = alert.incident
    assert incident.title == "DiskFull on db01"

    assert post_events(GRAFANA, ef.grafana(ef.grafana_alert(status="resolved"))).status_code == 202
    incident.refresh_from_db()
    assert Alert.objects.get().state == "closed" and incident.state == RESOLVED


def test_grafana_without_alerts_is_400(post_events):
    body = ef.grafana()
    body.pop("alerts")
    assert post_events(GRAFANA, body).status_code == 400
