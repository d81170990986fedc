"""The top floor's pages: home, the dashboard and the language switch."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from accounts.services import user_set_language
from portal import exports

from . import selectors
from .dashboard_export import dashboard_download as dashboard_download_response
from .forms import PeriodForm


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home/home.html", {"figures": selectors.portal_figures()})


def _dashboard_context(request: HttpRequest) -> tuple[PeriodForm, dict]:
    form = PeriodForm(request.GET or None)
    context = selectors.dashboard_for(request.user, form.chosen_period())
    context["period_form"] = form
    return form, context


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Producers and buyers see how complete their profile is; counsellors and staff the figures;
    everyone what happened in the period they choose, month by month."""
    form, context = _dashboard_context(request)
    return render(request, "home/dashboard.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def dashboard_download(request: HttpRequest, file_format: str) -> HttpResponse:
    """The dashboard's figures and monthly series for the chosen period, as CSV or XLSX; bad
    dates give the page back with their errors (400)."""
    if file_format not in exports.FORMATS:
        raise Http404
    form, context = _dashboard_context(request)
    if form.errors:
        return render(request, "home/dashboard.html", context, status=400)
    return dashboard_download_response(context, file_format)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's switcher (cookie + redirect), remembered on the account when signed in."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=language)
    return response
