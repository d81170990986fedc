"""The top floor's pages: home, the dashboard and the language switch."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from accounts.services import user_set_language

from . import selectors


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home/home.html", {"figures": selectors.portal_figures()})


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Producers and buyers see how complete their profile is; counsellors and staff the figures."""
    return render(request, "home/dashboard.html", selectors.dashboard_for(request.user))


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's switcher (cookie + redirect), remembered on the account when signed in."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=language)
    return response
