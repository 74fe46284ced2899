from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    path("", views.console, name="console"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("failed/<int:pk>/retry/", views.retry_event, name="retry_event"),
]
