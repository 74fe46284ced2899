"""Shared pieces of the slm API: role permissions and bounded lookups."""

from rest_framework import permissions as drf_permissions
from rest_framework import viewsets

from core import permissions
from core.api.directory import BoundedLookupMixin
from core.api.pagination import NamePagination


class ManagersWriteAgentsRead(drf_permissions.BasePermission):
    """Service desk staff read; only managers and admins write."""

    def has_permission(self, request, view):
        if request.method in drf_permissions.SAFE_METHODS:
            return permissions.is_agent(request.user) or getattr(view, "requesters_read", False)
        return permissions.is_manager(request.user)


class ConfigurationViewSet(BoundedLookupMixin, viewsets.ModelViewSet):
    """Configuration rows: serializers write through slm.services; deletes call `delete_service`."""

    permission_classes = [drf_permissions.IsAuthenticated, ManagersWriteAgentsRead]
    pagination_class = NamePagination
    filter_backends = []
    delete_service = None

    def perform_destroy(self, instance):
        type(self).delete_service(instance)
