"""Processing: dedup, CI mapping, incident rules, correlation through the CMDB, auto-resolve, no silent reopen."""

import pytest

from core.models import Comment, TicketLink
from events.models import Alert, IncidentRule
from incidents import services as incident_services
from incidents.models import Incident
from incidents.workflow import CLOSED, IN_PROGRESS, NEW, RESOLVED
from tests.support import events_factories as ef
from tests.support import factories
from tests.support.cmdb_factories import CIClassFactory, CIFactory, depends_on

pytestmark = pytest.mark.django_db
URL = "/api/v1/events/"


@pytest.fixture
def fire(post_events):
    def fire(node="web01", check="HTTP", severity="critical", time="2026-11-24T10:00:00Z", **extra):
        response = post_events(URL, ef.generic(node=node, check=check, severity=severity, time=time, **extra))
        assert response.status_code == 202, response.content
        return Alert.objects.filter(node=node, check_name=check).order_by("-id").first()

    return fire


def notes(incident):
    return list(Comment.objects.filter(ticket_id=incident.pk, is_internal=True).values_list("body", flat=True))


# --- dedup ---------------------------------------------------------------------------------

def test_repeats_count_on_one_alert_and_open_one_incident(fire):
    fire(time="2026-11-24T10:00:00Z")
    fire(time="2026-11-24T10:01:00Z")
    alert = fire(time="2026-11-24T10:02:00Z")
    assert Alert.objects.count() == 1 and Incident.objects.count() == 1
    assert alert.count == 3 and alert.last_seen.isoformat() == "2026-11-24T10:02:00+00:00"


def test_repeat_work_notes_are_rate_limited_and_mention_the_count(fire):
    for minute in range(4):
        alert = fire(time=f"2026-11-24T10:0{minute}:00Z")
    repeat_notes = [n for n in notes(alert.incident) if "still" in n]
    assert len(repeat_notes) == 1 and "seen 2 times" in repeat_notes[0]


def test_explicit_fingerprint_dedups_across_nodes(fire):
    fire(node="web01", fingerprint="lb-pool-1")
    fire(node="web02", fingerprint="lb-pool-1")
    assert Alert.objects.get().count == 2


def test_clear_without_open_alert_is_ignored(fire):
    fire(severity="clear")
    assert Alert.objects.count() == 0


# --- CI mapping ------------------------------------------------------------------------------

def test_default_mapping_by_node_name_sets_ci_and_service(fire):
    service = factories.ServiceFactory(name="Web shop", criticality=1)
    ci = CIFactory(name="web01", service=service)
    alert = fire(node="web01")
    assert alert.configuration_item == ci and alert.service == service
    assert alert.incident.configuration_item_id == ci.pk and alert.incident.service_id == service.pk


def test_mapping_rule_by_attribute(fire):
    ci = CIFactory(name="srv-payments-1", attributes={"ip": "10.0.0.5"})
    ef.CIMappingRuleFactory(match="attribute", key="ip")
    assert fire(node="10.0.0.5").configuration_item == ci


def test_mapping_rule_by_label_with_external_id(fire):
    ci = CIFactory(name="orders-db", external_id="asset-991")
    ef.CIMappingRuleFactory(match="label", key="asset")
    assert fire(node="whatever", labels={"asset": "asset-991"}).configuration_item == ci


def test_mapping_rule_by_node_pattern(fire):
    ci = CIFactory(name="web07")
    ef.CIMappingRuleFactory(match="node_name", pattern=r"^(?P<name>[^.]+)\.")
    assert fire(node="web07.prod.example.com").configuration_item == ci


def test_mapping_rule_limited_to_another_source_is_skipped(fire):
    CIFactory(name="srv-x", attributes={"ip": "10.0.0.9"})
    ef.CIMappingRuleFactory(match="attribute", key="ip", source="zabbix")
    assert fire(node="10.0.0.9").configuration_item is None


def test_retired_ci_is_not_mapped(fire):
    CIFactory(name="old01", status="retired")
    assert fire(node="old01").configuration_item is None


# --- incident rules -------------------------------------------------------------------------

def test_first_matching_rule_sets_impact_urgency_and_team(fire):
    team = factories.TeamFactory(name="Database team")
    database = CIClassFactory(name="database")
    CIFactory(name="db01", ci_class=database)
    ef.IncidentRuleFactory(order=1, ci_class=database, min_severity="minor", impact=1, urgency=1, team=team)
    ef.IncidentRuleFactory(order=2, min_severity="minor", impact=3, urgency=3)
    incident = fire(node="db01", severity="minor").incident
    assert (incident.impact, incident.urgency, incident.priority, incident.team) == (1, 1, 1, team)
    assert incident.channel == "monitoring" and incident.title == "HTTP on db01"
    other = fire(node="web01", severity="minor").incident
    assert (other.impact, other.urgency) == (3, 3)


def test_service_criticality_condition(fire):
    critical = factories.ServiceFactory(name="Payments", criticality=1)
    low = factories.ServiceFactory(name="Intranet", criticality=4)
    CIFactory(name="pay01", service=critical)
    CIFactory(name="intra01", service=low)
    ef.IncidentRuleFactory(order=1, min_severity="warning", max_service_criticality=2, impact=1, urgency=1)
    assert fire(node="pay01", severity="warning").incident.impact == 1
    assert fire(node="intra01", severity="warning").incident is None


def test_below_minimum_severity_opens_no_incident_until_it_escalates(fire):
    alert = fire(severity="warning")
    assert alert.incident is None
    alert = fire(severity="critical", time="2026-11-24T10:01:00Z")
    assert alert.incident is not None and alert.count == 2


