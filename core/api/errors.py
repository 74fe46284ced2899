"""Errors as JSON with field messages: Django ValidationError and our service errors map to 4xx, never 500."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.services import ConflictError, PermissionDeniedError
from core.workflow import TransitionError

CONFLICT_MESSAGE = _("The ticket was changed by someone else; reload it and try again.")


class PreconditionFailed(exceptions.APIException):
    """A stale If-Match header: the ticket has a newer version than the one the client holds."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = CONFLICT_MESSAGE
    default_code = "precondition_failed"

    def __init__(self, current_version=None):
        super().__init__()
        self.current_version = current_version


def _conflict_response(status_code, current_version):
    body = {"detail": str(CONFLICT_MESSAGE), "current_version": current_version}
    headers = {"ETag": f'"{current_version}"'} if current_version is not None else {}
    return Response(body, status=status_code, headers=headers)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, TransitionError):
        exc = exceptions.ValidationError(exc.errors)
    elif isinstance(exc, PermissionDeniedError):
        exc = exceptions.PermissionDenied(str(exc))
    elif isinstance(exc, ConflictError):
        return _conflict_response(status.HTTP_409_CONFLICT, exc.current_version)
    elif isinstance(exc, PreconditionFailed):
        return _conflict_response(status.HTTP_412_PRECONDITION_FAILED, exc.current_version)
    elif isinstance(exc, OverflowError):
        # SQLite cannot bind integers beyond 64 bits (e.g. a huge id in a filter): that is bad input.
        exc = exceptions.ValidationError({"non_field_errors": [_("A number is out of range.")]})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)
