from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import AuditEntry
from incidents import services, tasks, workflow
from incidents.models import Incident
from tests.support import factories

pytestmark = pytest.mark.django_db

RESOLUTION = {"resolution_code": "solved_permanently", "resolution_notes": "Replaced the toner"}


def resolve(incident, actor, **kw):
    return services.transition_incident(incident, actor, workflow.RESOLVED, RESOLUTION, **kw)


def test_reopen_counts_and_clears_resolved_at():
    actor = factories.agent()
    inc = resolve(factories.incident(actor=actor), actor)
    inc = services.transition_incident(inc, actor, workflow.IN_PROGRESS)
    assert inc.reopen_count == 1 and inc.resolved_at is None
    inc = resolve(inc, actor)
    inc = services.transition_incident(inc, actor, workflow.IN_PROGRESS)
    assert inc.reopen_count == 2


def test_leaving_on_hold_clears_the_reason():
    actor = factories.agent()
    inc = factories.incident(actor=actor)
    inc = services.transition_incident(inc, actor, workflow.ON_HOLD, {"on_hold_reason": "awaiting_vendor"})
    assert inc.on_hold_reason == "awaiting_vendor"
    inc = services.transition_incident(inc, actor, workflow.IN_PROGRESS)
    assert inc.on_hold_reason == ""
    changes = AuditEntry.objects.filter(ticket=inc, action="transitioned").last().changes
    assert changes["on_hold_reason"] == ["awaiting_vendor", ""]


def test_resolving_a_major_incident_can_resolve_its_open_children():
    actor = factories.agent()
    parent = factories.incident(actor=actor, is_major=True, title="Mail is down")
    children = [factories.incident(actor=actor, parent=parent.pk, title=f"Cannot send mail {i}") for i in range(2)]
    done = resolve(factories.incident(actor=actor, parent=parent.pk, title="Already done"), actor)
    resolve(parent, actor, resolve_children=True)
    states = dict(Incident.objects.filter(parent=parent).values_list("pk", "state"))
    assert all(states[c.pk] == workflow.RESOLVED for c in children)
    assert Incident.objects.get(pk=children[0].pk).resolution_code == "solved_permanently"
    assert Incident.objects.get(pk=done.pk).reopen_count == 0


def test_children_stay_open_unless_asked():
    actor = factories.agent()
    parent = factories.incident(actor=actor, is_major=True)
    child = factories.incident(actor=actor, parent=parent.pk)
    resolve(parent, actor)
    assert Incident.objects.get(pk=child.pk).state == workflow.NEW


def test_auto_close_closes_only_old_resolved_incidents(settings):
    settings.INCIDENT_AUTO_CLOSE_DAYS = 3
    actor = factories.agent()
    old = resolve(factories.incident(actor=actor), actor)
    recent = resolve(factories.incident(actor=actor), actor)
    Incident.objects.filter(pk=old.pk).update(resolved_at=timezone.now() - timedelta(days=4))
    assert tasks.auto_close_resolved.delay().get() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.state == workflow.CLOSED and old.closed_at is not None
    assert recent.state == workflow.RESOLVED
    entry = AuditEntry.objects.filter(ticket=old, action="transitioned").last()
    assert entry.actor is None and entry.changes["state"] == [workflow.RESOLVED, workflow.CLOSED]


def test_requester_organization_is_taken_from_profile():
    org = factories.OrganizationFactory(name="Acme")
    req = factories.requester(organization=org)
    inc = services.create_incident(req, {"title": "VPN drops every hour"})
    assert inc.requester == req and inc.organization == org
