"""API of the e-mail channel: mailboxes and sender domains (admins), the inbound mail log (managers read, admins
retry and discard held mail)."""

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.desk import ConfigViewSet, crud_schema
from core.api.directory import BoundedLookupMixin
from core.api.pagination import KeysetPagination
from core.api.schema import ERRORS

from .. import config_services, queries
from ..filters import InboundMessageFilter
from ..models import HELD_OUTCOMES, InboundMessage
from ..permissions import AdminOnly, ManagerReadAdminWrite
from ..views import peer
from .serializers import DomainSerializer, InboundMessageResultSerializer, InboundMessageSerializer, MailboxSerializer


class NameOrder(KeysetPagination):
    page_size = 100
    ordering = ("name", "id")


class DomainOrder(KeysetPagination):
    page_size = 100
    ordering = ("domain", "id")


@crud_schema("e-mail channel", MailboxSerializer)
class MailboxViewSet(ConfigViewSet):
    """The desk's mailboxes. The password is write-only; mailboxes from INBOUND_MAIL_URLS are read-only (400)."""

    permission_classes = [drf_permissions.IsAuthenticated, AdminOnly]
    serializer_class = MailboxSerializer
    pagination_class = NameOrder
    save_service = config_services.save_mailbox
    delete_service = config_services.delete_mailbox

    def get_queryset(self):
        return queries.mailboxes()


@crud_schema("e-mail channel", DomainSerializer)
class DomainViewSet(ConfigViewSet):
    """Sender domains: mail from a domain belongs to its organization."""

    permission_classes = [drf_permissions.IsAuthenticated, AdminOnly]
    serializer_class = DomainSerializer
    pagination_class = DomainOrder
    save_service = config_services.save_domain
    delete_service = config_services.delete_domain

    def get_queryset(self):
        return queries.domains()


class MessageOrder(KeysetPagination):
    ordering = ("-id",)


@extend_schema_view(list=extend_schema(tags=["e-mail channel"], responses={200: InboundMessageSerializer(many=True),
                                                                            **ERRORS}),
                    retrieve=extend_schema(tags=["e-mail channel"], responses={200: InboundMessageSerializer,
                                                                               **ERRORS}))
class InboundMessageViewSet(BoundedLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                            viewsets.GenericViewSet):
    """Every message read from a mailbox, newest first, and what became of it. Held messages (`held=true`) are
    retried or discarded by admins."""

    permission_classes = [drf_permissions.IsAuthenticated, ManagerReadAdminWrite]
    serializer_class = InboundMessageSerializer
    pagination_class = MessageOrder
    filter_backends = [DjangoFilterBackend]
    filterset_class = InboundMessageFilter

    def get_queryset(self):
        return queries.messages()

    def _held(self):
        message = InboundMessage.objects.get(pk=self.get_object().pk)  # the whole row: the stored copy too
        if message.outcome not in HELD_OUTCOMES:
            raise exceptions.ValidationError({"outcome": [_("Only held mail can be retried or discarded.")]})
        return message

    def _result(self, message):
        return Response(InboundMessageResultSerializer(queries.messages().get(pk=message.pk)).data)

    @extend_schema(tags=["e-mail channel"], request=None, responses={200: InboundMessageResultSerializer, **ERRORS},
                   summary=_("Handle a held message again from its stored copy"))
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def retry(self, request, pk=None):
        message = self._held()
        peer("ingest").retry(message, request.user)
        return self._result(message)

    @extend_schema(tags=["e-mail channel"], request=None, responses={200: InboundMessageResultSerializer, **ERRORS},
                   summary=_("Discard a held message"))
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def discard(self, request, pk=None):
        message = self._held()
        peer("ingest").discard(message, request.user)
        return self._result(message)
