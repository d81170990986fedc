"""Field rules shared by every service: each raises Django's ValidationError for its field.

Services collect these into one `ValidationError({field: [messages]})`, which the
API turns into a 400 with field errors and forms show beside the field.
"""

import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import pycountry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django_countries import countries

MAX_ID = 2**63 - 1  # the largest bigint: an id beyond it names nothing on any database
MAX_QUANTITY = Decimal("1000000000000")  # 10^12 of any unit is beyond any plant
CERTIFICATION_RE = re.compile(r"^[A-Z0-9][A-Z0-9.\-/]{0,29}$")
PHONE_RE = re.compile(r"^\+?[0-9 ()\-]{5,40}$")
PHONE_LENGTH = 40  # the models' phone columns
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


class FieldErrors:
    """Collects per-field messages; `raise_if_any()` raises them together."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(str(message))

    def check(self, field: str, rule, *args, **kwargs):
        """Run `rule(*args)`; record its ValidationError under `field`; return its result."""
        try:
            return rule(*args, **kwargs)
        except ValidationError as error:
            for message in error.messages:
                self.add(field, message)
            return None

    def reject_unknown(
        self, data: Iterable[str], writable: Iterable[str], *, also: Iterable[str] = ()
    ) -> None:
        """A "cannot be set" error on each field of `data` outside `writable` (and `also`, the
        fields the caller may set beyond them), in name order."""
        for field in sorted(set(data).difference(writable, also)):
            self.add(field, _("This field cannot be set."))

    def merge(self, error: ValidationError) -> None:
        for field, messages in error.message_dict.items():
            for message in messages:
                self.add(field, message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


# Longer than any number a person types (10^12 with two decimals and separators is 20 characters).
MAX_NUMBER_LENGTH = 40
MAX_SEARCH_LENGTH = 200  # a search box's text: the catalogue's and the HS tree's
QUANTUM = Decimal("0.01")  # the models' decimal_places=2


def positive_quantity(value, *, allow_zero: bool = False) -> Decimal | None:
    """A finite quantity above zero (or zero when allowed) and below 10^12, rounded to the
    stored two decimals; None stays None.

    The range is judged on the rounded value, the one the database stores: 0.001 is zero
    there, so it is refused here ("greater than zero") rather than by a check constraint."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValidationError(_("Enter a number."))
    text = str(value).strip().translate(_DIGITS).replace("٬", "").replace(",", "").replace("٫", ".")
    if len(text) > MAX_NUMBER_LENGTH:
        raise ValidationError(_("This number is too large."))
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Enter a number.")) from None
    if not number.is_finite():
        raise ValidationError(_("Enter a finite number."))
    if abs(number) >= MAX_QUANTITY:
        raise ValidationError(_("This number is too large."))
    rounded = number.quantize(QUANTUM, rounding=ROUND_HALF_UP)
    if number > 0 and rounded == 0 and not allow_zero:
        raise ValidationError(_("The smallest quantity is 0.01."))
    if rounded < 0 or (rounded == 0 and not allow_zero):
        raise ValidationError(_("Enter a number greater than zero."))
    return rounded


# --- Sizes of lists --------------------------------------------------------------------


def check_size(values: list, max_items: int, message: str) -> None:
    """Refuse a list longer than `max_items` before any item is looked at: de-duplicating or
    validating tens of thousands of items first would hold a worker for seconds."""
    if len(values) > max_items:
        raise ValidationError(message % {"n": max_items})


def unique(values: Iterable) -> list:
    """The values without repeats, in their first order (linear time)."""
    return list(dict.fromkeys(values))


def country_codes(values: Iterable[str] | None, *, max_items: int = 60) -> list[str]:
    """ISO 3166-1 alpha-2 codes, upper-cased, unique, in the given order."""
    values = as_list(values)
    check_size(values, max_items, _("At most %(n)d countries."))
    result: list[str] = []
    for value in values:
        code = str(value).strip().upper()
        if code not in countries:
            raise ValidationError(
                _("“%(code)s” is not a country code (ISO 3166-1 alpha-2)."), params={"code": shown(value)}
            )
        result.append(code)
    return unique(result)


def country_code(value: str | None) -> str:
    codes = country_codes([value] if value else [])
    if not codes:
        raise ValidationError(_("Choose a country."))
    return codes[0]


def currency_code(value: str | None) -> str:
    code = str(value or "").strip().upper()
    if len(code) != 3 or pycountry.currencies.get(alpha_3=code) is None:
        raise ValidationError(_("“%(code)s” is not a currency code (ISO 4217)."), params={"code": value})
    return code


