"""Numbers and dates the way each language's readers expect them.

Persian readers get Persian digits, Persian thousands grouping and Jalali
dates; English readers get ASCII digits and Gregorian dates. Templates use
these through the `locale_format` tags; emails call them directly.
"""

import datetime
from decimal import Decimal

import jdatetime
from django.utils import timezone, translation
from django.utils.formats import date_format

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
PERSIAN_THOUSANDS = "\u066c"  # ARABIC THOUSANDS SEPARATOR ٬
PERSIAN_DECIMAL = "\u066b"  # ARABIC DECIMAL SEPARATOR ٫


def is_persian(language: str | None = None) -> bool:
    return (language or translation.get_language() or "fa").startswith("fa")


def to_persian_digits(text: str) -> str:
    return str(text).translate(PERSIAN_DIGITS)


def format_number(value, decimals: int | None = None, language: str | None = None) -> str:
    """Group thousands; in Persian use Persian digits and separators."""
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
    text = f"{number:,.{decimals}f}"
    if not is_persian(language):
        return text
    text = text.replace(",", "\x00").replace(".", PERSIAN_DECIMAL).replace("\x00", PERSIAN_THOUSANDS)
    return to_persian_digits(text)


def format_date(value, language: str | None = None, with_time: bool = False) -> str:
    """A date (or datetime, shown in local time) as Jalali in Persian, Gregorian in English."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        shown_time = value.strftime("%H:%M") if with_time else ""
        value_date = value.date()
    else:
        shown_time, value_date = "", value
    if is_persian(language):
        jalali = jdatetime.date.fromgregorian(date=value_date, locale="fa_IR")
        text = jalali.strftime("%-d %B %Y")
        return to_persian_digits(f"{text}، {shown_time}" if shown_time else text)
    with translation.override(language or translation.get_language()):
        text = date_format(value_date, "j M Y")
    return f"{text}, {shown_time}" if shown_time else text
