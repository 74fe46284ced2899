from rest_framework.routers import SimpleRouter

from .calendars import CalendarViewSet
from .catalogue import AgreementViewSet, EscalationRuleViewSet, ServiceViewSet, TargetViewSet
from .timers import TimerViewSet

router = SimpleRouter()
router.register("calendars", CalendarViewSet, basename="calendar")
router.register("services", ServiceViewSet, basename="service")
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("service-level-targets", TargetViewSet, basename="service-level-target")
router.register("escalation-rules", EscalationRuleViewSet, basename="escalation-rule")
router.register("sla-timers", TimerViewSet, basename="sla-timer")

urlpatterns = router.urls
