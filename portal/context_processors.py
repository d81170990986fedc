from django.conf import settings
from django.utils import translation

from portal import languages


def site_shell(request) -> dict:
    """What the base template needs on every page: direction and the languages."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return {
        "is_rtl": languages.is_rtl(language),
        "site_languages": languages.switcher_options(),
    }
