"""Known-error API routes (plain paths: they sit beside the incidents and problems routers without clashing)."""

from django.urls import path

from . import known_errors as views

urlpatterns = [
    path("known-errors/", views.KnownErrorListView.as_view(), name="known-error-list"),
    path("incidents/<id:pk>/apply-workaround/", views.ApplyWorkaroundView.as_view(), name="incident-apply-workaround"),
    path("problems/<id:pk>/communicate-workaround/", views.CommunicateWorkaroundView.as_view(),
         name="problem-communicate-workaround"),
    path("problems/<id:pk>/resolve-incidents/", views.ResolveIncidentsView.as_view(),
         name="problem-resolve-incidents"),
]
