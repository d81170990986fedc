from django.conf import settings
from django.utils import translation


def site_shell(request) -> dict:
    """What the base template needs on every page: direction and the languages."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return {
        "is_rtl": language in settings.RTL_LANGUAGES,
        "site_languages": settings.LANGUAGES,
    }
