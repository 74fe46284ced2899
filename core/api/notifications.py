"""The caller's in-app notifications and notification preferences."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core import account_services, notification_services, queries
from core.models import Notification, NotificationEvent
from core.ui import ticket_url

from .directory import BoundedLookupMixin
from .pagination import TicketCursorPagination
from .schema import ERRORS


class NotificationSerializer(serializers.ModelSerializer):
    ticket_number = serializers.SerializerMethodField()
    ticket_url = serializers.SerializerMethodField()
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ("id", "kind", "text", "ticket", "ticket_number", "ticket_url", "created_at", "read_at", "is_read")
        read_only_fields = fields

    def get_ticket_number(self, obj) -> str:
        return obj.ticket.number if obj.ticket_id else ""

    def get_ticket_url(self, obj) -> str:
        return ticket_url(obj.ticket) if obj.ticket_id else ""

    def get_is_read(self, obj) -> bool:
        return obj.read_at is not None


MarkedSerializer = inline_serializer("NotificationsMarked", {"marked": serializers.IntegerField()})


@extend_schema_view(
    list=extend_schema(tags=["notifications"], responses={200: NotificationSerializer(many=True), **ERRORS},
                       parameters=[OpenApiParameter("unread", bool, description=_("Only unread notifications."))]),
    retrieve=extend_schema(tags=["notifications"], responses={200: NotificationSerializer, **ERRORS}),
    read=extend_schema(tags=["notifications"], request=None, responses={200: NotificationSerializer, **ERRORS},
                       summary=_("Mark a notification read")),
    read_all=extend_schema(tags=["notifications"], request=None, responses={200: MarkedSerializer, **ERRORS},
                           summary=_("Mark all your notifications read")),
)
class NotificationViewSet(BoundedLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    """Your own notifications, newest first (keyset pages); `?unread=true` for the unread ones."""

    serializer_class = NotificationSerializer
    pagination_class = TicketCursorPagination
    filter_backends = []

    def get_queryset(self):
        unread = self.action == "list" and self.request.query_params.get("unread", "").lower() in ("true", "1")
        return queries.notifications_for(self.request.user, unread=unread)

    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        notification_services.mark_read(request.user, [notification.pk])
        notification.refresh_from_db(fields=["read_at"])
        return Response(NotificationSerializer(notification).data)

    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": notification_services.mark_all_read(request.user)})


class ChannelsSerializer(serializers.Serializer):
    in_app = serializers.BooleanField(required=False)
    email = serializers.BooleanField(required=False)


class PreferencesSerializer(serializers.Serializer):
    """{event: {in_app, email}} for every event; a write may name only some."""

    def get_fields(self):
        return {event: ChannelsSerializer(required=False, help_text=label)
                for event, label in NotificationEvent.choices}

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data or {}) - set(NotificationEvent.values))
        if unknown:
            raise serializers.ValidationError({name: [_("Unknown event.")] for name in unknown})
        return attrs


class NotificationPreferencesView(APIView):
    """Which events you are told of, by which channel (in the application, e-mail). Both are on by default."""

    @extend_schema(tags=["notifications"], responses={200: PreferencesSerializer, **ERRORS})
    def get(self, request):
        return Response(account_services.preference_table(request.user))

    @extend_schema(tags=["notifications"], request=PreferencesSerializer,
                   responses={200: PreferencesSerializer, **ERRORS})
    def put(self, request):
        serializer = PreferencesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(account_services.set_preferences(request.user, serializer.validated_data))

    @extend_schema(tags=["notifications"], request=PreferencesSerializer,
                   responses={200: PreferencesSerializer, **ERRORS})
    def patch(self, request):
        return self.put(request)
