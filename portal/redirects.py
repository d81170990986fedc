"""Where a form sends the browser back to after a POST."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from portal.validation import single_line


def safe_next(request: HttpRequest, default: str) -> str:
    """`next` from the form or the query when it is a path on this site, else `default`
    (never an open redirect to another host; never a word `redirect()` would take for a URL
    name, nor a control character a Location header cannot carry)."""
    target = request.POST.get("next") or request.GET.get("next")
    if (
        target
        and target.startswith("/")
        and single_line(target) == target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default
