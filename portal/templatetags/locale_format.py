from django import template

from portal import formatting

register = template.Library()


@register.filter
def number(value, decimals=None):
    """`{{ capacity|number }}` → `۴۵٬۰۰۰` in Persian, `45,000` in English."""
    return formatting.format_number(value, None if decimals in (None, "") else int(decimals))


@register.filter
def jdate(value, with_time=False):
    """`{{ created_at|jdate }}` → Jalali in Persian, Gregorian in English."""
    return formatting.format_date(value, with_time=bool(with_time))


@register.filter
def digits(value):
    """Persian digits in Persian, the text unchanged otherwise."""
    if value is None:
        return ""
    return formatting.to_persian_digits(value) if formatting.is_persian() else str(value)
