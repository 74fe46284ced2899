from rest_framework.routers import SimpleRouter

from .views import CategoryViewSet, IncidentViewSet

router = SimpleRouter()
router.register("incidents", IncidentViewSet, basename="incident")
router.register("categories", CategoryViewSet, basename="category")

urlpatterns = router.urls
