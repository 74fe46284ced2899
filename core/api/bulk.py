"""POST /api/v1/tickets/bulk/: one action on many tickets of any kind (core.bulk), the result per ticket."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core import bulk, permissions

from .schema import ERRORS
from .serializers import MAX_ID


class BulkRequestSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1,
                                max_length=bulk.MAX_TICKETS, help_text=_("core ticket ids (any kind)."))
    action = serializers.ChoiceField(choices=list(bulk.ACTIONS))
    team = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID,
                                    help_text=_("assign: the team."))
    assignee = serializers.CharField(required=False, allow_blank=True, max_length=20,
                                     help_text=_("assign: a user id or “me”."))
    to = serializers.CharField(required=False, allow_blank=True, max_length=30,
                               help_text=_("transition: the state to move to."))
    fields = serializers.DictField(child=serializers.CharField(allow_blank=True, max_length=5000), required=False,
                                   help_text=_("transition: the fields it requires, e.g. resolution_code."))
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    body = serializers.CharField(required=False, allow_blank=True, max_length=5000,
                                 help_text=_("note: the work note."))


class RefusedSerializer(serializers.Serializer):
    number = serializers.CharField()
    reason = serializers.CharField()


class BulkResultSerializer(serializers.Serializer):
    done = serializers.ListField(child=serializers.CharField())
    refused = RefusedSerializer(many=True)


class TicketBulkView(APIView):
    """Apply an action to each ticket through the normal services; refused tickets are listed with reasons."""

    @extend_schema(tags=["tickets"], request=BulkRequestSerializer, responses={200: BulkResultSerializer, **ERRORS},
                   summary=_("Bulk assign, transition or note"))
    def post(self, request):
        if not permissions.is_agent(request.user):
            raise exceptions.PermissionDenied(_("Only service desk staff can change tickets in bulk."))
        serializer = BulkRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        result = bulk.bulk_apply(request.user, data.pop("ids"), data.pop("action"), data)
        return Response(BulkResultSerializer(result).data)
