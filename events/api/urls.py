from django.urls import path

from . import views

urlpatterns = [
    path("events/", views.EventIngestView.as_view(), name="events-ingest"),
    path("events/<slug:format_name>/", views.FormatEventIngestView.as_view(), name="events-ingest-format"),
    path("alerts/", views.AlertListView.as_view(), name="alert-list"),
    path("alerts/<id:pk>/", views.AlertDetailView.as_view(), name="alert-detail"),
]
