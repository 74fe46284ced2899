from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import TicketDetailMixin, TicketSerializer, UserNameField, transition_serializer_for
from core.converters import parse_id
from incidents.models import Incident
from problems.models import FIVE_WHYS, ISHIKAWA, Problem, ResolutionCode
from problems.workflow import WORKFLOW

PROBLEM_FIELDS = ("origin", "category", "category_name", "incidents", "affected_services", "affected_cis", "root_cause", "workaround", "known_error",
                  "known_error_at", "review_date", "technique", *FIVE_WHYS, *ISHIKAWA, "resolution_code",
                  "resolution_notes")
PROBLEM_READ_ONLY = ("known_error_at", "resolution_code", "resolution_notes")


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class IncidentIdsField(serializers.Field):
    """The ids of the incidents linked to the problem (TicketLink "caused by"); writing sets exactly that list."""

    default_error_messages = {
        "not_a_list": "Expected a list of incident ids.",
        "unknown": "Unknown incidents: {ids}.",
    }

    def get_attribute(self, instance):
        return instance

    def to_representation(self, problem):
        links = getattr(problem, "incident_links", None)
        if links is None:
            from problems.services import linked_incidents

            return sorted(linked_incidents(problem).values_list("pk", flat=True))
        return sorted(link.source_id for link in links)

    def to_internal_value(self, data):
        if not isinstance(data, list) or len(data) > 1000:
            raise serializers.ValidationError(_("Expected a list of at most 1000 incident ids."))
        ids = [parse_id(value) if not isinstance(value, bool) else None for value in data]
        if None in ids:
            raise serializers.ValidationError(_("Incident ids are whole numbers."))
        incidents = list(Incident.objects.filter(pk__in=ids, kind=Incident.TICKET_KIND))
        missing = sorted(set(ids) - {incident.pk for incident in incidents})
        if missing:
            raise serializers.ValidationError(_("Unknown incidents: %(ids)s.") % {
                "ids": ", ".join(str(pk) for pk in missing)})
        return incidents


class ProblemSerializer(TicketSerializer):
    category_name = serializers.CharField(source="category.name", read_only=True, allow_null=True)
    incidents = IncidentIdsField(required=False, help_text="Ids of the linked incidents (writable).")
    resolution_code = serializers.ChoiceField(choices=ResolutionCode.choices, read_only=True, allow_blank=True)

    class Meta:
        model = Problem
        fields = TicketSerializer.spine_fields + PROBLEM_FIELDS
        read_only_fields = TicketSerializer.spine_read_only + PROBLEM_READ_ONLY


class ProblemDetailSerializer(TicketDetailMixin, ProblemSerializer):
    created_by_name = UserNameField(source="created_by", allow_null=True)

    class Meta(ProblemSerializer.Meta):
        fields = ProblemSerializer.Meta.fields + ("created_by_name", "allowed_transitions")


ProblemTransitionSerializer = transition_serializer_for(Problem, WORKFLOW)
