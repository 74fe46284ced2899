from django.urls import path

from . import views

app_name = "knowledge"
urlpatterns = [
    path("", views.article_list, name="list"),
    path("new/", views.article_create, name="create"),
    path("suggest/", views.portal_suggest, name="portal-suggest"),
    path("<id:pk>/", views.article_detail, name="detail"),
    path("<id:pk>/edit/", views.article_edit, name="edit"),
    path("<id:pk>/versions/<id:version>/", views.article_version, name="version"),
    path("<id:pk>/state/<str:action>/", views.article_state, name="state"),
    path("<id:pk>/helped/<id:ticket_pk>/", views.link_helped, name="helped"),
]
