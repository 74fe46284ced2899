from rest_framework.permissions import SAFE_METHODS, BasePermission

from .. import queries


class CMDBPermission(BasePermission):
    """Agents (and above) read; managers and admins write; requesters have no access."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        if request.method in SAFE_METHODS:
            return queries.can_read(request.user)
        return queries.can_write(request.user)