def test_rule_that_opens_no_incident(fire):
    ef.IncidentRuleFactory(order=1, min_severity="info", open_incident=False)
    assert fire(severity="critical").incident is None


def test_inactive_rules_are_ignored(fire):
    IncidentRule.objects.update(active=False)
    assert fire().incident is None


# --- correlation ----------------------------------------------------------------------------

@pytest.fixture
def topology(db):
    """app1 and app2 depend on db1, which runs on host1; web9 is unrelated."""
    db1 = CIFactory(name="db1")
    host1 = CIFactory(name="host1")
    app1, app2 = CIFactory(name="app1"), CIFactory(name="app2")
    CIFactory(name="web9")
    depends_on(app1, db1)
    depends_on(app2, db1)
    depends_on(db1, host1, kind="runs_on")
    return {"db1": db1, "app1": app1, "app2": app2, "host1": host1}


def test_alerts_sharing_an_upstream_ci_join_one_incident_with_a_note(fire, topology):
    first = fire(node="app1", check="Latency")
    second = fire(node="app2", check="Errors", time="2026-11-24T10:03:00Z")
    assert second.incident_id == first.incident_id and Incident.objects.count() == 1
    note = [n for n in notes(first.incident) if "attached" in n]
    assert len(note) == 1 and "db1" in note[0] and "Errors on app2" in note[0]


def test_alert_on_the_failing_upstream_ci_joins_too(fire, topology):
    first = fire(node="app1", check="Latency")
    assert fire(node="host1", check="Down", time="2026-11-24T10:01:00Z").incident_id == first.incident_id


def test_unrelated_ci_opens_its_own_incident(fire, topology):
    first = fire(node="app1", check="Latency")
    assert fire(node="web9", check="Down").incident_id != first.incident_id


def test_no_correlation_outside_the_window(fire, topology, settings):
    settings.EVENTS_CORRELATION_WINDOW = 600
    first = fire(node="app1", check="Latency", time="2026-11-24T10:00:00Z")
    later = fire(node="app2", check="Errors", time="2026-11-24T10:30:00Z")
    assert later.incident_id != first.incident_id


def test_no_correlation_with_a_resolved_incident(fire, topology):
    first = fire(node="app1", check="Latency")
    incident_services.transition_incident(first.incident, None, RESOLVED, {
        "resolution_code": "solved_workaround", "resolution_notes": "restarted"})
    assert fire(node="app2", check="Errors").incident_id != first.incident_id


# --- auto-resolve ---------------------------------------------------------------------------

def test_clear_resolves_the_incident(fire):
    incident = fire().incident
    fire(severity="clear", time="2026-11-24T10:10:00Z")
    incident.refresh_from_db()
    assert incident.state == RESOLVED and incident.resolution_code == "solved_permanently"
    assert incident.resolution_notes == "Cleared by monitoring: HTTP on web01."


def test_incident_resolves_only_when_its_last_alert_clears(fire, topology):
    incident = fire(node="app1", check="Latency").incident
    fire(node="app2", check="Errors")
    fire(node="app1", check="Latency", severity="clear")
    incident.refresh_from_db()
    assert incident.state == NEW
    assert any("1 alert(s) on this incident are still open" in n for n in notes(incident))
    fire(node="app2", check="Errors", severity="clear")
    incident.refresh_from_db()
    assert incident.state == RESOLVED


def test_auto_resolve_can_be_switched_off(fire, settings):
    settings.EVENTS_AUTO_RESOLVE = False
    incident = fire().incident
    fire(severity="clear")
    incident.refresh_from_db()
    assert incident.state == NEW and Alert.objects.get().state == "closed"


def test_rule_can_switch_auto_resolve_off(fire):
    ef.IncidentRuleFactory(order=1, auto_resolve=False)
    incident = fire().incident
    fire(severity="clear")
    incident.refresh_from_db()
    assert incident.state == NEW


# --- never reopen a closed incident silently ------------------------------------------------

def test_firing_again_on_a_closed_incident_opens_a_linked_new_one(fire):
    old = fire().incident
    incident_services.transition_incident(old, None, RESOLVED, {
        "resolution_code": "solved_workaround", "resolution_notes": "restarted"})
    incident_services.transition_incident(old, None, CLOSED)
    alert = fire(time="2026-11-24T10:05:00Z")
    old.refresh_from_db()
    assert old.state == CLOSED
    assert alert.incident_id != old.pk and alert.incident.state == NEW
    assert TicketLink.objects.filter(source_id=alert.incident_id, target_id=old.pk, kind="related").exists()
    assert any(old.number in n for n in notes(alert.incident))


def test_condition_returning_after_clear_and_close_opens_a_linked_new_incident(fire):
    old = fire().incident
    fire(severity="clear")
    old.refresh_from_db()
    incident_services.transition_incident(old, None, CLOSED)
    alert = fire(time="2026-11-24T11:00:00Z")
    assert Alert.objects.count() == 2 and alert.incident_id != old.pk
    assert TicketLink.objects.filter(source_id=alert.incident_id, target_id=old.pk).exists()


def test_condition_returning_while_resolved_reopens_with_a_work_note(fire):
    incident = fire().incident
    fire(severity="clear")
    alert = fire(time="2026-11-24T10:30:00Z")
    incident.refresh_from_db()
    assert alert.incident_id == incident.pk and incident.state == IN_PROGRESS and incident.reopen_count == 1
    assert any("reopened" in n for n in notes(incident))


def test_cancelled_incident_is_not_reopened(fire):
    old = fire().incident
    incident_services.transition_incident(old, None, "cancelled", {"cancel_reason": "False alarm"})
    alert = fire(time="2026-11-24T10:05:00Z")
    old.refresh_from_db()
    assert old.state == "cancelled" and alert.incident_id != old.pk
