"""/api/v1/improvement-budgets/: what each quarter may spend on improvement, in money and person-days. Staff read;
managers write (improvement.services.save_budget). What is planned and committed against them is on the register
(/api/v1/improvements/register/)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions as drf_permissions, status, viewsets
from rest_framework.response import Response

from core.api.desk import StaffReadManagerWrite
from core.api.directory import BoundedLookupMixin
from core.api.pagination import KeysetPagination
from core.api.schema import ERRORS
from improvement import services
from improvement.models import QuarterBudget

from .serializers import QuarterBudgetSerializer


class QuarterPagination(KeysetPagination):
    page_size = 40
    ordering = ("-quarter", "-id")


@extend_schema_view(**{name: extend_schema(tags=["improvements"], responses={code: QuarterBudgetSerializer, **ERRORS})
                       for name, code in (("retrieve", 200), ("create", 201), ("update", 200),
                                          ("partial_update", 200))},
                    list=extend_schema(tags=["improvements"],
                                       responses={200: QuarterBudgetSerializer(many=True), **ERRORS}))
class QuarterBudgetViewSet(BoundedLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    permission_classes = [drf_permissions.IsAuthenticated, StaffReadManagerWrite]
    serializer_class = QuarterBudgetSerializer
    pagination_class = QuarterPagination
    filter_backends = []
    queryset = QuarterBudget.objects.all()

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        budget = services.save_budget(request.user, serializer.validated_data)
        return Response(QuarterBudgetSerializer(budget).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        budget = self.get_object()
        serializer = self.get_serializer(budget, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        budget = services.save_budget(request.user, serializer.validated_data, budget)
        return Response(QuarterBudgetSerializer(budget).data)
