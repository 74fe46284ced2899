"""Read querysets of core shared by the API and the UI."""

from .models import Notification


def notifications_for(user, unread=False):
    """The user's own notifications, newest first, with the ticket's number for the link."""
    rows = Notification.objects.filter(recipient=user).select_related("ticket").only(
        "id", "kind", "text", "created_at", "read_at", "recipient_id", "ticket__id", "ticket__number",
        "ticket__kind", "ticket__title")
    return rows.filter(read_at__isnull=True) if unread else rows
