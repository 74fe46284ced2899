from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    path("", views.console, name="console"),
    path("alerts/<id:pk>/", views.alert_detail, name="alert_detail"),
    path("failed/<id:pk>/retry/", views.retry_event, name="retry_event"),
]
