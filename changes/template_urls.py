from django.urls import path

from . import template_views as views

app_name = "change_templates"

urlpatterns = [
    path("", views.template_list, name="list"),
    path("new/", views.template_create, name="create"),
    path("<id:pk>/", views.template_detail, name="detail"),
    path("<id:pk>/edit/", views.template_edit, name="edit"),
    path("<id:pk>/raise/", views.raise_change, name="raise"),
    path("<id:pk>/authorise/", views.authorise, name="authorise"),
    path("<id:pk>/publish/", views.publish, name="publish"),
    path("<id:pk>/retire/", views.retire, name="retire"),
]
