from django.urls import path
from rest_framework.routers import SimpleRouter

from .schedule import BlackoutWindowViewSet, ChangeScheduleView

router = SimpleRouter()
router.register("blackout-windows", BlackoutWindowViewSet, basename="blackoutwindow")

urlpatterns = [path("change-schedule/", ChangeScheduleView.as_view(), name="change-schedule"), *router.urls]
