"""Assembles /api/v1/ from each app's api/urls.py."""

from django.urls import include, path

APPS_WITH_API = ["core", "incidents", "slm", "cmdb", "events", "servicerequests", "problems", "changes",
                 "improvement"]

urlpatterns = []
for _app in APPS_WITH_API:
    try:
        __import__(f"{_app}.api.urls")
    except ModuleNotFoundError as exc:
        if exc.name not in (f"{_app}.api", f"{_app}.api.urls"):
            raise
        continue
    urlpatterns.append(path("", include(f"{_app}.api.urls")))
urlpatterns.append(path("", include("slm.api.reports_urls")))  # slm reports, surveys, reviews
