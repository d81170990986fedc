"""Pick each request's language (the rules are portal.languages'): on pages the visitor's
choice, else their profile, else Persian; on the API Accept-Language, else the switcher's
cookie, else the profile, else Persian.

Django's LocaleMiddleware would follow the browser's Accept-Language on pages too; the
portal's users are the province's first, so Persian is the default there unless someone chose
otherwise (the switcher's cookie or the account's preference).
"""

from django.utils import translation
from django.utils.cache import patch_vary_headers

from . import languages, outages


def language_for_request(request) -> str:
    language, request.language_source = languages.for_request(request)
    return language


class PreferredLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = language_for_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        # The API's answer depends on Accept-Language; a token's user may have changed the
        # language during the view (portal.languages.adopt_api_user_language).
        patch_vary_headers(
            response, ("Accept-Language", "Cookie") if languages.is_api(request) else ("Cookie",)
        )
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
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
