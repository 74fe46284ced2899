from django.urls import path

from . import risk_views

app_name = "change_risk"
urlpatterns = [path("<id:pk>/risk/", risk_views.answer, name="answer")]
