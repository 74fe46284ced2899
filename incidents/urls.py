from django.urls import path

from core.ticket_views import KindViews, ticket_urls

from . import views

app_name = "incidents"
urlpatterns = ticket_urls(KindViews("incident", detail=views.IncidentDetailView, action=views.IncidentActionView,
                                    extra=[path("report/", views.report, name="report")]))
