"""The ticket API every practice reuses: list/create/retrieve/update, transitions, comments, attachments,
audit trail and links, all written through the services and guarded by core.permissions.

A practice declares a few attributes (querysets, serializers, services) and gets the whole API; see
incidents/api/views.py.
"""

from django.db.models import Q, prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core import notification_services, permissions
from core import services as core_services
from core.converters import ASCII_DIGITS
from core.models import ApiToken, Attachment, AuditEntry, Channel, Comment, Ticket, TicketLink

from .errors import PreconditionFailed
from .pagination import ChronologicalPagination, TicketCursorPagination
from .schema import ticket_viewset_schema
from .serializers import (MAX_ID, AttachmentSerializer, AttachmentUploadSerializer, AuditEntrySerializer,
                          CommentSerializer, TicketLinkCreateSerializer, TicketLinkSerializer, WatchStateSerializer)
from .slim import slim_plan

SUB_RESOURCE = {"pagination_class": ChronologicalPagination, "filter_backends": []}


def parse_if_match(header):
    """The versions named by an If-Match header; None when absent or `*` (no precondition)."""
    if header is None or header.strip() == "*":
        return None
    versions = []
    for tag in header.split(","):
        tag = tag.strip()
        tag = tag[2:] if tag.startswith("W/") else tag
        tag = tag.strip('"')
        if ASCII_DIGITS.fullmatch(tag) and len(tag) < 19:
            versions.append(int(tag))
    return versions


class TicketViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin,
                    mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Subclasses declare:

    list_queryset / detail_queryset: fn(user) -> the tickets that user may see (practice's queries.py)
    serializer_class (list rows), detail_serializer_class, transition_serializer_class
    create_service(actor, data), update_service(ticket, actor, data, expected_version),
    transition_service(ticket, actor, to, data, expected_version, comment=, internal_comment=, **extra)
    transition_extra_args: transition serializer fields passed to transition_service as keyword arguments
    requester_create_fields: what a requester may set when raising a ticket (empty: requesters may not)
    ordering_map: the FilterSet's `ordering` choice -> sort keys, so sorted lists still page by keyset
    """

    list_queryset = detail_queryset = None
    detail_serializer_class = transition_serializer_class = None
    create_service = update_service = transition_service = None
    transition_extra_args = ()
    requester_create_fields = ("title", "description", "impact", "urgency", "service", "configuration_item")
    ordering_map = {}
    schema_tag = "tickets"
    default_ordering = ("-id",)
    filter_backends = [DjangoFilterBackend]
    pagination_class = TicketCursorPagination
    lookup_value_regex = r"[0-9]+"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.detail_serializer_class is not None:
            ticket_viewset_schema(cls)

    # --- querysets and objects ---------------------------------------------------------------

    def get_queryset(self):
        user = self.request.user
        return (self.list_queryset if self.action == "list" else self.detail_queryset)(user)

    def get_serializer_class(self):
        if self.action == "transition":
            return self.transition_serializer_class
        if self.action in ("retrieve", "create", "update", "partial_update"):
            return self.detail_serializer_class
        return self.serializer_class  # list rows, or the serializer an action declares

    def get_object(self):
        """The ticket, or 404 when it does not exist or the caller may not see it."""
        pk = int(self.kwargs[self.lookup_field])
        if pk > MAX_ID:
            raise exceptions.NotFound()
        return get_object_or_404(self.get_queryset(), pk=pk)

    def get_visible_ticket(self):
        """The ticket behind a sub-resource (comments, audit, ...), fetched without the detail joins."""
        pk = int(self.kwargs[self.lookup_field])
        if pk > MAX_ID:
            raise exceptions.NotFound()
        return get_object_or_404(self.list_queryset(self.request.user).select_related(None), pk=pk)

    def filter_queryset(self, queryset):
        """A list asked for with no filter at all skips building the FilterSet (an empty filter is the identity)."""
        filterset_class = getattr(self, "filterset_class", None)
        if (self.action == "list" and filterset_class is not None and self.filter_backends == [DjangoFilterBackend]
                and not self.request.query_params.keys() & filterset_class.base_filters.keys()):
            return queryset
        return super().filter_queryset(queryset)

    def get_pagination_ordering(self, request):
        if self.action != "list":
            return None
        return self.ordering_map.get(request.query_params.get("ordering"), self.default_ordering)

    def detail_response(self, ticket, status_code=status.HTTP_200_OK, written=False):
        """`written`: `ticket` is what a service just wrote; it is answered as is (its relations loaded as the
        detail queryset would) unless the row moved on since, e.g. a hook's side write."""
        fresh = None
        if written:
            current = Ticket.objects.filter(pk=ticket.pk).values_list("version", flat=True).first()
            if current == ticket.version:
                fresh = ticket
                prefetch_related_objects([ticket], *self.detail_relations(ticket))
        if fresh is None:
            fresh = self.detail_queryset(self.request.user).filter(pk=ticket.pk).first() or ticket
        serializer = self.detail_serializer_class(fresh, context=self.get_serializer_context())
        return Response(serializer.data, status=status_code, headers={"ETag": f'"{fresh.version}"'})

    def detail_relations(self, ticket):
        """The foreign keys of `ticket` that are set but not loaded yet."""
        return [field.name for field in ticket._meta.concrete_fields
                if field.is_relation and field.many_to_one and getattr(ticket, field.attname) is not None
                and not field.is_cached(ticket) and field.name != "ticket_ptr"]

    # --- optimistic concurrency ----------------------------------------------------------------

    def write_with_version(self, ticket, write, body_version):
        """Run write(expected_version); a stale If-Match is 412, a stale body `version` is 409."""
        versions = parse_if_match(self.request.headers.get("If-Match"))
        if versions is None:
            return write(body_version)
        if not versions:
            raise PreconditionFailed(ticket.version)
        expected = ticket.version if ticket.version in versions else versions[0]
        if body_version is not None and body_version != expected:
            if expected != ticket.version:
                raise PreconditionFailed(ticket.version)
            raise core_services.ConflictError(ticket.version)
        try:
            return write(expected)
        except core_services.ConflictError as exc:
            raise PreconditionFailed(exc.current_version)

    # --- CRUD ------------------------------------------------------------------------------------

    def list(self, request, *args, **kwargs):
        """Rows from values() (core.api.slim) when the list serializer allows it, else DRF's usual path."""
        plan = slim_plan(self.get_serializer_class(), self.list_model())
        if plan is None:
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        ordering = [name.lstrip("-") for name in self.paginator.get_ordering(request, self)]
        joined = plan.joined(queryset)
        rows = self.paginate_queryset(plan.values(queryset, joined, extra=ordering))
        return self.get_paginated_response(plan.represent(rows, joined, self.get_serializer_context()))

    def list_model(self):
        return self.get_serializer_class().Meta.model

    def retrieve(self, request, *args, **kwargs):
        return self.detail_response(self.get_object())

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("version", None)
        user = request.user
        if not permissions.is_agent(user):
            if not self.requester_create_fields:
                raise exceptions.PermissionDenied(_("Only service desk staff can record this."))
            data = {name: value for name, value in data.items() if name in self.requester_create_fields}
            data["requester"] = user
            data["channel"] = Channel.API if isinstance(request.auth, ApiToken) else Channel.PORTAL
        elif "channel" not in data and isinstance(request.auth, ApiToken):
            data["channel"] = Channel.API
        ticket = self.create_service(user, data)
        return self.detail_response(ticket, status.HTTP_201_CREATED, written=True)

    def update(self, request, *args, partial=False, **kwargs):
        ticket = self.get_object()
        if not permissions.can_edit(request.user, ticket):
            raise exceptions.PermissionDenied(_("Only service desk staff can change a ticket's fields."))
        serializer = self.get_serializer(ticket, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        body_version = data.pop("version", None)
        ticket = self.write_with_version(
            ticket, lambda expected: self.update_service(ticket, request.user, data, expected), body_version)
        return self.detail_response(ticket)

    # --- transitions -------------------------------------------------------------------------------

    @action(detail=True, methods=["post"], filter_backends=[])
    def transition(self, request, pk=None):
        ticket = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        to = data.pop("to")
        comment = data.pop("comment", "")
        internal = data.pop("internal", False)
        body_version = data.pop("version", None)
        extra = {name: data.pop(name) for name in self.transition_extra_args if name in data}

        def write(expected):
            return self.transition_service(ticket, request.user, to, data, expected, comment=comment,
                                           internal_comment=internal, **extra)

        return self.detail_response(self.write_with_version(ticket, write, body_version))

    # --- comments and work notes ------------------------------------------------------------------

    @action(detail=True, methods=["get", "post"], serializer_class=CommentSerializer, **SUB_RESOURCE)
    def comments(self, request, pk=None):
        ticket = self.get_visible_ticket()
        if request.method == "POST":
            serializer = CommentSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            comment = core_services.add_comment(ticket, request.user, serializer.validated_data["body"],
                                                internal=serializer.validated_data.get("is_internal", False))
            comment.author = request.user
            return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
        comments = Comment.objects.filter(ticket_id=ticket.pk).select_related("author")
        if not permissions.can_see_internal(request.user):
            comments = comments.filter(is_internal=False)
        page = self.paginate_queryset(comments)
        return self.get_paginated_response(CommentSerializer(page, many=True).data)

    # --- attachments --------------------------------------------------------------------------------

    @action(detail=True, methods=["get", "post"], serializer_class=AttachmentSerializer,
            parser_classes=[MultiPartParser, FormParser], **SUB_RESOURCE)
    def attachments(self, request, pk=None):
        ticket = self.get_visible_ticket()
        if request.method == "POST":
            serializer = AttachmentUploadSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            attachment = core_services.add_attachment(ticket, request.user, serializer.validated_data["file"],
                                                      internal=serializer.validated_data["internal"])
            return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)
        attachments = Attachment.objects.filter(ticket_id=ticket.pk).select_related("uploaded_by")
        if not permissions.can_see_internal(request.user):
            attachments = attachments.filter(is_internal=False)
        page = self.paginate_queryset(attachments)
        return self.get_paginated_response(AttachmentSerializer(page, many=True).data)

    # --- audit trail ----------------------------------------------------------------------------------

    @action(detail=True, methods=["get"], serializer_class=AuditEntrySerializer, **SUB_RESOURCE)
    def audit(self, request, pk=None):
        ticket = self.get_visible_ticket()
        if not permissions.can_see_internal(request.user):
            raise exceptions.PermissionDenied(_("Only service desk staff can read the audit trail."))
        entries = AuditEntry.objects.filter(ticket_id=ticket.pk).select_related("actor")
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(AuditEntrySerializer(page, many=True).data)

    # --- links ------------------------------------------------------------------------------------------

    @action(detail=True, methods=["get", "post"], serializer_class=TicketLinkSerializer, pagination_class=None,
            filter_backends=[])
    def links(self, request, pk=None):
        ticket = self.get_visible_ticket()
        context = {"ticket_id": ticket.pk, "request": request}
        if request.method == "POST":
            self._require_edit(ticket)
            serializer = TicketLinkCreateSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            target = serializer.validated_data["target"]
            if not permissions.can_view(request.user, target):
                raise exceptions.ValidationError({"target": [_("Unknown ticket.")]})
            link = core_services.add_link(ticket, request.user, target, serializer.validated_data["kind"])
            link = TicketLink.objects.select_related("source", "target").get(pk=link.pk)
            return Response(TicketLinkSerializer(link, context=context).data, status=status.HTTP_201_CREATED)
        links = TicketLink.objects.filter(Q(source_id=ticket.pk) | Q(target_id=ticket.pk)).select_related(
            "source", "target").order_by("id")
        if not permissions.is_agent(request.user):
            visible = permissions.visible_tickets(request.user, Ticket.objects.all()).values("pk")
            links = links.filter(Q(source_id=ticket.pk, target_id__in=visible) |
                                 Q(target_id=ticket.pk, source_id__in=visible))
        return Response(TicketLinkSerializer(links, many=True, context=context).data)

    @action(detail=True, methods=["delete"], url_path=r"links/(?P<link_id>[0-9]+)", url_name="link-detail",
            filter_backends=[], pagination_class=None)
    def remove_link(self, request, pk=None, link_id=None):
        ticket = self.get_visible_ticket()
        self._require_edit(ticket)
        link_id = int(link_id)
        if link_id > MAX_ID:
            raise exceptions.NotFound()
        link = get_object_or_404(TicketLink.objects.select_related("source", "target").filter(
            Q(source_id=ticket.pk) | Q(target_id=ticket.pk)), pk=link_id)
        core_services.remove_link(link, request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    # --- watching ------------------------------------------------------------------------------------

    @action(detail=True, methods=["get", "post", "delete"], serializer_class=WatchStateSerializer,
            pagination_class=None, filter_backends=[])
    def watch(self, request, pk=None):
        """Watch (POST) or stop watching (DELETE) a ticket you can see: its public replies and state changes."""
        ticket = self.get_visible_ticket()
        if request.method == "POST":
            notification_services.watch_ticket(ticket, request.user)
        elif request.method == "DELETE":
            notification_services.unwatch_ticket(ticket, request.user)
        return Response({"watching": notification_services.is_watching(request.user, ticket)})

    def _require_edit(self, ticket):
        if not permissions.can_edit(self.request.user, ticket):
            raise exceptions.PermissionDenied(_("Only service desk staff can change a ticket's links."))
