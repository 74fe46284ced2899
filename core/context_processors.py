from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from . import permissions, registry


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_agent": False, "is_manager": False}
    return {"is_agent": permissions.is_agent(user), "is_manager": permissions.is_manager(user)}


UNREAD_BADGE_LIMIT = 99


def notifications(request):
    """`unread_notifications`: the header badge's number, read only when a template shows it, once per request.

    A bounded read of the partial index (recipient, read_at IS NULL): at most 100 ids, never a COUNT(*),
    so the badge costs the same for a user with a thousand unread rows; above 99 it shows "99+".
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}

    def unread():
        if not hasattr(request, "_unread_notifications"):
            from .models import Notification

            ids = Notification.objects.filter(recipient=user, read_at__isnull=True).values_list("id", flat=True)
            found = len(ids[:UNREAD_BADGE_LIMIT + 1])
            request._unread_notifications = f"{UNREAD_BADGE_LIMIT}+" if found > UNREAD_BADGE_LIMIT else found
        return request._unread_notifications

    return {"unread_notifications": unread}


def navigation(request):
    """The header menu entries the user may see, from the apps' declarations (core/registry.py)."""
    def entries():
        return [{"label": entry.label, "url": reverse(entry.url_name), "hotkey": entry.hotkey}
                for entry in registry.menu_for(getattr(request, "user", None))]

    return {"nav_entries": SimpleLazyObject(entries)}
