"""Services raise plain exceptions; the API answers them per the public conventions, here once.

A service's `ValidationError({field: [...]})` becomes a 400 with those field errors, its
`PermissionDenied` a 403; the portal's domain errors (portal.exceptions): an illegal state
transition (`StateConflict`) a 409, a spent budget (`RateLimited`) a 429 with Retry-After,
any other `ApplicationError` a 400. A domain error's message is the body's `detail`, its
`extra` fields sit next to it. A Django `Http404` (get_object_or_404: "No Product matches the
given query.", in English whatever the request's language) answers DRF's "Not found.", which
comes in the asked language. Anything else is DRF's default handling.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from portal.exceptions import ApplicationError, RateLimited, StateConflict


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This action is not possible in the object's current state."
    default_code = "conflict"


class Refused(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "This request cannot be carried out."
    default_code = "refused"


def _field_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    return {"non_field_errors": error.messages}


def exception_handler(exc, context):
    extra = {}
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_field_errors(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, RateLimited):
        exc = exceptions.Throttled(wait=exc.wait)
    elif isinstance(exc, ApplicationError):
        extra = exc.extra
        exc = (Conflict if isinstance(exc, StateConflict) else Refused)(exc.message)
    response = drf_exception_handler(exc, context)
    if response is not None and extra:
        response.data.update(extra)
    return response
