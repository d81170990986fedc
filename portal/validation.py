"""Field rules shared by every service: each raises Django's ValidationError for its field.

Services collect these into one `ValidationError({field: [messages]})`, which the
API turns into a 400 with field errors and forms show beside the field.
"""

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

import pycountry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django_countries import countries

MAX_QUANTITY = Decimal("1000000000000")  # 10^12 of any unit is beyond any plant
CERTIFICATION_RE = re.compile(r"^[A-Z0-9][A-Z0-9.\-/]{0,29}$")
PHONE_RE = re.compile(r"^\+?[0-9 ()\-]{5,40}$")
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

    def merge(self, error: ValidationError) -> None:
        for field, messages in error.message_dict.items():
            for message in messages:
                self.add(field, message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def positive_quantity(value, *, allow_zero: bool = False) -> Decimal | None:
    """A finite quantity above zero (or zero when allowed) and below 10^12; None stays None."""
    if value is None or value == "":
        return None
    text = str(value).strip().translate(_DIGITS).replace("٬", "").replace(",", "").replace("٫", ".")
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Enter a number.")) from None
    if not number.is_finite():
        raise ValidationError(_("Enter a finite number."))
    if number < 0 or (number == 0 and not allow_zero):
        raise ValidationError(_("Enter a number greater than zero."))
    if number >= MAX_QUANTITY:
        raise ValidationError(_("This number is too large."))
    return number.quantize(Decimal("0.01"))


def country_codes(values: Iterable[str] | None, *, max_items: int = 60) -> list[str]:
    """ISO 3166-1 alpha-2 codes, upper-cased, unique, in the given order."""
    result: list[str] = []
    for value in values or []:
        code = str(value).strip().upper()
        if code not in countries:
            raise ValidationError(
                _("“%(code)s” is not a country code (ISO 3166-1 alpha-2)."), params={"code": value}
            )
        if code not in result:
            result.append(code)
    if len(result) > max_items:
        raise ValidationError(_("At most %(n)d countries.") % {"n": max_items})
    return result


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
    result: list[str] = []
    for value in values or []:
        code = str(value).strip().lower()
        if len(code) != 2 or pycountry.languages.get(alpha_2=code) is None:
            raise ValidationError(_("“%(code)s” is not a language code (ISO 639-1)."), params={"code": value})
        if code not in result:
            result.append(code)
    if len(result) > max_items:
        raise ValidationError(_("At most %(n)d languages.") % {"n": max_items})
    return result


def certification_codes(values: Iterable[str] | None, *, max_items: int = 20) -> list[str]:
    """Certification names such as ISO9001, CE, HALAL: upper-cased, spaces removed, unique."""
    result: list[str] = []
    for value in values or []:
        code = re.sub(r"\s+", "", str(value)).upper()
        if not CERTIFICATION_RE.match(code):
            raise ValidationError(
                _("“%(code)s” is not a certification name (letters, digits, . - /; at most 30)."),
                params={"code": value},
            )
        if code not in result:
            result.append(code)
    if len(result) > max_items:
        raise ValidationError(_("At most %(n)d certifications.") % {"n": max_items})
    return result


def phone_number(value: str | None) -> str:
    text = str(value or "").strip().translate(_DIGITS)
    if text and not PHONE_RE.match(text):
        raise ValidationError(_("Enter a phone number: digits, spaces, + ( ) and -."))
    return text


def as_list(value) -> list:
    """Accept a list or a comma-separated string (forms and CSV files send the latter)."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part for part in (p.strip() for p in value.replace("،", ",").split(",")) if part]
    return list(value)
