"""Services raise Django's exceptions; the API answers them per the public conventions.

A service's `ValidationError({field: [...]})` becomes a 400 with those field
errors, its `PermissionDenied` a 403, and an illegal state transition (a
`Conflict`) a 409, a spent budget (`RateLimited`) a 429 with Retry-After. Anything else is DRF's default handling.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from portal.ratelimits import RateLimited


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This action is not possible in the object's current state."
    default_code = "conflict"


def _field_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    return {"non_field_errors": error.messages}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_field_errors(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, RateLimited):
        exc = exceptions.Throttled(wait=exc.wait)
    return drf_exception_handler(exc, context)
