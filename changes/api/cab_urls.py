from rest_framework.routers import SimpleRouter

from .cab import CabMeetingViewSet

router = SimpleRouter()
router.register("cab-meetings", CabMeetingViewSet, basename="cab-meeting")

urlpatterns = router.urls
