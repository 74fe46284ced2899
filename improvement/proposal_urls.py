from django.urls import path

from . import proposal_views

app_name = "improvement_proposals"

urlpatterns = [
    path("", proposal_views.proposal_list, name="list"),
    path("run/", proposal_views.run, name="run"),
    path("<id:pk>/accept/", proposal_views.accept, name="accept"),
    path("<id:pk>/dismiss/", proposal_views.dismiss, name="dismiss"),
    path("from-problem/<id:pk>/", proposal_views.from_problem, name="from-problem"),
    path("from-review-action/<id:pk>/", proposal_views.from_review_action, name="from-review-action"),
]
