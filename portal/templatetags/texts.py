"""Texts written in several languages, on pages (portal/content.py holds the rule).

`{% shown product "name" as name %}` gives the text a reader of the page's language gets, with
its language; `{{ name|bdi }}` isolates it and marks its `lang`; `{% language_note name %}` says,
where it is not in the page's language, which language the reader is reading and why.
"""

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _

from portal import content

register = template.Library()


@register.simple_tag
def shown(obj, field):
    return content.shown(obj, field)


@register.simple_tag
def language_note(text):
    """ "(in Persian, as written: no English translation yet)" where the text is not in the page's language."""
    if not isinstance(text, content.Shown) or not text.text:
        return ""
    reader = content.reader_language(get_language())
    if text.language == reader:
        return ""
    values = {
        "language": get_language_info(text.language)["name_translated"],
        "reader": get_language_info(reader)["name_translated"],
    }
    if text.is_original:
        message = _("In %(language)s, as written: no %(reader)s translation yet.") % values
    else:
        message = _("In %(language)s: no %(reader)s translation yet.") % values
    return format_html('<span class="language-note small text-body-secondary">{}</span>', message)
