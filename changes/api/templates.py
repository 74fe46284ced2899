"""/api/v1/change-templates/: the catalogue of standard change templates with their success rate and review flag.
Staff read; managers and the change authority write (through changes.templates.save_template) and move them
through their lifecycle; `raise` creates a scheduled standard change in one step."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions as drf_permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from changes import queries, template_review, templates
from changes.models import ChangeTemplate, TemplateEvent
from cmdb.models import CIClass, ConfigurationItem
from core import permissions
from core.api.directory import BoundedLookupMixin
from core.api.pagination import KeysetPagination
from core.api.schema import ERRORS
from core.api.serializers import SafePrimaryKeyRelatedField, display_name

from .serializers import ChangeDetailSerializer

HISTORY_SHOWN = 50


class StaffReadChangeManagerWrite(drf_permissions.BasePermission):
    """Service desk staff read; managers, change authorities and admins write (core.permissions.is_change_authority)."""

    def has_permission(self, request, view):
        if not permissions.is_agent(request.user):
            return False
        if request.method in drf_permissions.SAFE_METHODS or getattr(view, "action", None) == "raise_change":
            return True
        return permissions.is_change_authority(request.user)


class NamePagination(KeysetPagination):
    page_size = 50
    ordering = ("name", "id")


class SuccessRateSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    successful = serializers.IntegerField()
    failed = serializers.IntegerField()
    caused_incidents = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True, help_text=_("Percent of completed changes that succeeded "
                                                               "without causing an incident; null before any."))


class TemplateEventSerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = TemplateEvent
        fields = ("id", "action", "actor", "actor_name", "at", "changes", "note")

    def get_actor_name(self, event) -> str | None:
        return display_name(event.actor)


class ChangeTemplateSerializer(serializers.ModelSerializer):
    configuration_items = SafePrimaryKeyRelatedField(many=True, required=False,
                                                     queryset=ConfigurationItem.objects.all())
    ci_classes = SafePrimaryKeyRelatedField(many=True, required=False, queryset=CIClass.objects.all())
    owner_name = serializers.SerializerMethodField()
    authorised_by_name = serializers.SerializerMethodField()
    success_rate = serializers.SerializerMethodField()
    unusable_reason = serializers.SerializerMethodField(help_text=_("Why no change can be raised from it now; "
                                                                    "empty when it can."))

    class Meta:
        model = ChangeTemplate
        fields = ("id", "name", "description", "owner", "owner_name", "team", "service", "implementation_plan",
                  "backout_plan", "test_plan", "configuration_items", "ci_classes", "duration_minutes",
                  "risk_level", "risk_assessment", "state", "authorised_by", "authorised_by_name", "authorised_at",
                  "review_date", "failure_threshold", "flagged_for_review", "success_rate", "unusable_reason",
                  "catalog_item", "created_at", "updated_at")
        read_only_fields = ("state", "authorised_by", "authorised_at", "review_date", "flagged_for_review",
                            "created_at", "updated_at")
        extra_kwargs = {"name": {"validators": []}}  # uniqueness is checked by save_template (400 on "name")

    def get_owner_name(self, template) -> str | None:
        return display_name(template.owner)

    def get_authorised_by_name(self, template) -> str | None:
        return display_name(template.authorised_by)

    @extend_schema_field(SuccessRateSerializer)
    def get_success_rate(self, template) -> dict:
        rates = self.context.get("rates") or {}
        rate = rates.get(template.pk) or template_review.success_rate(template)
        return {key: rate[key] for key in ("total", "successful", "failed", "caused_incidents", "rate")}

    def get_unusable_reason(self, template) -> str:
        return templates.unusable_reason(template, self.context["today"])


class ChangeTemplateDetailSerializer(ChangeTemplateSerializer):
    history = serializers.SerializerMethodField()

    class Meta(ChangeTemplateSerializer.Meta):
        fields = ChangeTemplateSerializer.Meta.fields + ("history",)

    def get_history(self, template) -> list:
        events = template.events.select_related("actor").order_by("-at", "-id")[:HISTORY_SHOWN]
        return TemplateEventSerializer(events, many=True).data


class AuthoriseSerializer(serializers.Serializer):
    review_date = serializers.DateField(required=False, allow_null=True, help_text=_(
        "When the authorisation lapses unless reviewed (default: a year from today)."))
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class RaiseSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, max_length=255)
    planned_start = serializers.DateTimeField(required=False, allow_null=True,
                                              help_text=_("Default: now; the end follows the usual duration."))
    configuration_items = SafePrimaryKeyRelatedField(many=True, required=False,
                                                     queryset=ConfigurationItem.objects.all(), help_text=_(
                                                         "Within the template's CIs and CI classes (default: the "
                                                         "template's CIs)."))


def _crud_schema(cls):
    detail = ChangeTemplateDetailSerializer
    return extend_schema_view(
        list=extend_schema(tags=["change templates"], responses={200: ChangeTemplateSerializer(many=True), **ERRORS}),
        retrieve=extend_schema(tags=["change templates"], responses={200: detail, **ERRORS}),
        create=extend_schema(tags=["change templates"], responses={201: detail, **ERRORS}),
        update=extend_schema(tags=["change templates"], responses={200: detail, **ERRORS}),
        partial_update=extend_schema(tags=["change templates"], responses={200: detail, **ERRORS}),
    )(cls)


@_crud_schema
class ChangeTemplateViewSet(BoundedLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                            mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    permission_classes = [drf_permissions.IsAuthenticated, StaffReadChangeManagerWrite]
    pagination_class = NamePagination
    filter_backends = []

    def get_queryset(self):
        queryset = ChangeTemplate.objects.select_related("owner", "authorised_by").prefetch_related(
            "configuration_items", "ci_classes")
        state = self.request.query_params.get("state")
        if state in ChangeTemplate.State.values:
            queryset = queryset.filter(state=state)
        if self.request.query_params.get("flagged") in ("true", "1"):
            queryset = queryset.filter(flagged_for_review=True)
        return queryset

    def get_serializer_class(self):
        return ChangeTemplateSerializer if self.action == "list" else ChangeTemplateDetailSerializer

    def get_serializer_context(self):
        from django.utils import timezone

        return {**super().get_serializer_context(), "today": timezone.localdate(),
                "rates": getattr(self, "rates", None)}

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self.rates = template_review.success_rates([template.pk for template in page or []])
        return page

    def _detail(self, template, code=status.HTTP_200_OK):
        template = self.get_queryset().get(pk=template.pk)
        return Response(ChangeTemplateDetailSerializer(template, context=self.get_serializer_context()).data,
                        status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._detail(templates.save_template(request.user, serializer.validated_data),
                            status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        template = self.get_object()
        serializer = self.get_serializer(template, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return self._detail(templates.save_template(request.user, serializer.validated_data, template))

    @extend_schema(tags=["change templates"], request=AuthoriseSerializer,
                   responses={200: ChangeTemplateDetailSerializer, **ERRORS},
                   summary=_("Authorise (or review) as the change authority"))
    @action(detail=True, methods=["post"])
    def authorise(self, request, pk=None):
        template = self.get_object()
        body = AuthoriseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._detail(templates.authorise(template, request.user, body.validated_data.get("review_date"),
                                                body.validated_data.get("note", "")))

    @extend_schema(tags=["change templates"], request=None,
                   responses={200: ChangeTemplateDetailSerializer, **ERRORS}, summary=_("Publish"))
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._detail(templates.publish(self.get_object(), request.user))

    @extend_schema(tags=["change templates"], request=None,
                   responses={200: ChangeTemplateDetailSerializer, **ERRORS}, summary=_("Retire"))
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        return self._detail(templates.retire(self.get_object(), request.user))

    @extend_schema(tags=["change templates"], request=RaiseSerializer,
                   responses={201: ChangeDetailSerializer, **ERRORS},
                   summary=_("Raise a standard change (one step, no approval)"))
    @action(detail=True, methods=["post"], url_path="raise", url_name="raise")
    def raise_change(self, request, pk=None):
        template = self.get_object()
        body = RaiseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        change = templates.raise_standard_change(template, request.user, dict(body.validated_data))
        change = queries.change_detail(request.user).get(pk=change.pk)
        return Response(ChangeDetailSerializer(change, context={"request": request}).data,
                        status=status.HTTP_201_CREATED, headers={"ETag": f'"{change.version}"'})


router = SimpleRouter()
router.register("change-templates", ChangeTemplateViewSet, basename="change-template")
urlpatterns = router.urls
