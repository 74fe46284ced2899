from django.urls import path

from . import views

app_name = "cmdb"
urlpatterns = [
    path("cis/", views.ci_list, name="ci_list"),
    path("cis/new/", views.ci_create, name="ci_create"),
    path("cis/<id:pk>/", views.ci_detail, name="ci_detail"),
    path("cis/<id:pk>/edit/", views.ci_edit, name="ci_edit"),
    path("cis/<id:pk>/relationships/", views.relationship_add, name="relationship_add"),
    path("cis/<id:pk>/relationships/<id:rel_pk>/remove/", views.relationship_remove, name="relationship_remove"),
]
