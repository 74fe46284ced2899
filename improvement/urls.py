from django.urls import path

from core.ticket_views import KindViews, ticket_urls

from . import views

app_name = "improvement"
urlpatterns = ticket_urls(KindViews(
    "improvement", list=views.RegisterView, detail=views.ImprovementDetailView, action=views.ImprovementActionView,
    extra=[path("dashboard/", views.dashboard_view, name="dashboard"),
           path("budgets/", views.budgets_view, name="budgets")]))
