"""Incidents caused by a change: on an incident page (staff only), the changes completed in the 48 hours before
the incident was raised whose configuration items include the incident's, and the changes already linked to it
(incident *caused by* change, a core TicketLink, audited on both tickets)."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core import services as core_services
from core.models import LinkKind, TicketLink

from . import workflow
from .models import Change, ChangeCI

WINDOW = timedelta(hours=48)
COMPLETED_STATES = (workflow.REVIEW, workflow.CLOSED)
SUGGESTION_LIMIT = 10
LIST_LIMIT = 200
ROW_FIELDS = ("id", "kind", "number", "title", "state", "change_type", "outcome", "actual_end")


def _links_to_changes():
    return TicketLink.objects.filter(kind=LinkKind.CAUSED_BY, target__kind=Change.TICKET_KIND)


def linked_changes(incident):
    """The changes an incident is recorded as caused by, newest first."""
    ids = _links_to_changes().filter(source_id=incident.pk).values("target_id")
    return Change.objects.filter(pk__in=ids).only(*ROW_FIELDS).order_by("-id")[:LIST_LIMIT]


def caused_incidents(change):
    """The incidents recorded as caused by a change, newest first (ids, number, title, state)."""
    from incidents.models import Incident

    ids = TicketLink.objects.filter(kind=LinkKind.CAUSED_BY, target_id=change.pk,
                                    source__kind=Incident.TICKET_KIND).values("source_id")
    return Incident.objects.filter(pk__in=ids).only("id", "kind", "number", "title", "state", "created_at") \
        .order_by("-id")[:LIST_LIMIT]


def suggestions(incident, at=None):
    """Completed changes (in review or closed) that touched the incident's configuration item and ended in the
    48 hours before `at` (the incident's creation, or now), not yet linked to it; latest first."""
    if not incident.configuration_item_id:
        return []
    at = at or getattr(incident, "created_at", None) or timezone.now()
    touched = ChangeCI.objects.filter(configuration_item_id=incident.configuration_item_id).values("change_id")
    linked = _links_to_changes().filter(source_id=incident.pk).values("target_id") if incident.pk else []
    candidates = Change.objects.filter(kind=Change.TICKET_KIND, state__in=COMPLETED_STATES,
                                       actual_end__gte=at - WINDOW, actual_end__lte=at, pk__in=touched)
    if incident.pk:
        candidates = candidates.exclude(pk__in=linked)
    return list(candidates.only(*ROW_FIELDS).order_by("-actual_end", "-id")[:SUGGESTION_LIMIT])


@transaction.atomic
def link(incident, change, actor):
    """Record that `incident` was caused by `change` (audited on both); ValidationError if already linked."""
    if incident.kind != "incident" or change.kind != Change.TICKET_KIND:
        raise ValidationError(_("Only an incident can be linked to the change that caused it."))
    link = core_services.add_link(incident, actor, change, LinkKind.CAUSED_BY)
    core_services.bump_version(incident)
    core_services.bump_version(change)
    return link


def panel_context(ticket, request):
    """The incident page's "caused by a change" panel (core.hooks.register_ticket_panel); staff only."""
    if ticket.kind != "incident" or not permissions.is_agent(request.user):
        return {"caused_by_panel": False}
    return {"caused_by_panel": True, "caused_by_linked": list(linked_changes(ticket)),
            "caused_by_suggestions": suggestions(ticket), "caused_by_window_hours": int(WINDOW.total_seconds() // 3600)}
