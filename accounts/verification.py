"""An account's email marked verified: what operator-made accounts get at once.

Below the services and the user manager alike (`createsuperuser` goes through the manager),
so both call this one write.
"""

from allauth.account.models import EmailAddress
from django.db import transaction


@transaction.atomic
def mark_email_verified(*, user) -> None:
    """Record the user's email as verified and primary (operator-made accounts)."""
    EmailAddress.objects.update_or_create(
        user=user, email__iexact=user.email, defaults={"email": user.email, "verified": True, "primary": True}
    )
