from django.urls import path

from . import portal_views as views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("catalog/", views.catalog, name="catalog"),
    path("catalog/<id:pk>/", views.order, name="order"),
    path("tickets/", views.tickets, name="tickets"),
]
