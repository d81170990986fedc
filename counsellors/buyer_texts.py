"""A counsellor writes a buyer's texts in the portal's other languages.

Buyers abroad often write their company name and description only in their own language; the
counsellor of their market, who reads it, adds the translations the producers in Tabriz read
(docs/design.md "Languages"). Only the translations: the buyer's own texts stay the buyer's.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import BuyerProfile, User
from accounts.policies import counsellor_markets
from portal import content
from portal import validation as rules
from portal.translations_input import apply_texts_input


def can_translate_buyer(user: User, buyer: BuyerProfile) -> bool:
    """Staff, and the counsellors whose desk covers the buyer's country."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_portal_staff:
        return True
    return user.is_counsellor and buyer.country.code in counsellor_markets(user)


@transaction.atomic
def buyer_translations_update(*, actor: User, buyer: BuyerProfile, data: dict[str, Any]) -> BuyerProfile:
    """Write `data["translations"]` onto the buyer; any other key is refused."""
    buyer = BuyerProfile.objects.select_for_update().get(pk=buyer.pk)
    if not can_translate_buyer(actor, buyer):
        raise PermissionDenied(_("Only the counsellor of the buyer's market translates its texts."))
    errors = rules.FieldErrors()
    errors.reject_unknown(data, ("translations",))
    apply_texts_input(buyer, {"translations": data.get("translations", {})}, errors)
    errors.raise_if_any()
    buyer.save(update_fields=[*content.text_fields(buyer), "updated_at"])
    return buyer
