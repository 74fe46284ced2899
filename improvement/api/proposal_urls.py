from rest_framework.routers import SimpleRouter

from .proposals import ProposalViewSet

router = SimpleRouter()
router.register("improvement-proposals", ProposalViewSet, basename="improvement-proposal")

urlpatterns = router.urls
