from core import permissions

from .models import Change

LIST_JOINED = ("team", "assignee", "model", "template")
LIST_PREFETCHED = ("service", "configuration_item", "organization", "requester", "configuration_items", "services")
DETAIL_PREFETCHED = LIST_PREFETCHED + ("created_by", "release")


def change_list(user):
    """The changes a user may see (staff only: requesters never see changes)."""
    return permissions.visible_tickets(
        user, Change.objects.filter(kind=Change.TICKET_KIND).select_related(*LIST_JOINED)
        .prefetch_related(*LIST_PREFETCHED))


def change_detail(user):
    return permissions.visible_tickets(
        user, Change.objects.select_related(*LIST_JOINED).prefetch_related(*DETAIL_PREFETCHED))


def change_url(change_or_id):
    from django.urls import reverse

    return reverse("changes:detail", args=[getattr(change_or_id, "pk", change_or_id)])
