from django.urls import path

from . import workaround_views

app_name = "workarounds"
urlpatterns = [
    path("incidents/<id:pk>/apply/", workaround_views.apply, name="apply"),
    path("suggest/", workaround_views.suggest, name="suggest"),
]
