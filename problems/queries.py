from core import permissions

from .models import Problem

LIST_JOINED = ("team", "assignee")
LIST_PREFETCHED = ("service", "configuration_item", "organization", "requester", "category")
DETAIL_PREFETCHED = LIST_PREFETCHED + ("created_by",)


def problem_list(user):
    """The problems a user may see (staff only: requesters never see problems)."""
    return permissions.visible_tickets(
        user, Problem.objects.filter(kind=Problem.TICKET_KIND).select_related(*LIST_JOINED)
        .prefetch_related(*LIST_PREFETCHED))


def problem_detail(user):
    return permissions.visible_tickets(
        user, Problem.objects.select_related(*LIST_JOINED).prefetch_related(*DETAIL_PREFETCHED))
