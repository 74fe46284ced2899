from rest_framework.routers import SimpleRouter

from .candidates import CandidateViewSet

router = SimpleRouter()
router.register("problem-candidates", CandidateViewSet, basename="problem-candidate")

urlpatterns = router.urls
