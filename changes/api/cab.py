"""/api/v1/cab-meetings/: CAB meetings (staff read; managers and change authorities create), the agenda in the
detail, and POST {id}/decide/ {change, decision, notes} recording the board's decision on a change."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions as drf_permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from changes import cab
from changes.models import AgendaItem, CabMeeting, ChangeAdvisoryBoard, RiskLevel
from core.api.directory import BoundedLookupMixin, StaffOnly
from core.api.pagination import KeysetPagination
from core.api.schema import ERRORS
from core.api.serializers import SafePrimaryKeyRelatedField, UserNameField


class MeetingPagination(KeysetPagination):
    page_size = 50
    ordering = ("-starts_at", "-id")


class CabMeetingSerializer(serializers.ModelSerializer):
    board = SafePrimaryKeyRelatedField(queryset=ChangeAdvisoryBoard.objects.all())
    board_name = serializers.CharField(source="board.name", read_only=True)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    agenda_size = serializers.IntegerField(source="item_count", read_only=True, default=0)
    state = serializers.CharField(read_only=True, help_text="planned | held")

    class Meta:
        model = CabMeeting
        fields = ("id", "board", "board_name", "title", "starts_at", "ends_at", "location", "state", "minutes",
                  "agenda_size", "created_at")
        read_only_fields = ("id", "board_name", "state", "minutes", "agenda_size", "created_at")


class AgendaItemSerializer(serializers.ModelSerializer):
    change_number = serializers.CharField(source="change.number", read_only=True)
    change_title = serializers.CharField(source="change.title", read_only=True)
    risk = serializers.SerializerMethodField()
    planned_start = serializers.DateTimeField(source="change.planned_start", read_only=True)
    planned_end = serializers.DateTimeField(source="change.planned_end", read_only=True)
    conflicts = serializers.ListField(child=serializers.DictField(), read_only=True)
    decided_by = UserNameField(allow_null=True)
    decision = serializers.CharField(read_only=True,
                                     help_text="'' (not yet discussed) | approved | rejected | deferred")

    class Meta:
        model = AgendaItem
        fields = ("id", "order", "change", "change_number", "change_title", "risk", "planned_start", "planned_end",
                  "conflicts", "decision", "notes", "decided_by", "decided_at")

    def get_risk(self, item) -> dict:
        level = item.change.risk_level
        return {"level": RiskLevel(level).name.lower() if level else None, "score": item.change.risk_score}


class CabMeetingDetailSerializer(CabMeetingSerializer):
    agenda = serializers.SerializerMethodField()

    class Meta(CabMeetingSerializer.Meta):
        fields = CabMeetingSerializer.Meta.fields + ("agenda",)

    def get_agenda(self, meeting) -> list:
        return AgendaItemSerializer(cab.agenda(meeting), many=True).data


class CabDecisionSerializer(serializers.Serializer):
    change = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    decision = serializers.ChoiceField(choices=[c for c in AgendaItem.Decision.choices if c[0]])
    notes = serializers.CharField(required=False, allow_blank=True, default="",
                                  help_text=_("The reason, required for a rejection."))


class CabMeetingViewSet(BoundedLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        mixins.CreateModelMixin, viewsets.GenericViewSet):
    permission_classes = [drf_permissions.IsAuthenticated, StaffOnly]
    pagination_class = MeetingPagination
    filter_backends = []
    queryset = CabMeeting.objects.none()

    def get_queryset(self):
        return cab.meetings()

    def get_serializer_class(self):
        return CabMeetingDetailSerializer if self.action == "retrieve" else CabMeetingSerializer

    @extend_schema(tags=["changes"], responses={201: CabMeetingSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        meeting = cab.create_meeting(self.request.user, serializer.validated_data)
        serializer.instance = cab.meetings().get(pk=meeting.pk)

    @extend_schema(tags=["changes"], request=CabDecisionSerializer, responses={200: AgendaItemSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        meeting = self.get_object()
        data = CabDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = cab.decide(meeting, request.user, data.validated_data["change"], data.validated_data["decision"],
                          data.validated_data["notes"])
        item = AgendaItem.objects.select_related("change", "decided_by").get(pk=item.pk)
        item.conflicts = []
        return Response(AgendaItemSerializer(item).data)
