from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.serializers import SafePrimaryKeyRelatedField
from core.converters import ASCII_DIGITS
from core.models import Organization, Team
from servicerequests.models import CatalogItem
from slm.models import Service

from .. import config_services, outcomes
from ..models import InboundMessage, Mailbox, OrganizationDomain


class PortField(serializers.IntegerField):
    """ASCII digits only: int() also reads '١٤٣'."""

    def to_internal_value(self, data):
        if isinstance(data, str) and not ASCII_DIGITS.fullmatch(data.strip()):
            self.fail("invalid")
        return super().to_internal_value(data)


class MailboxSerializer(serializers.ModelSerializer):
    password = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=255,
                                     trim_whitespace=False, style={"input_type": "password"},
                                     help_text=_("Write-only. Empty or left out: the stored password is kept."))
    has_password = serializers.SerializerMethodField()
    port = PortField(required=False, allow_null=True, min_value=1, max_value=config_services.MAX_PORT)
    catalog_item = SafePrimaryKeyRelatedField(queryset=CatalogItem.objects.all(), allow_null=True, required=False)
    team = SafePrimaryKeyRelatedField(queryset=Team.objects.all(), allow_null=True, required=False)
    service = SafePrimaryKeyRelatedField(queryset=Service.objects.all(), allow_null=True, required=False)
    organization = SafePrimaryKeyRelatedField(queryset=Organization.objects.all(), allow_null=True, required=False)
    senders_per_hour = serializers.IntegerField(required=False, min_value=1,
                                                max_value=config_services.MAX_SENDERS_PER_HOUR)

    class Meta:
        model = Mailbox
        fields = ("id", *config_services.MAILBOX_FIELDS, "password", "has_password", "from_settings",
                  "last_polled_at", "last_error", "created_at")
        read_only_fields = ("id", "has_password", "from_settings", "last_polled_at", "last_error", "created_at")
        extra_kwargs = {"name": {"validators": []}}  # uniqueness is the service's, with the same message

    def get_has_password(self, obj) -> bool:
        return bool(obj.password)


class DomainSerializer(serializers.ModelSerializer):
    organization = SafePrimaryKeyRelatedField(queryset=Organization.objects.all())
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = OrganizationDomain
        fields = ("id", "domain", "organization", "organization_name")
        read_only_fields = ("id", "organization_name")
        extra_kwargs = {"domain": {"validators": [], "help_text": _("Lower-cased; an internationalised name is "
                                                                    "stored in its ASCII form.")}}

    def validate_domain(self, value):
        try:
            return config_services.normalize_domain(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict["domain"]) from None


class InboundMessageSerializer(serializers.ModelSerializer):
    mailbox_name = serializers.CharField(source="mailbox.name", read_only=True, allow_null=True, default=None)
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)
    ticket_number = serializers.CharField(source="ticket.number", read_only=True, allow_null=True, default=None)
    held = serializers.SerializerMethodField()
    has_raw = serializers.BooleanField(read_only=True)
    has_html = serializers.BooleanField(read_only=True)

    class Meta:
        model = InboundMessage
        fields = ("id", "key", "mailbox", "mailbox_name", "message_id", "sender", "subject", "received_at",
                  "outcome", "outcome_label", "held", "detail", "ticket", "ticket_number", "size", "handled_by",
                  "has_raw", "has_html")
        read_only_fields = fields

    def get_held(self, obj) -> bool:
        return outcomes.is_held(obj)


class InboundMessageResultSerializer(InboundMessageSerializer):
    """A retried or discarded message, with what became of it in a sentence."""

    result = serializers.SerializerMethodField()

    class Meta(InboundMessageSerializer.Meta):
        fields = (*InboundMessageSerializer.Meta.fields, "result")
        read_only_fields = fields

    def get_result(self, obj) -> str:
        return outcomes.describe_result(obj)[1]
