from rest_framework.routers import SimpleRouter

from .views import ImprovementViewSet

router = SimpleRouter()
router.register("improvements", ImprovementViewSet, basename="improvement")

urlpatterns = router.urls
