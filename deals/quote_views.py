"""Quote pages: the "Quotes" section of the match page, the producer's quote form, the buyer's
comparison of a request's quotes, and the actions on a quote.

Views route and render; deals.quotes rules and deals.policies says who sees and does what. A
quote or match the viewer may not see is a 404, one they see but may not act on a 403. After an
action the browser goes back (to `next` or the match page) with a message saying what happened
or why not: never to a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.forms import add_service_errors
from matchmaking.models import Match
from matchmaking.policies import side_of
from portal.exceptions import StateConflict
from portal.filters import style_filter_form
from portal.redirects import safe_next
from sourcing.models import BuyingRequest

from . import quote_selectors, quotes
from .models import Quote, QuoteStatus
from .policies import (
    QUOTABLE,
    can_compare_quotes,
    can_decide_quote,
    can_quote,
    can_view_quotes,
    can_withdraw_quote,
)
from .quote_filtersets import QuoteFilterSet
from .quote_forms import QuoteDecisionForm, QuoteForm


def _match_url(match_id: int) -> str:
    return reverse("matchmaking:match_detail", args=[match_id]) + "#quotes"


def quote_rows(user, quote_list) -> list[dict]:
    """Each quote with what `user` may do to it now, and the forms for that."""
    today = timezone.localdate()
    rows = []
    for quote in quote_list:
        side = side_of(user, quote.match)
        is_open = quote.status == QuoteStatus.OPEN
        may_decline = is_open and side == "buyer"
        may_accept = may_decline and quote.valid_until >= today and quote.match.status in QUOTABLE
        rows.append(
            {
                "quote": quote,
                "past_validity": is_open and quote.valid_until < today,
                "may_withdraw": is_open and side == "producer",
                "may_accept": may_accept,
                "may_decline": may_decline,
                "accept_form": QuoteDecisionForm(quote=quote, action="accept") if may_accept else None,
                "decline_form": QuoteDecisionForm(quote=quote, action="decline") if may_decline else None,
            }
        )
    return rows


def match_section(request: HttpRequest, match: Match) -> dict | None:
    """The match page's "Quotes" section (registered in deals.hooks): None for who may not see
    the match's quotes."""
    user = request.user
    if not can_view_quotes(user, match):
        return None
    quote_list = list(quote_selectors.quotes_of_match(user, match))
    producer = can_quote(user, match)
    refusal = quotes.quote_refusal(match) if producer else None
    compare_url = ""
    if match.request_id is not None and can_compare_quotes(user, match.request):
        compare_url = reverse("deals:request-quotes", args=[match.request_id])
    return {
        "match": match,
        "rows": quote_rows(user, quote_list),
        "form": QuoteForm(match=match) if producer and refusal is None else None,
        "refusal": refusal,
        "compare_url": compare_url,
        "next_url": _match_url(match.pk),
    }


# --- The producer ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def quote_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The producer's quote on match `pk`: the form (GET, or again with its errors), and the
    quote sent (POST), back on the match page."""
    try:
        match = quote_selectors.match_for_quotes(request.user, pk)
    except Match.DoesNotExist:
        raise Http404(_("No such match.")) from None
    if not can_quote(request.user, match):
        raise PermissionDenied(_("Only the producer of this match sends it quotes."))
    refusal = quotes.quote_refusal(match)
    if refusal is not None:
        messages.error(request, refusal)
        return redirect(_match_url(match.pk))
    if request.method == "POST":
        form = QuoteForm(request.POST, request.FILES, match=match)
    else:
        form = QuoteForm(match=match)
    if form.is_bound and form.is_valid():
        try:
            quotes.quote_create(
                match=match, actor=request.user, data=form.service_data(), files=form.attached_files()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except StateConflict as conflict:
            messages.error(request, conflict.message)
            return redirect(_match_url(match.pk))
        else:
            messages.success(request, _("Your quote is sent. The buyer has been emailed."))
            return redirect(_match_url(match.pk))
    if form.is_bound:
        messages.error(request, _("The form has errors; see below."))
    return render(request, "deals/quotes/quote_form.html", {"match": match, "form": form})


# --- The actions on one quote ----------------------------------------------------------------


def _visible_quote(request: HttpRequest, pk: int) -> Quote:
    try:
        return quote_selectors.visible_quotes(request.user).get(pk=pk)
    except Quote.DoesNotExist:
        raise Http404(_("No such quote.")) from None


def _act(request: HttpRequest, quote: Quote, run, success: str) -> HttpResponse:
    back = safe_next(request, _match_url(quote.match_id))
    try:
        run()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except StateConflict as conflict:
        messages.error(request, conflict.message)
    else:
        messages.success(request, success)
    return redirect(back)


def _decision(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    quote = _visible_quote(request, pk)
    if not can_decide_quote(request.user, quote):
        raise PermissionDenied(_("Only the buyer decides on this quote."))
    form = QuoteDecisionForm(request.POST, quote=quote, action=action)
    if not form.is_valid():
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
        return redirect(safe_next(request, _match_url(quote.match_id)))
    note = form.cleaned_data["note"]
    if action == "accept":
        return _act(
            request,
            quote,
            lambda: quotes.quote_accept(quote=quote, actor=request.user, note=note),
            _("You accepted the quote. The producer has been emailed.")
            if quote.request_id is None
            else _(
                "You accepted the quote: the request is awarded, and the other open quotes "
                "are declined. The producers have been emailed."
            ),
        )
    return _act(
        request,
        quote,
        lambda: quotes.quote_decline(quote=quote, actor=request.user, note=note),
        _("You declined the quote. The producer has been emailed."),
    )


@login_required
@require_POST
def quote_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """The buyer accepts quote `pk`."""
    return _decision(request, pk, "accept")


@login_required
@require_POST
def quote_decline(request: HttpRequest, pk: int) -> HttpResponse:
    """The buyer declines quote `pk`."""
    return _decision(request, pk, "decline")


@login_required
@require_POST
def quote_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The producer withdraws quote `pk`."""
    quote = _visible_quote(request, pk)
    if not can_withdraw_quote(request.user, quote):
        raise PermissionDenied(_("Only the producer who sent this quote withdraws it."))
    return _act(
        request,
        quote,
        lambda: quotes.quote_withdraw(quote=quote, actor=request.user),
        _("You withdrew the quote."),
    )


# --- The buyer's comparison ------------------------------------------------------------------


@login_required
@require_GET
def request_quotes(request: HttpRequest, pk: int) -> HttpResponse:
    """All the quotes of buying request `pk` side by side, cheapest total first (or as sorted)."""
    try:
        buying_request = quote_selectors.request_for_comparison(request.user, pk)
    except BuyingRequest.DoesNotExist:
        raise Http404(_("No such buying request.")) from None
    queryset = quote_selectors.quotes_of_request(request.user, buying_request)
    filterset = QuoteFilterSet(request.GET or None, queryset=queryset)
    style_filter_form(filterset.form)
    quote_list = list(filterset.qs)
    currencies = {quote.currency for quote in quote_list}
    return render(
        request,
        "deals/quotes/request_quotes.html",
        {
            "buying_request": buying_request,
            "rows": quote_rows(request.user, quote_list),
            "filter_form": filterset.form,
            "mixed_currencies": len(currencies) > 1,
            "open_count": sum(quote.status == QuoteStatus.OPEN for quote in quote_list),
            "next_url": request.get_full_path(),
        },
    )
