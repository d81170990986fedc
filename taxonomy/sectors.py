"""Resolving the HS codes people and files send to Sector rows, and what "HS code at any
level" means in a query: `sector_q` is the one rule every filter set calls."""

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from portal import validation as rules
from portal.normalization import normalize_text

from .models import Sector, SectorLevel, hs_codes_above

# The HS sections' keys (roman numerals), as `Sector.code` holds them.
SECTION_CODES = (
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
    "XVI",
    "XVII",
    "XVIII",
    "XIX",
    "XX",
    "XXI",
)

# Between codes typed in one box: commas (Latin and Persian), semicolons, spaces.
_CODE_SEPARATORS = re.compile(r"[,\u060c;\s]+")

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


def split_codes(text: str) -> list[str]:
    """'8418, ۸۴۵۰ ،84.50' → ['8418', '8450', '8450']: each code as the taxonomy spells it
    where it reads as one (the services report the others)."""
    codes = []
    for part in _CODE_SEPARATORS.split(text or ""):
        if not part:
            continue
        try:
            codes.append(clean_hs_code(part))
        except ValidationError:
            codes.append(part)
    return codes


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


# --- "HS code at any level" --------------------------------------------------------------


def sector_q(code: str, field: str, *, ancestors: bool = False) -> Q:
    """Rows whose sector (`field`: a foreign key or many-to-many to `Sector`) is at or under
    `code`, a cleaned HS code (`HSCodeFilter`): '84' finds 84, 8418 and 841810. A section
    ('XVI') finds itself and everything in it (its chapters and all below).

    With `ancestors=True` the codes above a 4 or 6-digit `code` match too (its chapter and
    heading, not its section): a market brief on chapter 84 speaks to a query for 8418, and
    a buyer seeking 84 is a party to a match found by 8418.
    """
    if not code.isdigit():
        # The section's rows as a subquery (hs_code_id IN (...)): no join with the HS table,
        # and no OR across two tables that would keep the planner from filtering it first.
        return Q(**{f"{field}__in": Sector.objects.filter(Q(section_id=code) | Q(pk=code)).values("pk")})
    condition = Q(**{f"{field}__code__startswith": code})  # a foreign key: hs_code_id LIKE '84%'
    above = hs_codes_above(code) if ancestors else []
    if above:
        condition |= Q(**{f"{field}__in": above})
    return condition


def tagged_with(relation, code: str, *, ancestors: bool = False, outer: str = "pk") -> Exists:
    """Rows tagged (through the many-to-many `relation`, e.g. `MarketBrief.sectors`) with a
    sector meeting `code` as `sector_q` says; `outer` names the tagged row's id in the outer
    query ("buyer_id" from a match). An EXISTS, so a row tagged twice is still found once."""
    through = relation.through
    source, target = relation.field.m2m_field_name(), relation.field.m2m_reverse_field_name()
    tags = through.objects.filter(sector_q(code, target, ancestors=ancestors), **{source: OuterRef(outer)})
    return Exists(tags)
