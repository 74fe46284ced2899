from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.models import Organization, Team
from slm.models import Service

from .. import services
from ..models import CIClass, ConfigurationItem, Relationship


class CIClassSerializer(serializers.ModelSerializer):
    class Meta:
        model = CIClass
        fields = ["id", "name", "label", "description", "attribute_schema"]

    def create(self, validated_data):
        return services.save_class(self.context["request"].user, validated_data)

    def update(self, instance, validated_data):
        return services.save_class(self.context["request"].user, validated_data, ci_class=instance)


class ConfigurationItemSerializer(serializers.ModelSerializer):
    ci_class = serializers.SlugRelatedField(slug_field="name", queryset=CIClass.objects.all(),
                                            label=_("class"))
    class_label = serializers.CharField(source="ci_class.label", read_only=True)
    service = serializers.PrimaryKeyRelatedField(queryset=Service.objects.all(), allow_null=True, required=False)
    service_name = serializers.CharField(source="service.name", read_only=True, default=None)
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), allow_null=True,
                                                      required=False)
    owner_team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), allow_null=True, required=False)
    external_id = serializers.CharField(allow_null=True, allow_blank=True, required=False, max_length=200)
    attributes = serializers.JSONField(required=False)

    class Meta:
        model = ConfigurationItem
        fields = ["id", "name", "ci_class", "class_label", "status", "environment", "attributes", "service",
                  "service_name", "organization", "owner_team", "location", "external_id", "description",
                  "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
        validators = []  # uniqueness is checked by the service, which answers with field messages

    def create(self, validated_data):
        return services.create_ci(self.context["request"].user, validated_data)

    def update(self, instance, validated_data):
        return services.update_ci(instance, self.context["request"].user, validated_data)


class CIPickSerializer(serializers.ModelSerializer):
    """What the incident form's CI picker shows."""

    ci_class = serializers.CharField(source="ci_class.name", read_only=True, default=None)
    class_label = serializers.CharField(source="ci_class.label", read_only=True, default=None)
    service_name = serializers.CharField(source="service.name", read_only=True, default=None)

    class Meta:
        model = ConfigurationItem
        fields = ["id", "name", "ci_class", "class_label", "service", "service_name"]


class RelationshipSerializer(serializers.ModelSerializer):
    source_name = serializers.CharField(source="source.name", read_only=True)
    target_name = serializers.CharField(source="target.name", read_only=True)

    class Meta:
        model = Relationship
        fields = ["id", "source", "source_name", "kind", "target", "target_name", "created_at"]
        read_only_fields = ["created_at"]
        validators = []  # self-loops and duplicates are refused by the service with field messages

    def create(self, validated_data):
        return services.add_relationship(self.context["request"].user, validated_data["source"],
                                         validated_data["target"], validated_data["kind"])

    def update(self, instance, validated_data):
        raise serializers.ValidationError({"non_field_errors": [_("Relationships cannot be changed; delete "
                                                                   "it and add another.")]})
