"""Who did each write: django-auditlog records the registered models' changes (each app
registers its own in `AppConfig.ready()`), with the actor (docs/design.md "Trust and media": every
write records who did it). Staff read the log in the admin.

The actor comes from the request (`AuditActorMiddleware`: the signed-in user, including one
signed in by an API token, which DRF sets on the request only inside the view) or, in a service
called outside a request (a task, a command), from the service's `actor` (`acting_as`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from functools import wraps

from auditlog.context import auditlog_value, set_actor
from auditlog.middleware import AuditlogMiddleware
from django.utils.functional import SimpleLazyObject

# Fields never worth a log line: timestamps the row keeps itself and text the portal derives
# (search indexes), which change with every save and would drown what a person changed.
NOT_LOGGED = ["created_at", "updated_at", "search_text", "search_vector", "search_document"]


class AuditActorMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware, reading the request's user when a change is logged rather
    than when the request starts: an API request's user (token authentication) is known only
    once the view has authenticated it."""

    @staticmethod
    def _get_actor(request):
        def current_user():
            user = getattr(request, "user", None)
            return user if user is not None and user.is_authenticated else None

        return SimpleLazyObject(current_user)


@contextlib.contextmanager
def acting_as(actor):
    """Log the writes inside the block as `actor`'s (a user, or None for the system), then give
    back whatever actor the surrounding request or block had."""
    previous = auditlog_value.get(None)
    actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    try:
        with set_actor(actor):
            yield
    finally:
        if previous is not None:
            auditlog_value.set(previous)


def records_actor(service: Callable) -> Callable:
    """A service whose writes are logged as its keyword argument `actor`'s."""

    @wraps(service)
    def wrapped(*args, **kwargs):
        with acting_as(kwargs.get("actor")):
            return service(*args, **kwargs)

    return wrapped
