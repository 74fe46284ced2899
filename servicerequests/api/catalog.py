"""API of the request catalogue: /api/v1/catalog-items/ and /api/v1/catalog-categories/.

Every signed-in user reads the items offered to them (catalog_queries.items_for; any other item is a 404);
managers and admins also read inactive items and write, through catalog_services (agents and requesters
get 403 on writes). An item's user and CI pickers search through its scoped `choices/` endpoints.
"""

from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import exceptions, permissions as drf_permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import permissions
from core.api.directory import BoundedLookupMixin
from core.api.pagination import KeysetPagination
from core.api.params import search_text
from core.api.schema import ERRORS
from core.api.serializers import display_name
from core.converters import parse_id

from .. import catalog_queries as queries, catalog_services as services
from ..expected import describe_expected, expected_for_items
from ..item_forms import CHOICES_LIMIT
from ..variables import ci_scope, user_scope
from ..models import CatalogCategory, FieldType
from .catalog_serializers import CatalogCategorySerializer, CatalogItemSerializer

TAG = "catalogue"


class ReadSignedInWriteManagers(drf_permissions.BasePermission):
    """Everyone signed in reads (what they may see); managers and admins write."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in drf_permissions.SAFE_METHODS or permissions.is_manager(request.user)


class CataloguePagination(KeysetPagination):
    page_size = 100
    ordering = ("order", "name", "id")


def _crud(serializer, extra=()):
    return extend_schema_view(**{name: extend_schema(tags=[TAG], responses={code: body, **ERRORS}, **(
        {"parameters": list(extra)} if name == "list" else {}))
        for name, code, body in (("list", 200, serializer(many=True)), ("retrieve", 200, serializer),
                                 ("create", 201, serializer), ("update", 200, serializer),
                                 ("partial_update", 200, serializer), ("destroy", 204, None))})


ITEM_FILTERS = (
    OpenApiParameter("q", str, description=_("Words in the name, summary or description.")),
    OpenApiParameter("category", int, description=_("A category id.")),
    OpenApiParameter("active", bool, description=_("Managers: active or inactive items (default: both).")),
)
ChoicesSerializer = inline_serializer("CatalogChoices", {"results": inline_serializer(
    "CatalogChoice", {"id": serializers.IntegerField(), "name": serializers.CharField()}, many=True)})
CHOICE_SCHEMA = extend_schema(
    tags=[TAG], responses={200: ChoicesSerializer, **ERRORS},
    parameters=[OpenApiParameter("q", str, description=_("Words of the name."))],
    summary=_("Choices the caller may pick in this item's fields of that type (at most 20)"))


def _bad_nested(error):
    raise exceptions.ValidationError(error.nested)


@_crud(CatalogItemSerializer, ITEM_FILTERS)
class CatalogItemViewSet(BoundedLookupMixin, viewsets.ModelViewSet):
    serializer_class = CatalogItemSerializer
    permission_classes = [drf_permissions.IsAuthenticated, ReadSignedInWriteManagers]
    pagination_class = CataloguePagination
    filter_backends = []

    def get_queryset(self):
        user = self.request.user
        items = queries.all_items() if permissions.is_manager(user) else queries.items_for(user)
        items = queries.with_form(items)
        if permissions.is_agent(user):
            items = queries.with_plan(items)
        if self.action == "list":
            items = self._filter(items)
        return items

    def _filter(self, items):
        params = self.request.query_params
        text = search_text(self.request, "q")
        if text:
            items = queries.filter_text(items, text)
        if "category" in params:
            category = parse_id(params["category"])
            if category is None:
                raise exceptions.ValidationError({"category": [_("A category id is required.")]})
            items = items.filter(category_id=category)
        active = params.get("active")
        if active is not None and permissions.is_manager(self.request.user):
            if active not in ("true", "false"):
                raise exceptions.ValidationError({"active": [_("Use true or false.")]})
            items = items.filter(active=active == "true")
        return items

    def _expected(self, items):
        user = self.request.user
        profile = getattr(user, "profile", None)
        found = expected_for_items(items, getattr(profile, "organization_id", None))
        language = getattr(profile, "language", "") or translation.get_language()
        tz = getattr(profile, "timezone", None)
        with translation.override(language):
            return {pk: {"due_at": value.due_at, "text": describe_expected(value, tz)}
                    for pk, value in found.items() if value is not None}

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        serializer = self.get_serializer(page, many=True, context={**self.get_serializer_context(),
                                                                   "expected": self._expected(page)})
        return self.get_paginated_response(serializer.data)

    def retrieve(self, request, *args, **kwargs):
        item = self.get_object()
        serializer = self.get_serializer(item, context={**self.get_serializer_context(),
                                                        "expected": self._expected([item])})
        return Response(serializer.data)

    def _save(self, serializer, item):
        try:
            saved = services.save_item(item, serializer.service_data(), self.request.user)
        except services.ItemValidationError as error:
            _bad_nested(error)
        serializer.instance = self.get_queryset().get(pk=saved.pk)
        serializer.context["expected"] = self._expected([serializer.instance])  # answered as a read shows it

    def perform_create(self, serializer):
        self._save(serializer, None)

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    def perform_destroy(self, instance):
        services.delete_item(instance, self.request.user)

    def _check_offers(self, kind):
        """404 unless the item is offered to the caller and has a field of that type."""
        item = self.get_object()
        if not any(field.type == kind for field in item.fields.all()):
            raise exceptions.NotFound()
        return search_text(self.request, "q", "search").split()[:5]

    @CHOICE_SCHEMA
    @action(detail=True, methods=["get"], url_path="choices/user", url_name="choices-user", pagination_class=None)
    def choices_user(self, request, pk=None):
        users = user_scope(request.user)
        for word in self._check_offers(FieldType.USER):
            users = users.filter(Q(username__icontains=word) | Q(first_name__icontains=word)
                                 | Q(last_name__icontains=word) | Q(email__icontains=word))
        users = users.order_by("first_name", "last_name", "username", "id")[:CHOICES_LIMIT]
        return Response({"results": [{"id": user.pk, "name": display_name(user)} for user in users]})

    @CHOICE_SCHEMA
    @action(detail=True, methods=["get"], url_path="choices/configuration_item",
            url_name="choices-configuration-item", pagination_class=None)
    def choices_configuration_item(self, request, pk=None):
        cis = ci_scope(request.user)
        for word in self._check_offers(FieldType.CONFIGURATION_ITEM):
            cis = cis.filter(name__icontains=word)
        return Response({"results": list(cis.order_by("name", "id").values("id", "name")[:CHOICES_LIMIT])})


@_crud(CatalogCategorySerializer)
class CatalogCategoryViewSet(BoundedLookupMixin, viewsets.ModelViewSet):
    """Categories with at least one item the caller may see (managers: every category)."""

    serializer_class = CatalogCategorySerializer
    permission_classes = [drf_permissions.IsAuthenticated, ReadSignedInWriteManagers]
    pagination_class = CataloguePagination
    filter_backends = []

    def get_queryset(self):
        if permissions.is_manager(self.request.user):
            return CatalogCategory.objects.all()
        return queries.categories_for(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.save_category(None, serializer.validated_data, self.request.user)

    def perform_update(self, serializer):
        serializer.instance = services.save_category(serializer.instance, serializer.validated_data,
                                                     self.request.user)

    def perform_destroy(self, instance):
        services.delete_category(instance, self.request.user)

