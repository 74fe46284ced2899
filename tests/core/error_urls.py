"""The project's URLs plus views that fail on purpose, for the error page tests."""

from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.urls import path

from itsm.urls import urlpatterns as project_urlpatterns


def boom(request):
    raise RuntimeError("an unexpected failure")


def database_down(request):
    raise OperationalError("could not connect to server")


def forbidden(request):
    raise PermissionDenied


urlpatterns = [
    path("test-errors/boom/", boom),
    path("test-errors/database-down/", database_down),
    path("test-errors/forbidden/", forbidden),
    *project_urlpatterns,
]
