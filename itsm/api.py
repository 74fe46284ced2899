"""Assembles /api/v1/ from the URLconf modules each app declares (`api_urls` on its AppConfig, core/registry.py)."""

from django.urls import include, path

from core import registry

urlpatterns = [path("", include(module)) for module in registry.api_url_modules()]
