"""Read APIs of the directory (teams, organizations, users, me) and the caller's own API tokens."""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from core import account_services, permissions
from core.converters import parse_id
from core.models import ApiToken, Organization, Team

from .pagination import NamePagination
from .params import search_text
from .schema import ERRORS
from .serializers import MAX_ID, display_name

User = get_user_model()


class TeamSerializer(serializers.ModelSerializer):
    email = serializers.CharField(read_only=True, help_text=_("May be empty."))
    members = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Team
        fields = ("id", "name", "description", "email", "manager", "members")
        read_only_fields = fields


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ("id", "name", "description")
        read_only_fields = fields


class UserSerializer(serializers.ModelSerializer):
    email = serializers.CharField(read_only=True, help_text=_("May be empty."))
    name = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()
    organization = serializers.SerializerMethodField()
    organization_name = serializers.SerializerMethodField()
    teams = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = User
        fields = ("id", "username", "name", "first_name", "last_name", "email", "is_active", "roles",
                  "organization", "organization_name", "teams")
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_name(self, obj):
        return display_name(obj)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_roles(self, obj):
        return sorted(group.name for group in obj.groups.all())

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_organization(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.organization_id if profile else None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_organization_name(self, obj):
        profile = getattr(obj, "profile", None)
        organization = profile.organization if profile and profile.organization_id else None
        return organization.name if organization else None


class MeSerializer(UserSerializer):
    timezone = serializers.SerializerMethodField()
    language = serializers.SerializerMethodField()
    is_agent = serializers.SerializerMethodField()

    class Meta(UserSerializer.Meta):
        fields = UserSerializer.Meta.fields + ("timezone", "language", "is_agent")
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_timezone(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.timezone if profile else "UTC"

    @extend_schema_field(OpenApiTypes.STR)
    def get_language(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.language if profile else ""

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_agent(self, obj):
        return permissions.is_agent(obj)


class ApiTokenSerializer(serializers.ModelSerializer):
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = ("id", "name", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at", "is_active")
        read_only_fields = ("id", "prefix", "created_at", "revoked_at", "last_used_at", "is_active")


class NewApiTokenSerializer(ApiTokenSerializer):
    key = serializers.CharField(read_only=True, help_text=_("The secret; shown only in this response."))

    class Meta(ApiTokenSerializer.Meta):
        fields = ApiTokenSerializer.Meta.fields + ("key",)


class BoundedLookupMixin:
    """An id beyond the database's integer range is a 404 like any unknown id."""

    lookup_value_regex = r"[0-9]+"

    def get_object(self):
        if int(self.kwargs[self.lookup_field]) > MAX_ID:
            raise exceptions.NotFound()
        return super().get_object()


class StaffOnly(drf_permissions.BasePermission):
    def has_permission(self, request, view):
        return permissions.is_agent(request.user)


def users_queryset():
    return User.objects.select_related("profile__organization").prefetch_related("groups", "teams").order_by("id")


def search_users(users, text):
    """Users matching every word of `text` in their user name, name, e-mail or organization's name."""
    for word in text.split()[:5]:
        users = users.filter(Q(username__icontains=word) | Q(first_name__icontains=word) |
                             Q(last_name__icontains=word) | Q(email__icontains=word) |
                             Q(profile__organization__name__icontains=word))
    return users


@extend_schema_view(list=extend_schema(tags=["directory"], responses={200: TeamSerializer(many=True), **ERRORS}),
                    retrieve=extend_schema(tags=["directory"], responses={200: TeamSerializer, **ERRORS}))
class TeamViewSet(BoundedLookupMixin, viewsets.ReadOnlyModelViewSet):
    """The provider's assignment groups and their members: service desk staff only (requesters 403)."""

    permission_classes = [drf_permissions.IsAuthenticated, StaffOnly]
    serializer_class = TeamSerializer
    queryset = Team.objects.prefetch_related(Prefetch("members", queryset=User.objects.only("id")))
    pagination_class = NamePagination
    filter_backends = []


@extend_schema_view(
    list=extend_schema(tags=["directory"], responses={200: OrganizationSerializer(many=True), **ERRORS},
                       parameters=[OpenApiParameter("search", str, description=_("Part of the name."))]),
    retrieve=extend_schema(tags=["directory"], responses={200: OrganizationSerializer, **ERRORS}))
class OrganizationViewSet(BoundedLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Agents see every organization; a requester only their own. `?search=` matches the name."""

    serializer_class = OrganizationSerializer
    pagination_class = NamePagination
    filter_backends = []

    def get_queryset(self):
        user = self.request.user
        organizations = Organization.objects.all() if permissions.is_agent(user) else \
            Organization.objects.filter(members__user=user)
        if self.action == "list" and (text := search_text(self.request, "search")):
            organizations = organizations.filter(name__icontains=text)
        return organizations


@extend_schema_view(
    list=extend_schema(tags=["directory"], responses={200: UserSerializer(many=True), **ERRORS}, parameters=[
        OpenApiParameter("search", str, description=_(
            "Words of the user name, name, e-mail or organization name (agents only).")),
        OpenApiParameter("q", str, description=_("The same as search.")),
        OpenApiParameter("role", str, description=_("A role, e.g. agent.")),
        OpenApiParameter("team", int, description=_("A team id."))]),
    retrieve=extend_schema(tags=["directory"], responses={200: UserSerializer, **ERRORS}))
class UserViewSet(BoundedLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Agents see and search every user; a requester only themselves, and may not search."""

    serializer_class = UserSerializer
    pagination_class = NamePagination
    filter_backends = []

    def get_queryset(self):
        user = self.request.user
        users = users_queryset()
        params = self.request.query_params
        text = search_text(self.request, "search", "q")
        if not permissions.is_agent(user):
            if text and self.action == "list":
                raise exceptions.PermissionDenied(_("Only agents can search users."))
            return users.filter(pk=user.pk)
        if self.action != "list":
            return users
        if text:
            users = search_users(users, text)
        if role := search_text(self.request, "role"):
            users = users.filter(groups__name=role)
        if team := params.get("team", "").strip():
            if (team_id := parse_id(team)) is None:
                raise exceptions.ValidationError({"team": [_("A team id is required.")]})
            users = users.filter(teams__id=team_id)
        return users


class MeView(APIView):
    """The caller: identity, roles and preferences."""

    @extend_schema(tags=["directory"], responses={200: MeSerializer, **ERRORS})
    def get(self, request):
        return Response(MeSerializer(users_queryset().get(pk=request.user.pk)).data)


@extend_schema_view(
    list=extend_schema(tags=["tokens"], responses={200: ApiTokenSerializer(many=True), **ERRORS}),
    create=extend_schema(tags=["tokens"], request=ApiTokenSerializer,
                         responses={201: NewApiTokenSerializer, **ERRORS}),
    destroy=extend_schema(tags=["tokens"], responses={204: None, **ERRORS}, summary=_("Revoke a token")))
class ApiTokenViewSet(BoundedLookupMixin, mixins.ListModelMixin, mixins.CreateModelMixin,
                      mixins.DestroyModelMixin,
                      viewsets.GenericViewSet):
    """The caller's own API tokens. The key is returned once, when the token is created."""

    serializer_class = ApiTokenSerializer
    filter_backends = []

    def get_queryset(self):
        return ApiToken.objects.filter(user=self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = account_services.create_token(request.user, serializer.validated_data["name"],
                                                   expires_at=serializer.validated_data.get("expires_at"),
                                                   minted_by=request.auth if isinstance(request.auth, ApiToken)
                                                   else None)
        token.key = key
        return Response(NewApiTokenSerializer(token).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        token = self.get_object()
        account_services.revoke_token(request.user, token.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
