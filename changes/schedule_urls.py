from django.urls import path

from . import schedule_views

app_name = "change_schedule"
urlpatterns = [path("", schedule_views.calendar, name="calendar")]
