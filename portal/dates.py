"""Dates typed by people and months counted in the reader's calendar.

Persian readers type and read dates in the Persian (Jalali) calendar, the others in the
Gregorian one. One reader of typed dates, `parse_date`, takes both (a year before 1700 is a
Persian one: 1405-12-29; 2027-03-20 is Gregorian), in Persian or Arabic-Indic digits too;
`date_text` writes a date the way the reader types it back. Months (`month_start`,
`add_months`, `month_label`) follow `portal.formatting.uses_jalali`: the Jalali month
(Farvardin 1405 = 21 March to 20 April 2026) for Persian readers, the Gregorian one otherwise.
"""

from __future__ import annotations

import datetime
import re

import jdatetime
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .formatting import localize_digits, reader_language, uses_jalali
from .normalization import normalize_text

DATE_INPUT_LENGTH = 20
# Below this year a typed date is read in the Persian calendar.
JALALI_BEFORE_YEAR = 1700
_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")


def parse_date(value) -> datetime.date:
    """A date object, or year-month-day text: Gregorian (2027-03-20) or, for a year before
    1700, the Persian calendar (1405-12-29, Persian digits too). ValidationError otherwise."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    message = _("Enter a date as year-month-day, e.g. 2027-03-20 (or 1405-12-29 in the Persian calendar).")
    if not isinstance(value, str) or len(value) > DATE_INPUT_LENGTH:
        raise ValidationError(message)
    found = _DATE.fullmatch(normalize_text(value))
    if found is None:
        raise ValidationError(message)
    year, month, day = (int(part) for part in found.groups())
    try:
        if year < JALALI_BEFORE_YEAR:
            return jdatetime.date(year, month, day).togregorian()
        return datetime.date(year, month, day)
    except ValueError:
        raise ValidationError(_("This date does not exist.")) from None


def date_text(value: datetime.date | None, jalali: bool | None = None) -> str:
    """A date as a form shows it for the reader to type over: 1405-12-29 in the Persian
    calendar for Persian readers, else 2027-03-20 (`parse_date` reads both)."""
    if value is None:
        return ""
    if uses_jalali() if jalali is None else jalali:
        return jdatetime.date.fromgregorian(date=value).strftime("%Y-%m-%d")
    return value.isoformat()


# --- Months in the reader's calendar ----------------------------------------------------------


def month_start(day: datetime.date, jalali: bool) -> datetime.date:
    """The first day (Gregorian date) of the month `day` falls in."""
    if jalali:
        return jdatetime.date.fromgregorian(date=day).replace(day=1).togregorian()
    return day.replace(day=1)


def add_months(first: datetime.date, months: int, jalali: bool) -> datetime.date:
    """The first day of the month `months` after (or before) the month starting on `first`."""
    if jalali:
        start = jdatetime.date.fromgregorian(date=first)
        index = start.year * 12 + start.month - 1 + months
        return jdatetime.date(index // 12, index % 12 + 1, 1).togregorian()
    index = first.year * 12 + first.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def year_start(day: datetime.date, jalali: bool) -> datetime.date:
    """The first day of the year `day` falls in (1 Farvardin for Jalali readers)."""
    if jalali:
        return jdatetime.date.fromgregorian(date=day).replace(month=1, day=1).togregorian()
    return day.replace(month=1, day=1)


def month_label(first: datetime.date, jalali: bool, language: str | None = None) -> str:
    """A month by its name and year in the reader's digits: the Jalali month «فروردین ۱۴۰۵», or
    the Gregorian one in the reader's language ("March 2026", "март 2026 г.")."""
    language = reader_language(language)
    if jalali:
        text = jdatetime.date.fromgregorian(date=first, locale="fa_IR").strftime("%B %Y")
    else:
        with translation.override(language):
            text = date_format(first, "YEAR_MONTH_FORMAT")
    return localize_digits(text, language)
