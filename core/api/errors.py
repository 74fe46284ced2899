"""Errors as JSON with field messages: Django ValidationError and our service errors map to 4xx, never 500."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.services import ConflictError, PermissionDeniedError
from core.workflow import TransitionError


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The ticket was changed by someone else; reload it and try again."
    default_code = "precondition_failed"


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, TransitionError):
        exc = exceptions.ValidationError(exc.errors)
    elif isinstance(exc, PermissionDeniedError):
        exc = exceptions.PermissionDenied(str(exc))
    elif isinstance(exc, ConflictError):
        return Response({"detail": "The ticket was changed by someone else; reload it and try again.",
                         "current_version": exc.current_version}, status=status.HTTP_409_CONFLICT,
                        headers={"ETag": f'"{exc.current_version}"'})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)
