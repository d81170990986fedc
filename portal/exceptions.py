"""Domain errors: plain exceptions that services raise, mapped to HTTP once at the edge.

A service says what went wrong in the portal's terms; the API's exception handler
(portal.api.exceptions) answers each with its status and JSON body, and a page shows the
message. Services, selectors and policies never import DRF (HackSoft's styleguide,
`styleguide_example/core/exceptions.py`).

Django's own `ValidationError` (a 400 with field errors) and `PermissionDenied` (a 403) are
the other two a service raises.
"""

from __future__ import annotations

import math
from typing import Any


class ApplicationError(Exception):
    """A request the portal refuses for a reason a person can read (`message`); `extra` holds
    more for the answer's body (the API adds its keys next to `detail`)."""

    def __init__(self, message: str, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}

    def __str__(self) -> str:
        return str(self.message)


class StateConflict(ApplicationError):
    """Not possible in the object's current state (an illegal transition, a match that moved
    on meanwhile): 409 in the API, a message on the pages."""


class RateLimited(ApplicationError):
    """The budget is spent; `wait` is the number of seconds until the next call is allowed
    (429 with Retry-After in the API; a page says when to try again)."""

    def __init__(self, wait: float | None):
        self.wait = None if wait is None else max(1, math.ceil(wait))
        super().__init__("The budget is spent; try again later.")
