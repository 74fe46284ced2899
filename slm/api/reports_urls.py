from django.urls import path
from rest_framework.routers import SimpleRouter

from . import reports as views

router = SimpleRouter()
router.register("surveys", views.SurveyViewSet, basename="survey")
router.register("service-reviews", views.ServiceReviewViewSet, basename="service-review")

urlpatterns = [
    path("reports/compliance/", views.ComplianceReportView.as_view(), name="report-compliance"),
    path("reports/breaches/", views.BreachListView.as_view(), name="report-breaches"),
    path("reports/availability/", views.AvailabilityReportView.as_view(), name="report-availability"),
    path("reports/satisfaction/", views.SatisfactionReportView.as_view(), name="report-satisfaction"),
    path("reports/service/<id:pk>/", views.ServiceReportView.as_view(), name="report-service"),
    *router.urls,
]
