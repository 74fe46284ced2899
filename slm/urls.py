from django.urls import include, path  # noqa: F401

app_name = "slm"
urlpatterns = []
urlpatterns += [path("", include("slm.reports_urls"))]  # reports, surveys, service reviews
