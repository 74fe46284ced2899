from django.urls import path

from . import release_views as views

app_name = "releases"

urlpatterns = [
    path("", views.release_list, name="list"),
    path("new/", views.release_create, name="create"),
    path("<id:pk>/", views.release_detail, name="detail"),
    path("<id:pk>/edit/", views.release_edit, name="edit"),
    path("<id:pk>/deploy/", views.deploy, name="deploy"),
]
