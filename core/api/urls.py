from django.urls import path
from rest_framework.routers import SimpleRouter

from . import desk, directory

router = SimpleRouter()
router.register("teams", directory.TeamViewSet, basename="team")
router.register("organizations", directory.OrganizationViewSet, basename="organization")
router.register("users", directory.UserViewSet, basename="user")
router.register("tokens", directory.ApiTokenViewSet, basename="apitoken")
router.register("assignment-rules", desk.AssignmentRuleViewSet, basename="assignmentrule")
router.register("canned-responses", desk.CannedResponseViewSet, basename="cannedresponse")

urlpatterns = [path("me/", directory.MeView.as_view(), name="me"), *router.urls]
