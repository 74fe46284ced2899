from django.urls import include, path

from . import views

app_name = "slm"
urlpatterns = [
    path("services/", views.service_list, name="service-list"),
    path("services/<id:pk>/", views.service_detail, name="service-detail"),
    path("agreements/", views.agreement_list, name="agreement-list"),
    path("agreements/<id:pk>/", views.agreement_detail, name="agreement-detail"),
]
urlpatterns += [path("", include("slm.reports_urls"))]  # reports, surveys, service reviews
