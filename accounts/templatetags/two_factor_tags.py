"""Two-factor sign-in in templates: `user|two_factor_required` and
`{% two_factor_card user %}`, the dashboard's card offering it (accounts/two_factor.py)."""

from django import template

from accounts import policies, two_factor

register = template.Library()


@register.filter
def two_factor_required(user) -> bool:
    return policies.two_factor_required(user)


@register.inclusion_tag("accounts/includes/two_factor_card.html")
def two_factor_card(user):
    return {
        "enrolled": two_factor.is_enrolled(user),
        "required": policies.two_factor_required(user),
    }
