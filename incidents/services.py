"""Every write to an incident: thin rules over core.services' transition engine."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import services as core_services
from core.models import Channel

from . import workflow
from .models import Incident


@transaction.atomic
def create_incident(actor, data):
    data = dict(data)
    data.setdefault("channel", Channel.PORTAL)
    incident = core_services.create_ticket(Incident, actor, data)
    if incident.is_major and incident.service_id and incident.outage_start is None:
        incident = core_services.update_ticket(incident, actor, {"outage_start": incident.created_at})
    return incident


def update_incident(incident, actor, data, expected_version=None):
    """Declaring a major incident on a service (is_major and service set) starts its outage now, unless an
    outage start is typed or already there."""
    merged = {"is_major": incident.is_major, "service": incident.service_id, "outage_start": incident.outage_start,
              **data}
    if (merged["is_major"] and merged["service"] and not merged["outage_start"]
            and incident.state in workflow.WORKFLOW.open_states):
        data = {**data, "outage_start": timezone.now()}
    return core_services.update_ticket(incident, actor, data, expected_version)


def end_outage(incident, actor):
    """A major incident's outage ends when it is resolved (or closed, or cancelled), unless an end is typed."""
    start, now = incident.outage_start, timezone.now()
    if incident.is_major and start is not None and start <= now and incident.outage_end is None:
        return core_services.update_ticket(incident, actor, {"outage_end": incident.resolved_at or now})
    return incident


@transaction.atomic
def transition_incident(incident, actor, to, data=None, expected_version=None, comment="", internal_comment=False,
                        resolve_children=False):
    """Change state; resolving a parent can resolve its open children with the same resolution."""
    incident = core_services.transition_ticket(incident, actor, to, data, expected_version, comment=comment,
                                               internal_comment=internal_comment)
    if to in workflow.WORKFLOW.resolved_states | workflow.WORKFLOW.closed_states:
        incident = end_outage(incident, actor)
    if resolve_children and to == workflow.RESOLVED:
        for child in open_children(incident):
            core_services.transition_ticket(child, actor, workflow.RESOLVED, {
                "resolution_code": incident.resolution_code,
                "resolution_notes": incident.resolution_notes,
            })
    return incident


def open_children(incident):
    return Incident.objects.filter(parent=incident, state__in=workflow.WORKFLOW.open_states).order_by("id")


def auto_close_resolved(batch_size=500, now=None):
    """Close incidents resolved more than INCIDENT_AUTO_CLOSE_DAYS ago; one bounded batch, returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.INCIDENT_AUTO_CLOSE_DAYS)
    ids = list(Incident.objects.filter(state=workflow.RESOLVED, resolved_at__lt=cutoff)
               .order_by("pk").values_list("pk", flat=True)[:batch_size])
    closed = 0
    for pk in ids:
        with transaction.atomic():
            incident = Incident.objects.select_for_update(skip_locked=True).filter(
                pk=pk, state=workflow.RESOLVED).first()
            if incident is None:
                continue
            core_services.transition_ticket(incident, None, workflow.CLOSED)
            closed += 1
    return closed
