from django.urls import path

from . import cab_views

app_name = "cab"
urlpatterns = [
    path("", cab_views.meeting_list, name="list"),
    path("<id:pk>/", cab_views.meeting_detail, name="detail"),
    path("<id:pk>/agenda/", cab_views.build_agenda, name="build"),
    path("<id:pk>/minutes/", cab_views.save_minutes, name="minutes"),
    path("<id:pk>/items/<id:item_pk>/decide/", cab_views.decide, name="decide"),
]
