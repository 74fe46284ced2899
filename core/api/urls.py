from django.urls import path
from rest_framework.routers import SimpleRouter

from . import approvals, bulk, desk, directory, notifications, search

router = SimpleRouter()
router.register("teams", directory.TeamViewSet, basename="team")
router.register("organizations", directory.OrganizationViewSet, basename="organization")
router.register("users", directory.UserViewSet, basename="user")
router.register("tokens", directory.ApiTokenViewSet, basename="apitoken")
router.register("notifications", notifications.NotificationViewSet, basename="notification")
router.register("assignment-rules", desk.AssignmentRuleViewSet, basename="assignmentrule")
router.register("canned-responses", desk.CannedResponseViewSet, basename="cannedresponse")
router.register("approvals", approvals.ApprovalViewSet, basename="approval")
router.register("approval-delegations", approvals.ApprovalDelegationViewSet, basename="approvaldelegation")

urlpatterns = [
    path("me/", directory.MeView.as_view(), name="me"),
    path("me/notification-preferences/", notifications.NotificationPreferencesView.as_view(),
         name="notification-preferences"),
    path("search/", search.SearchView.as_view(), name="api-search"),
    path("tickets/bulk/", bulk.TicketBulkView.as_view(), name="ticket-bulk"),
    *router.urls,
]
