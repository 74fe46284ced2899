from core.api.serializers import TicketDetailMixin, TicketSerializer, transition_serializer_for
from improvement.models import Improvement
from improvement.workflow import WORKFLOW


class ImprovementSerializer(TicketSerializer):
    class Meta:
        model = Improvement
        fields = TicketSerializer.spine_fields + ("source",)
        read_only_fields = TicketSerializer.spine_read_only


class ImprovementDetailSerializer(TicketDetailMixin, ImprovementSerializer):
    class Meta(ImprovementSerializer.Meta):
        fields = ImprovementSerializer.Meta.fields + ("allowed_transitions",)


ImprovementTransitionSerializer = transition_serializer_for(Improvement, WORKFLOW)
