from . import permissions


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_agent": False, "is_manager": False}
    return {"is_agent": permissions.is_agent(user), "is_manager": permissions.is_manager(user)}


def notifications(request):
    """`unread_notifications`: the header badge's count, one indexed COUNT per request, only when shown."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}

    def count():
        if not hasattr(request, "_unread_notifications"):
            from .models import Notification

            request._unread_notifications = Notification.objects.filter(recipient=user,
                                                                         read_at__isnull=True).count()
        return request._unread_notifications

    return {"unread_notifications": count}
