"""The digest pages: preferences, "preview my digest", and the unsubscribe link.

Views route and render: the rules are in `digests.services` (preferences, the signed link)
and `digests.delivery` (what the next digest would cover).
"""

from __future__ import annotations

from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from accounts.forms import add_service_errors

from . import delivery, services
from .forms import DigestPreferenceForm
from .models import DeliveryStatus, DigestDelivery, Frequency

RECENT_DELIVERIES = 5


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """How often the signed-in user gets a digest, and in which language."""
    user = request.user
    preference = services.preference_for(user)
    status = 200
    if request.method == "POST":
        form = DigestPreferenceForm(request.POST)
        if form.is_valid():
            try:
                services.preference_update(user=user, **form.service_data())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your digest settings are saved."))
                return redirect("digests:preferences")
        status = 400
    else:
        form = DigestPreferenceForm(
            initial={"frequency": preference.frequency, "language": preference.language}
        )
    context = {
        "form": form,
        "preference": preference,
        "default_frequency": Frequency(services.default_frequency(user)).label,
        "unsubscribed": preference.frequency == Frequency.OFF and preference.unsubscribed_at,
        "recent": DigestDelivery.objects.filter(user=user, status=DeliveryStatus.SENT)[:RECENT_DELIVERIES],
    }
    return render(request, "digests/preferences.html", context, status=status)


@login_required
@require_GET
@never_cache
# The email in the frame (srcdoc, which keeps the page's Content-Security-Policy) is styled
# with style attributes, as emails must be; the frame runs no script (sandbox).
@csp_update({"style-src-attr": ["'unsafe-inline'"]})
def preview(request: HttpRequest) -> HttpResponse:
    """The HTML of what the user's next digest would hold if it were sent now."""
    result = delivery.preview(user=request.user)
    framed = ""
    if result.rendered is not None:
        # Shown in a sandboxed frame: its links open a new tab (the portal refuses to be framed).
        html, base = result.rendered.html, '<base target="_blank">'
        framed = html.replace("<head>", "<head>" + base, 1) if "<head>" in html else base + html
    return render(request, "digests/preview.html", {"preview": result, "framed_html": framed})


def _masked(email: str) -> str:
    """a•••@example.com: enough to recognise one's address on a link that may be forwarded."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" with no session
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a confirmation page with a button (link scanners fetch GETs; only a POST
    unsubscribes). POST (the button, or a mail client's one-click): no more digests."""
    try:
        user = services.user_for_unsubscribe_token(token)
    except services.UnsubscribeLinkExpired:
        next_url = reverse("digests:preferences")
        sign_in = reverse("account_login") + "?" + urlencode({"next": next_url})
        return render(request, "digests/unsubscribe_expired.html", {"sign_in_url": sign_in}, status=410)
    except services.UnsubscribeLinkInvalid:
        return render(request, "digests/unsubscribe_invalid.html", status=400)
    context = {"email": _masked(user.email), "preferences_url": reverse("digests:preferences")}
    if request.method == "POST":
        services.unsubscribe(user=user)
        return render(request, "digests/unsubscribed.html", context)
    return render(request, "digests/unsubscribe_confirm.html", context)
