"""/api/v1/releases/: releases with their changes, CIs and services. Staff read; managers and the change
authority write (changes.releases) and deploy (the version is recorded on each CI, in its history)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions as drf_permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from changes import releases
from changes.models import Change, Release
from cmdb.models import ConfigurationItem
from core.api.directory import BoundedLookupMixin
from core.api.pagination import KeysetPagination
from core.api.schema import ERRORS
from core.api.serializers import SafePrimaryKeyRelatedField
from slm.models import Service

from .templates import StaffReadChangeManagerWrite


class ReleasePagination(KeysetPagination):
    ordering = ("-id",)


class ReleaseSerializer(serializers.ModelSerializer):
    configuration_items = SafePrimaryKeyRelatedField(many=True, required=False,
                                                     queryset=ConfigurationItem.objects.all())
    services = SafePrimaryKeyRelatedField(many=True, required=False, queryset=Service.objects.all())
    changes = SafePrimaryKeyRelatedField(many=True, required=False, queryset=Change.objects.all(),
                                         help_text=_("Ids of the changes that deliver the release."))

    class Meta:
        model = Release
        fields = ("id", "name", "version", "description", "state", "planned_date", "deployed_at",
                  "configuration_items", "services", "changes", "created_at")
        read_only_fields = ("state", "deployed_at", "created_at")
        validators = []  # name + version uniqueness: checked by releases.save_release (400)


@extend_schema_view(**{name: extend_schema(tags=["releases"], responses={code: ReleaseSerializer, **ERRORS})
                       for name, code in (("list", 200), ("retrieve", 200), ("create", 201), ("update", 200),
                                          ("partial_update", 200))})
class ReleaseViewSet(BoundedLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     mixins.UpdateModelMixin, viewsets.GenericViewSet):
    permission_classes = [drf_permissions.IsAuthenticated, StaffReadChangeManagerWrite]
    serializer_class = ReleaseSerializer
    pagination_class = ReleasePagination
    filter_backends = []

    def get_queryset(self):
        return Release.objects.prefetch_related("configuration_items", "services", "changes")

    def _detail(self, release, code=status.HTTP_200_OK):
        return Response(ReleaseSerializer(self.get_queryset().get(pk=release.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._detail(releases.save_release(request.user, serializer.validated_data), status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        release = self.get_object()
        serializer = self.get_serializer(release, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return self._detail(releases.save_release(request.user, serializer.validated_data, release))

    @extend_schema(tags=["releases"], request=None, responses={200: ReleaseSerializer, **ERRORS},
                   summary=_("Deploy: record the version on every CI of the release"))
    @action(detail=True, methods=["post"])
    def deploy(self, request, pk=None):
        return self._detail(releases.deploy(self.get_object(), request.user))


router = SimpleRouter()
router.register("releases", ReleaseViewSet, basename="release")
urlpatterns = router.urls
