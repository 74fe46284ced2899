from django.urls import path
from rest_framework.routers import SimpleRouter

from . import bulk, directory

router = SimpleRouter()
router.register("teams", directory.TeamViewSet, basename="team")
router.register("organizations", directory.OrganizationViewSet, basename="organization")
router.register("users", directory.UserViewSet, basename="user")
router.register("tokens", directory.ApiTokenViewSet, basename="apitoken")

urlpatterns = [path("me/", directory.MeView.as_view(), name="me"),
               path("tickets/bulk/", bulk.TicketBulkView.as_view(), name="ticket-bulk"), *router.urls]
