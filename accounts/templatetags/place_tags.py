"""`{{ producer.city|place }}`: a producer's stored province or city in the reader's language
(«تبریز» on a Persian page for a stored "Tabriz"; accounts.places), any other place as typed."""

from django import template

from accounts.places import place_shown

register = template.Library()


@register.filter
def place(value):
    return place_shown(value) if isinstance(value, str) else value
