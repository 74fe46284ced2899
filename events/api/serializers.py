from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import Alert


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class IncidentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)
    state = serializers.CharField(read_only=True)


class AlertSerializer(serializers.ModelSerializer):
    configuration_item = RefSerializer(read_only=True, label=_("configuration item"))
    service = RefSerializer(read_only=True, label=_("service"))
    incident = IncidentRefSerializer(read_only=True, label=_("incident"))
    check = serializers.CharField(source="check_name", read_only=True, label=_("check"))

    class Meta:
        model = Alert
        fields = ["id", "fingerprint", "source", "node", "check", "severity", "message", "labels", "state", "count",
                  "first_seen", "last_seen", "closed_at", "configuration_item", "service", "incident"]
        read_only_fields = fields


class AcceptedSerializer(serializers.Serializer):
    """The 202 answer: the stored event ids, in request order."""

    accepted = serializers.IntegerField(help_text=_("Events stored by this request."))
    duplicates = serializers.IntegerField(help_text=_("Events already stored under their idempotency key."))
    ids = serializers.ListField(child=serializers.IntegerField())
