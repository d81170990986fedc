"""`{% verification_badge profile %}`: the verified badge of a producer's or buyer's profile,
saying who verified it and when, with its current certificates (accounts.badges)."""

from django import template

from accounts.badges import badge_of

register = template.Library()


@register.inclusion_tag("accounts/includes/verification_badge.html")
def verification_badge(profile, compact=False):
    return {"badge": badge_of(profile), "compact": compact}