def language_codes(values: Iterable[str] | None, *, max_items: int = 20) -> list[str]:
    values = as_list(values)
    check_size(values, max_items, _("At most %(n)d languages."))
    result: list[str] = []
    for value in values:
        code = str(value).strip().lower()
        if len(code) != 2 or pycountry.languages.get(alpha_2=code) is None:
            raise ValidationError(
                _("“%(code)s” is not a language code (ISO 639-1)."), params={"code": shown(value)}
            )
        result.append(code)
    return unique(result)


def certification_codes(values: Iterable[str] | None, *, max_items: int = 20) -> list[str]:
    """Certification names such as ISO9001, CE, HALAL: upper-cased, spaces removed, unique."""
    values = as_list(values)
    check_size(values, max_items, _("At most %(n)d certifications."))
    result: list[str] = []
    for value in values:
        code = re.sub(r"\s+", "", str(value)[:200]).upper()
        if not CERTIFICATION_RE.match(code):
            raise ValidationError(
                _("“%(code)s” is not a certification name (letters, digits, . - /; at most 30)."),
                params={"code": shown(value)},
            )
        result.append(code)
    return unique(result)


def phone_number(value: str | None) -> str:
    text = single_line(value).translate(_DIGITS)
    if text and (len(text) > PHONE_LENGTH or not PHONE_RE.match(text)):
        raise ValidationError(_("Enter a phone number: digits, spaces, + ( ) and -."))
    return text


def as_list(value) -> list:
    """Accept a list or a comma-separated string (forms and CSV files send the latter)."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part for part in (p.strip() for p in value.replace("،", ",").split(",")) if part]
    if isinstance(value, list | tuple | set | frozenset):
        return list(value)
    return [value]  # one value where a list was expected: judged as an item


def shown(value, limit: int = 40) -> str:
    """A value quoted back in an error message, cut short (an error must not echo 100 kB)."""
    text = single_line(value)
    return text if len(text) <= limit else f"{text[:limit]}…"


# --- Text: control characters out, lengths of the model ------------------------------------

# Bidirectional embeddings, overrides and isolates (U+202A–202E, U+2066–2069) and the implicit
# marks (U+200E LRM, U+200F RLM, U+061C ALM): a name carrying them reorders what is shown
# after it. The ZWNJ (U+200C) and ZWJ (U+200D) that Persian spelling needs stay.
BIDI_CONTROLS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI = str.maketrans(dict.fromkeys(map(ord, BIDI_CONTROLS)))
# C0 and C1 controls other than the line breaks and tab of multi-line text, DEL, and the
# line/paragraph separators.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_BREAKS_AND_TABS = re.compile("[\t\n\r\x0b\x0c\x85\u2028\u2029]+")
_SURROGATES = re.compile("[\ud800-\udfff]")


def single_line(value) -> str:
    """A single-line text field as stored: control characters (C0, C1, DEL), bidi controls and
    line breaks removed (a break or tab becomes one space), a lone surrogate dropped, spaces at
    the ends trimmed. For names, cities, titles, phone numbers: anything shown on one line.

    The import commands and every service call this on each single-line field."""
    if value is None:
        return ""
    text = str(value)
    text = _BREAKS_AND_TABS.sub(" ", text)
    text = _CONTROLS.sub("", text).translate(_BIDI)
    return _SURROGATES.sub("", text).strip()


def multi_line(value) -> str:
    """A multi-line text (a description, a note, a brief): line breaks and tabs kept (CR LF
    becomes LF), every other control character and the bidi controls removed, ends trimmed."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", "", text).translate(_BIDI)
    return _SURROGATES.sub("", text).strip()


def text_field(value, *, max_length: int | None, required: bool = False, lines: bool = False) -> str:
    """A text field's value as stored (`single_line`, or `multi_line` when `lines`), refused
    when empty and `required`, or longer than the model's `max_length`."""
    text = multi_line(value) if lines else single_line(value)
    if required and not text:
        raise ValidationError(_("This field is required."))
    if max_length is not None and len(text) > max_length:
        raise ValidationError(_("At most %(n)d characters.") % {"n": max_length})
    return text


def max_length(model, field: str) -> int | None:
    """The model field's max_length: serializers, forms and services read the one number."""
    return model._meta.get_field(field).max_length


def is_printable_text(value: str) -> bool:
    """No NUL and no lone surrogate: what PostgreSQL and UTF-8 accept at all."""
    return "\x00" not in value and not _SURROGATES.search(value)
