"""Resolving the HS codes people and files send to Sector rows."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal import validation as rules
from portal.normalization import normalize_text

from .models import Sector, SectorLevel

# Longer than any way of writing a 6-digit code ("8418.10" in Persian digits with spaces).
MAX_CODE_INPUT = 20


def clean_hs_code(value) -> str:
    """Digits only (Persian/Arabic digits accepted), spaces and dots dropped: '84.18' → '8418'."""
    text = str(value or "")
    code = normalize_text(text[: MAX_CODE_INPUT + 1]).replace(".", "").replace(" ", "")
    if len(text) > MAX_CODE_INPUT or not code.isascii() or not code.isdigit() or len(code) not in (2, 4, 6):
        # The value goes in as a parameter: interpolated here, a "%" in it would break the
        # formatting django-filter applies to the message later (a 500).
        raise ValidationError(
            _("“%(code)s” is not an HS code (2, 4 or 6 digits)."),
            code="invalid",
            params={"code": rules.shown(value, 20)},
        )
    return code


def sector_for_code(value) -> Sector:
    code = clean_hs_code(value)
    try:
        return Sector.objects.get(pk=code, level__gte=SectorLevel.CHAPTER)
    except Sector.DoesNotExist:
        raise ValidationError(_("HS code %(code)s does not exist.") % {"code": code}) from None


def sectors_for_codes(values: Iterable | None, *, max_items: int = 100) -> list[Sector]:
    """The Sector rows for these codes, in order, without duplicates; unknown codes are an error."""
    values = rules.as_list(values)
    rules.check_size(values, max_items, _("At most %(n)d HS codes."))
    codes = rules.unique(clean_hs_code(value) for value in values)
    found = Sector.objects.in_bulk(codes)
    missing = [code for code in codes if code not in found]
    if missing:
        raise ValidationError(_("These HS codes do not exist: %(codes)s.") % {"codes": ", ".join(missing)})
    return [found[code] for code in codes]
