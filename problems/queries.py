from django.db.models import Prefetch

from core import permissions
from core.models import LinkKind, TicketLink

from .models import Problem

LIST_JOINED = ("team", "assignee")
LIST_PREFETCHED = ("service", "configuration_item", "organization", "requester", "category", "affected_services",
                   "affected_cis")
DETAIL_PREFETCHED = LIST_PREFETCHED + ("created_by",)


def incident_links():
    """The problem's "caused by" links from incidents, as `incident_links` (what the API's `incidents` shows)."""
    return Prefetch("links_in", to_attr="incident_links", queryset=TicketLink.objects.filter(
        kind=LinkKind.CAUSED_BY, source__kind="incident").only("id", "source_id", "target_id").order_by("source_id"))


def problem_list(user):
    """The problems a user may see (staff only: requesters never see problems)."""
    return permissions.visible_tickets(
        user, Problem.objects.filter(kind=Problem.TICKET_KIND).select_related(*LIST_JOINED)
        .prefetch_related(*LIST_PREFETCHED, incident_links()))


def problem_detail(user):
    return permissions.visible_tickets(
        user, Problem.objects.select_related(*LIST_JOINED).prefetch_related(*DETAIL_PREFETCHED, incident_links()))


def problem_url(problem_or_id):
    """The problem page's URL, from a problem or its id."""
    from django.urls import reverse

    return reverse("problems:detail", args=[getattr(problem_or_id, "pk", problem_or_id)])
