"""Numbers, dates and lists the way each language's readers write them.

One table, `CONVENTIONS`, says for each interface language which digits, separators, list
comma and percent sign it uses and how it writes a date; every number, date and list the
portal shows goes through the functions below (templates through the `locale_format` tags,
emails and reasons directly), so a language's rule lives here only.

- Persian (fa): Jalali dates, Persian digits (۰۱۲…), ٬ for thousands and ٫ for decimals,
  «، » between list items, ٪.
- Arabic (ar): Gregorian dates with Arabic month names (Django's: نوفمبر) and Arabic-Indic
  digits (٠١٢…), the same separators, list comma and percent sign as Persian. Iraqi and Gulf
  buyers read the Gregorian calendar in business (the Hijri one is for religious dates), so
  that is what they get.
- Russian (ru) and Turkish (tr): Gregorian dates with their month names ("25 ноября 2026",
  "25 Kasım 2026"), ASCII digits and their own grouping from Django's locale formats
  ("1 234,5" with a no-break space; "1.234,5"); 45 % (no-break space) and %45.
- English (en): "25 Nov 2026", "1,234.5", 45%.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import jdatetime
from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.formats import date_format

ASCII_DIGITS = "0123456789"
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
ARABIC_THOUSANDS = "\u066c"  # ARABIC THOUSANDS SEPARATOR ٬
ARABIC_DECIMAL = "\u066b"  # ARABIC DECIMAL SEPARATOR ٫
NO_BREAK_SPACE = "\u00a0"


@dataclass(frozen=True)
class Convention:
    digits: str = ASCII_DIGITS
    # None: Django's THOUSAND_SEPARATOR / DECIMAL_SEPARATOR for the language.
    thousands: str | None = None
    decimal: str | None = None
    list_comma: str = ", "
    semicolon: str = ";"
    percent: str = "{}%"
    jalali: bool = False
    # A Django date format (Gregorian) and how the time joins it.
    date: str = "j M Y"
    time_joint: str = ", "


_RTL_SCRIPT = {
    "thousands": ARABIC_THOUSANDS,
    "decimal": ARABIC_DECIMAL,
    "list_comma": "، ",
    "semicolon": "؛",
    "percent": "{}٪",
    "time_joint": "، ",
}

CONVENTIONS: dict[str, Convention] = {
    "fa": Convention(digits=PERSIAN_DIGITS, jalali=True, **_RTL_SCRIPT),
    "ar": Convention(digits=ARABIC_INDIC_DIGITS, date="j F Y", **_RTL_SCRIPT),
    "en": Convention(thousands=",", decimal="."),
    # Russian months in the genitive ("ноября"), Django's "E".
    "ru": Convention(date="j E Y", percent="{}" + NO_BREAK_SPACE + "%"),
    "tr": Convention(date="j F Y", percent="%{}", time_joint=" "),
}


def reader_language(language: str | None = None) -> str:
    """`language`, else the active one, as one of the portal's codes ("ar-iq" → "ar")."""
    code = (language or translation.get_language() or settings.LANGUAGE_CODE).lower()
    if code in CONVENTIONS:
        return code
    base = code.split("-")[0].split("_")[0]
    return base if base in CONVENTIONS else settings.LANGUAGE_CODE


def convention(language: str | None = None) -> Convention:
    return CONVENTIONS[reader_language(language)]


def is_persian(language: str | None = None) -> bool:
    """Whether the reader's language is Persian (for what exists in Persian only, such as the
    HS names in `name_fa`); for digits ask `digits_for`."""
    return reader_language(language) == "fa"


def digits_for(language: str | None = None) -> str:
    """The ten digits the reader writes numbers with, 0 to 9."""
    return convention(language).digits


def uses_native_digits(language: str | None = None) -> bool:
    return digits_for(language) != ASCII_DIGITS


def uses_jalali(language: str | None = None) -> bool:
    return convention(language).jalali


def localize_digits(text, language: str | None = None) -> str:
    """`text` with its ASCII digits written in the reader's digits ("HS 8418" → "HS ۸۴۱۸")."""
    digits = digits_for(language)
    text = str(text)
    return text if digits == ASCII_DIGITS else text.translate(str.maketrans(ASCII_DIGITS, digits))


