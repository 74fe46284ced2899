from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("ci-classes", views.CIClassViewSet, basename="ci-class")
router.register("cis", views.ConfigurationItemViewSet, basename="ci")
router.register("relationships", views.RelationshipViewSet, basename="ci-relationship")

urlpatterns = [
    path("cmdb/services/<id:pk>/cis/", views.ServiceCIsView.as_view(), name="cmdb-service-cis"),
    *router.urls,
]
