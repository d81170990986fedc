from django import template

from portal import formatting

register = template.Library()


@register.filter
def number(value, decimals=None):
    """`{{ capacity|number }}` → `۴۵٬۰۰۰` in Persian, `٤٥٬٠٠٠` in Arabic, `45,000` in English."""
    return formatting.format_number(value, None if decimals in (None, "") else int(decimals))


@register.filter
def percentage(value, decimals=None):
    """`{{ share|percentage }}` (45 for 45 %) → `۴۵٪`, `45%`, `45 %` (Russian), `%45` (Turkish)."""
    return formatting.format_percent(value, None if decimals in (None, "") else int(decimals))


@register.filter
def jdate(value, with_time=False):
    """`{{ created_at|jdate }}` → Jalali in Persian, Gregorian in the other languages."""
    return formatting.format_date(value, with_time=bool(with_time))


@register.filter
def digits(value):
    """The reader's digits (Persian, Arabic-Indic), the text unchanged otherwise."""
    if value is None:
        return ""
    return formatting.localize_digits(value)


@register.filter
def year(value):
    """A Gregorian year in the reader's calendar and digits (1998 → ۱۳۷۷ on Persian pages)."""
    return formatting.format_year(value)


@register.simple_tag
def list_comma():
    """`{% list_comma as sep %}`: what goes between the items of a list (", " or «، »)."""
    return formatting.convention().list_comma
