from core import permissions

from .models import Improvement

LIST_JOINED = ("team", "assignee", "owner")
DETAIL_JOINED = LIST_JOINED + ("metric_service", "metric_organization", "metric_team", "metric_category",
                               "created_by", "source_ticket")


def improvement_list(user):
    """The improvements a user may see (staff only: the register is internal)."""
    return permissions.visible_tickets(
        user, Improvement.objects.filter(kind=Improvement.TICKET_KIND).select_related(*LIST_JOINED)
        .prefetch_related("services"))


def improvement_detail(user):
    return permissions.visible_tickets(
        user, Improvement.objects.select_related(*DETAIL_JOINED).prefetch_related("services", "tasks"))
