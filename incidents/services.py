"""Every write to an incident: thin rules over core.services' transition engine."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import services as core_services
from core.models import Channel

from . import workflow
from .models import Incident


def create_incident(actor, data):
    data = dict(data)
    data.setdefault("channel", Channel.PORTAL)
    return core_services.create_ticket(Incident, actor, data)


def update_incident(incident, actor, data, expected_version=None):
    return core_services.update_ticket(incident, actor, data, expected_version)


@transaction.atomic
def transition_incident(incident, actor, to, data=None, expected_version=None, comment="", internal_comment=False,
                        resolve_children=False):
    """Change state; resolving a parent can resolve its open children with the same resolution."""
    incident = core_services.transition_ticket(incident, actor, to, data, expected_version, comment=comment,
                                               internal_comment=internal_comment)
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
