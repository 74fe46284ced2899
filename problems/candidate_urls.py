from django.urls import path

from . import candidate_views

app_name = "problem_candidates"

urlpatterns = [
    path("", candidate_views.candidate_list, name="list"),
    path("run/", candidate_views.run, name="run"),
    path("<id:pk>/accept/", candidate_views.accept, name="accept"),
    path("<id:pk>/dismiss/", candidate_views.dismiss, name="dismiss"),
]
