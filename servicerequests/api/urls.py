from rest_framework.routers import SimpleRouter

from .views import RequestViewSet, TaskViewSet

router = SimpleRouter()
router.register("requests", RequestViewSet, basename="request")
router.register("tasks", TaskViewSet, basename="task")

urlpatterns = router.urls
