from django.urls import path

from . import reports_views as views

urlpatterns = [
    path("reports/compliance/", views.compliance_report, name="report-compliance"),
    path("reports/service/<id:pk>/", views.service_report, name="report-service"),
    path("reports/service/<id:pk>/export.csv", views.service_report, {"export": True}, name="report-service-csv"),
    path("surveys/<id:pk>/", views.survey_answer, name="survey"),
    path("reviews/", views.review_list, name="review-list"),
    path("reviews/new/", views.review_edit, name="review-create"),
    path("reviews/<id:pk>/", views.review_detail, name="review-detail"),
    path("reviews/<id:pk>/edit/", views.review_edit, name="review-edit"),
]
