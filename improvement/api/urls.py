from rest_framework.routers import SimpleRouter

from .budgets import QuarterBudgetViewSet
from .views import ImprovementViewSet

router = SimpleRouter()
router.register("improvements", ImprovementViewSet, basename="improvement")
router.register("improvement-budgets", QuarterBudgetViewSet, basename="improvement-budget")

urlpatterns = router.urls
