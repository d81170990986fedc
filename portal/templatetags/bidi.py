"""`{{ name|bdi }}` on pages, `{{ name|isolate }}` in plain text: user-written text isolated so
that it cannot reorder what follows it (portal/bidi.py). Every name, title and note a user
wrote goes through one of them (tests/portal/test_bidi.py checks the templates)."""

from django import template
from django.utils.html import format_html

from portal import bidi as isolation
from portal import languages
from portal.content import Shown

register = template.Library()


@register.filter(is_safe=True)
def bdi(value):
    """`<bdi>value</bdi>`, escaped (an already safe value, such as `|linebreaksbr`, kept)."""
    if value is None or value == "":
        return ""
    if isinstance(value, Shown):  # a text in some language (the {% shown %} tag): say which
        return format_html('<bdi lang="{}">{}</bdi>', value.language, value.text) if value.text else ""
    return format_html("<bdi>{}</bdi>", value)


@register.filter
def isolate(value):
    """Plain text: the value on one line, between FSI and PDI, without explicit bidi controls."""
    return isolation.isolate(value)


@register.filter
def isolate_lines(value):
    """Plain text of several lines (a note): each line isolated."""
    return isolation.isolate_lines(value)


@register.filter
def direction(language):
    """`dir="{{ brief.language|direction }}"`: "rtl" for a right-to-left language, else "ltr"."""
    return languages.direction(language)
