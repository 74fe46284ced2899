"""Reads of the feeds' proposals, shared by the API and the review page: who sees them, their filter, and their
evidence made ready to show (ticket links)."""

import datetime

import django_filters as filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import hooks, permissions
from core.filters import ID_BOUNDS

from .models import Proposal, Source

FEED_SOURCES = [(value, label) for value, label in Source.choices if value in (Source.BREACH_TREND, Source.FEEDBACK)]


def proposals_for(user):
    """Proposals are read by service desk staff only (a requester sees none)."""
    qs = Proposal.objects.select_related("service", "decided_by", "improvement")
    return qs if permissions.is_agent(user) else qs.none()


class ProposalFilter(filters.FilterSet):
    state = filters.ChoiceFilter(choices=Proposal.State.choices, label=_("State"))
    source = filters.ChoiceFilter(choices=FEED_SOURCES, label=_("Source"))
    service = filters.NumberFilter(field_name="service_id", **ID_BOUNDS, label=_("Service"))

    class Meta:
        model = Proposal
        fields = []


def _ticket_url(kind, pk):
    registered = hooks.ticket_kinds.get(kind)
    return registered.url("detail", pk) if registered and pk else ""


def _when(value):
    try:
        return timezone.localtime(datetime.datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return None


def evidence_rows(proposal):
    """The stored evidence items, each with its ticket's URL and its instant as a datetime, newest first."""
    evidence = proposal.evidence or {}
    rows = evidence.get("breaches") if proposal.source == Source.BREACH_TREND else evidence.get("items")
    out = []
    for item in rows or []:
        out.append({**item, "url": _ticket_url(item.get("kind"), item.get("ticket")),
                    "when": _when(item.get("breached_at") or item.get("at"))})
    return out