def to_persian_digits(text: str) -> str:
    return localize_digits(text, "fa")


def _separators(language: str) -> tuple[str, str]:
    rule = CONVENTIONS[language]
    thousands = rule.thousands
    decimal = rule.decimal
    if thousands is None or decimal is None:
        thousands = formats.get_format("THOUSAND_SEPARATOR", lang=language)
        decimal = formats.get_format("DECIMAL_SEPARATOR", lang=language)
    return thousands, decimal


def format_number(value, decimals: int | None = None, language: str | None = None) -> str:
    """Thousands grouped, in the reader's digits and separators."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    if not number.is_finite():
        return str(value)
    if decimals is None:
        decimals = 0 if number == number.to_integral_value() else min(-number.as_tuple().exponent, 2)
    language = reader_language(language)
    thousands, decimal = _separators(language)
    text = f"{number:,.{decimals}f}"
    text = text.replace(",", "\x00").replace(".", decimal).replace("\x00", thousands)
    return localize_digits(text, language)


def format_percent(value, decimals: int | None = None, language: str | None = None) -> str:
    """`value` (already a percentage: 45 for 45 %) with the reader's sign where they put it."""
    if value is None or value == "":
        return ""
    return convention(language).percent.format(format_number(value, decimals, language))


def join_list(items: Iterable, language: str | None = None) -> str:
    """The items joined with the reader's list comma ("a, b" or «a، b»)."""
    return convention(language).list_comma.join(str(item) for item in items)


def semicolon(language: str | None = None) -> str:
    return convention(language).semicolon


def format_date(value, language: str | None = None, with_time: bool = False) -> str:
    """A date (or datetime, shown in local time) in the reader's calendar, month names and digits."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        shown_time = value.strftime("%H:%M") if with_time else ""
        value_date = value.date()
    else:
        shown_time, value_date = "", value
    language = reader_language(language)
    rule = CONVENTIONS[language]
    if rule.jalali:
        text = jdatetime.date.fromgregorian(date=value_date, locale="fa_IR").strftime("%-d %B %Y")
    else:
        with translation.override(language):
            text = date_format(value_date, rule.date)
    if shown_time:
        text = f"{text}{rule.time_joint}{shown_time}"
    return localize_digits(text, language)


# --- Years in the reader's calendar ------------------------------------------------------------
# A Jalali (solar hijri) year begins at Nowruz, 20 or 21 March of the Gregorian year 621 later,
# and ends in March of the next: 1377 ran from 21 March 1998 to 20 March 1999. A year written
# alone ("founded in ۱۳۷۷") is stored as the Gregorian year it began in, Jalali + 621 (1998),
# and shown back on Persian pages as Gregorian − 621 (۱۳۷۷), so a year round-trips unchanged.
JALALI_YEAR_OFFSET = 621


def year_shown(year: int, language: str | None = None) -> int:
    """A Gregorian year as a number in the reader's calendar (1998 → 1377 in Persian)."""
    return year - JALALI_YEAR_OFFSET if uses_jalali(language) else year


def year_stored(year: int, language: str | None = None) -> int:
    """A year typed in the reader's calendar as the Gregorian year it began in (1377 → 1998)."""
    return year + JALALI_YEAR_OFFSET if uses_jalali(language) else year


def format_year(year, language: str | None = None) -> str:
    """A Gregorian year in the reader's calendar and digits, never grouped ("۱۳۷۷", "1998")."""
    if year is None or year == "":
        return ""
    return localize_digits(str(year_shown(int(year), language)), language)


def parse_year(text: str, language: str | None = None) -> int | None:
    """A year typed in the reader's calendar, in any digits (۱۳۷۷, ١٣٧٧, 1377), as the Gregorian
    year; None for an empty text; ValueError when it is not a whole number."""
    text = str(text or "").strip()
    if not text:
        return None
    if not text.isdecimal():
        raise ValueError(f"not a year: {text!r}")
    return year_stored(int(text), language)  # int() reads every script's decimal digits
