"""Pick each request's language: the visitor's choice, else their profile, else Persian.

Django's LocaleMiddleware would follow the browser's Accept-Language; the
portal's users are the province's first, so Persian is the default unless
someone chose otherwise (the switcher's cookie or the account's preference).
"""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

from . import outages

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def language_for_request(request) -> str:
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in SUPPORTED:
        return chosen
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.preferred_language in SUPPORTED:
        return user.preferred_language
    return settings.LANGUAGE_CODE


class PreferredLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = language_for_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class DatabaseUnavailableMiddleware:
    """A view whose database connection died (server restarted, backend terminated, server
    down) answers 503 with Retry-After instead of a 500; see portal.outages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if outages.is_outage(exception):
            return outages.database_unavailable(request, exception)
        return None
