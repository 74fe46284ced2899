"""Who may do what with the e-mail channel: admins configure mailboxes and domains and handle held mail;
managers (and admins) read the inbound mail log; a message's "as sent" view follows its ticket."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from core import permissions


def can_configure(user):
    return permissions.is_admin(user)


def can_read_log(user):
    return permissions.is_manager(user)


class AdminOnly(BasePermission):
    def has_permission(self, request, view):
        return can_configure(request.user)


class ManagerReadAdminWrite(BasePermission):
    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return can_read_log(request.user)
        return can_configure(request.user)
