"""Who may post events (integration accounts and admins) and read alerts (service desk staff)."""

from rest_framework.permissions import BasePermission

from core import permissions

INTEGRATION = "integration"


def can_post_events(user):
    return user.is_authenticated and (user.is_superuser or permissions.has_role(user, INTEGRATION,
                                                                                permissions.ADMIN))


def can_read_alerts(user):
    return permissions.is_agent(user)


class CanPostEvents(BasePermission):
    def has_permission(self, request, view):
        return can_post_events(request.user)


class CanReadAlerts(BasePermission):
    def has_permission(self, request, view):
        return can_read_alerts(request.user)
