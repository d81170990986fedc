"""What the buying requests tell the apps above them (the matcher listens).

`request_changed` is sent once a write to a request has committed, with `request` (the
BuyingRequest) and `change`: "published", "edited" (a published request's terms or lines),
"closed", "awarded" or "returned". The matcher re-matches a published request's lines and
withdraws the proposals of one that is no longer open.
"""

from django.dispatch import Signal

request_changed = Signal()
