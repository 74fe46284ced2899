from django.urls import path

from core.ticket_views import KindViews, ticket_urls

from . import views

app_name = "changes"
urlpatterns = ticket_urls(KindViews(
    "change", create=views.ChangeCreateView, detail=views.ChangeDetailView, action=views.ChangeActionView,
    extra=[path("caused-by/<id:pk>/", views.caused_by_view, name="caused_by")]))
