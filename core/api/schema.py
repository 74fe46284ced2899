"""OpenAPI annotations of the ticket API, applied to each practice's viewset from its declared serializers."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view

from .serializers import (AttachmentSerializer, AttachmentUploadSerializer, AuditEntrySerializer,
                          CommentSerializer, ConflictSerializer, ErrorSerializer, TicketLinkCreateSerializer,
                          TicketLinkSerializer, WatchStateSerializer)

IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=False,
    description=_("The ETag of the version you edited, e.g. \"3\"; a stale one is refused with 412."))

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description=_("Bad input: field name -> messages.")),
    401: OpenApiResponse(ErrorSerializer, description=_("Not authenticated.")),
    403: OpenApiResponse(ErrorSerializer, description=_("Not allowed.")),
    404: OpenApiResponse(ErrorSerializer, description=_("Not found, or not visible to you.")),
}
CONFLICTS = {
    409: OpenApiResponse(ConflictSerializer, description=_("The body's version is stale.")),
    412: OpenApiResponse(ConflictSerializer, description=_("The If-Match version is stale.")),
}


def ticket_viewset_schema(cls):
    """Describe every operation of a TicketViewSet subclass (called from __init_subclass__)."""
    detail, transition, tag = cls.detail_serializer_class, cls.transition_serializer_class, cls.schema_tag
    writes = {200: detail, **ERRORS, **CONFLICTS}
    extend_schema_view(
        list=extend_schema(tags=[tag], responses={200: cls.serializer_class(many=True), **ERRORS}),
        retrieve=extend_schema(tags=[tag], responses={200: detail, **ERRORS}),
        create=extend_schema(tags=[tag], responses={201: detail, **ERRORS}),
        update=extend_schema(tags=[tag], parameters=[IF_MATCH], responses=writes),
        partial_update=extend_schema(tags=[tag], parameters=[IF_MATCH], responses=writes),
        transition=extend_schema(tags=[tag], parameters=[IF_MATCH], request=transition, responses=writes,
                                 summary=_("Change the state")),
        comments=[
            extend_schema(tags=[tag], methods=["GET"], responses={200: CommentSerializer(many=True), **ERRORS},
                          summary=_("Comments and work notes")),
            extend_schema(tags=[tag], methods=["POST"], request=CommentSerializer,
                          responses={201: CommentSerializer, **ERRORS}, summary=_("Add a comment or work note")),
        ],
        attachments=[
            extend_schema(tags=[tag], methods=["GET"], responses={200: AttachmentSerializer(many=True), **ERRORS},
                          summary=_("Attachments")),
            extend_schema(tags=[tag], methods=["POST"], request={"multipart/form-data": AttachmentUploadSerializer},
                          responses={201: AttachmentSerializer, **ERRORS}, summary=_("Attach a file")),
        ],
        audit=extend_schema(tags=[tag], responses={200: AuditEntrySerializer(many=True), **ERRORS},
                            summary=_("Audit trail")),
        links=[
            extend_schema(tags=[tag], methods=["GET"], responses={200: TicketLinkSerializer(many=True), **ERRORS},
                          summary=_("Linked tickets")),
            extend_schema(tags=[tag], methods=["POST"], request=TicketLinkCreateSerializer,
                          responses={201: TicketLinkSerializer, **ERRORS}, summary=_("Link a ticket")),
        ],
        remove_link=extend_schema(tags=[tag], request=None, responses={204: None, **ERRORS},
                                  parameters=[OpenApiParameter("link_id", int, OpenApiParameter.PATH)],
                                  summary=_("Remove a link")),
        watch=[
            extend_schema(tags=[tag], methods=["GET"], responses={200: WatchStateSerializer, **ERRORS},
                          summary=_("Whether you watch the ticket")),
            extend_schema(tags=[tag], methods=["POST"], request=None, responses={200: WatchStateSerializer, **ERRORS},
                          summary=_("Watch the ticket (public replies and state changes)")),
            extend_schema(tags=[tag], methods=["DELETE"], request=None,
                          responses={200: WatchStateSerializer, **ERRORS}, summary=_("Stop watching the ticket")),
        ],
    )(cls)
    return cls
