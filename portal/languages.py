"""The interface languages in one place: which the portal speaks, their own names and
direction, and how a request's language is chosen.

settings.LANGUAGES lists them (Persian first, the default) and settings.RTL_LANGUAGES those
written right to left. A request's language:

- a page: the visitor's choice (the switcher's cookie), else the signed-in user's preference,
  else Persian. The browser's Accept-Language is not followed: the province's users come
  first, and a foreign buyer picks their language once (it is kept on their account);
- the API (/api/): the best supported match of Accept-Language (a program says what it
  wants), else the signed-in user's preference, else Persian (docs/api.md "Languages"). A browser
  calling the API with the switcher's cookie and no Accept-Language keeps the choice it made
  (the cookie comes after Accept-Language and before the preference). A token's user is only
  known once DRF authenticated it, after the middleware ran: the token authentication then
  calls `adopt_api_user_language`.

`without_database` gives the same answer without loading a user, for the answers made when
the database is out of reach or before the session is read (portal.request_guard,
portal.outages).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation.trans_real import get_supported_language_variant, parse_accept_lang_header

# Each language named in itself, as the language switcher shows it.
NATIVE_NAMES = {
    "fa": "فارسی",
    "en": "English",
    "ar": "العربية",
    "ru": "Русский",
    "tr": "Türkçe",
}

# Where the request's language came from (request.language_source).
FROM_CHOICE = "choice"
FROM_ACCEPT_LANGUAGE = "accept-language"
FROM_USER = "user"
FROM_DEFAULT = "default"


def codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def is_supported(code) -> bool:
    return isinstance(code, str) and code in codes()


def supported_or_default(code) -> str:
    return code if is_supported(code) else settings.LANGUAGE_CODE


def is_rtl(code: str | None) -> bool:
    return (code or settings.LANGUAGE_CODE) in settings.RTL_LANGUAGES


def direction(code: str | None) -> str:
    return "rtl" if is_rtl(code) else "ltr"


def native_name(code: str) -> str:
    return NATIVE_NAMES.get(code, code)


def switcher_options() -> list[dict]:
    """The languages as the switcher offers them: each in its own name and direction."""
    return [{"code": code, "label": native_name(code), "dir": direction(code)} for code in codes()]


def from_accept_language(header: str | None) -> str | None:
    """The supported language an Accept-Language header prefers most ("ar-IQ" gives "ar"),
    or None; a range refused with q=0 is never chosen, "*" leaves the choice to us."""
    for tag, quality in parse_accept_lang_header(header or ""):
        if tag == "*":
            return None
        if quality <= 0:
            continue
        try:
            code = get_supported_language_variant(tag)
        except LookupError:
            continue
        if is_supported(code):
            return code
    return None


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _user_language(request) -> str | None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and is_supported(user.preferred_language):
        return user.preferred_language
    return None


def for_request(request: HttpRequest) -> tuple[str, str]:
    """(language, where it came from) for a request whose session user is loaded."""
    if is_api(request):
        chosen = from_accept_language(request.META.get("HTTP_ACCEPT_LANGUAGE"))
        if chosen:
            return chosen, FROM_ACCEPT_LANGUAGE
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if is_supported(chosen):
        return chosen, FROM_CHOICE
    preferred = _user_language(request)
    if preferred:
        return preferred, FROM_USER
    return settings.LANGUAGE_CODE, FROM_DEFAULT


def without_database(request: HttpRequest) -> str:
    """The request's language from what it carries, no user loaded: the middleware's choice if
    it ran, else Accept-Language (API only), the switcher's cookie, the default."""
    if is_supported(getattr(request, "LANGUAGE_CODE", None)):
        return request.LANGUAGE_CODE
    chosen = from_accept_language(request.META.get("HTTP_ACCEPT_LANGUAGE")) if is_api(request) else None
    return chosen or supported_or_default(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))


def adopt_api_user_language(request, user) -> None:
    """`user` was just authenticated by the API (a token): their preference applies unless
    the request chose a language (Accept-Language, or the switcher's cookie)."""
    django_request = getattr(request, "_request", request)
    if getattr(django_request, "language_source", None) in (FROM_ACCEPT_LANGUAGE, FROM_CHOICE):
        return
    preferred = getattr(user, "preferred_language", None)
    if is_supported(preferred):
        translation.activate(preferred)
        django_request.LANGUAGE_CODE = preferred
        django_request.language_source = FROM_USER
