"""/api/v1/catalog-items/ and /api/v1/catalog-categories/."""

from rest_framework.routers import SimpleRouter

from .catalog import CatalogCategoryViewSet, CatalogItemViewSet

router = SimpleRouter()
router.register("catalog-items", CatalogItemViewSet, basename="catalogitem")
router.register("catalog-categories", CatalogCategoryViewSet, basename="catalogcategory")

urlpatterns = router.urls
