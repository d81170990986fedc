"""Match pages: one match, a producer's leads, a buyer's introductions, and the actions on them.

Views route and render. Every change goes through `matchmaking.lifecycle`; what a viewer
may see and do comes from `matchmaking.policies` (through `matchmaking.actions`) and
`accounts.policies`. A service's ValidationError is shown on its form, an illegal transition
(`StateConflict`) as a message, and PermissionDenied is a 403. The action endpoints answer htmx
requests with the match's actions partial, so a queue can forward or reject in place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.forms import add_service_errors
from accounts.models import ProducerProfile
from catalogue.models import Product
from catalogue.selectors import product_detail as visible_product
from matchmaking import interest, introduction_requests, lifecycle, outcomes, selectors
from matchmaking.forms import (
    ConfirmOutcomeForm,
    ForwardForm,
    InterestForm,
    MatchActionForm,
    OutcomeForm,
    PartyStatusFilterForm,
    ReassignForm,
    RejectForm,
    RequestIntroductionForm,
    RespondForm,
)
from matchmaking.models import Match, MatchStatus, RejectReason
from matchmaking.pages import match_page_sections
from matchmaking.policies import events_visible_to, sees_engine_evidence
from matchmaking.reasons import render_breakdown, render_responsiveness, sector_codes, sector_names
from portal.bidi import isolate
from portal.exceptions import RateLimited, StateConflict
from portal.formatting import format_number
from portal.redirects import safe_next
from sourcing.models import BuyingRequest

MATCHES_PER_PAGE = 20


# --- Helpers -----------------------------------------------------------------------------


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _reasons(match: Match, names: dict[str, str]) -> list[dict]:
    """The match's factors as rows: label key, score, weight and the reason in the active language."""
    return [{"factor": factor, **entry} for factor, entry in render_breakdown(match.breakdown, names).items()]


def _with_reasons(matches: list[Match]) -> list[Match]:
    """Attach each match's rendered reasons, naming their HS codes in one query."""
    names = sector_names(sector_codes(match.breakdown for match in matches))
    for match in matches:
        match.reasons = _reasons(match, names)
    return matches


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- One match ---------------------------------------------------------------------------


def _detail_context(request: HttpRequest, match: Match, counsellors: list | None = None) -> dict:
    """The match page's context (`counsellors`: the hand-over choices when already read)."""
    _with_reasons([match])
    if sees_engine_evidence(request.user):
        match.evidence = render_responsiveness(match.breakdown)
    if counsellors is None:
        counsellors = selectors.handover_counsellors(request.user, [match])
    return {
        "match": match,
        "events": events_visible_to(request.user, match, match.events.all()),
        "handover_counsellors": counsellors,
        "sections": match_page_sections(request, match),
    }


def _page_match(request: HttpRequest, pk: int) -> Match:
    try:
        return selectors.match_page_queryset(request.user).get(pk=pk)
    except Match.DoesNotExist:
        raise Http404(_("No such match.")) from None


@login_required
@require_GET
def match_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One match as the viewer may see it, with the actions they may take."""
    match = _page_match(request, pk)
    return render(request, "matchmaking/match_detail.html", _detail_context(request, match))


# --- Actions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Action:
    form: type[MatchActionForm]
    run: Callable[[Match, object, dict], Match]
    success: Callable[[Match, dict], str]


def _respond_success(match: Match, data: dict) -> str:
    if match.status == MatchStatus.CONNECTED:
        return _("You are connected: both sides accepted. Each of you has been emailed the other's contacts.")
    if match.status == MatchStatus.DECLINED:
        return _("You declined this match. The trade counsellor has been told.")
    return _("You accepted. Once the other company accepts too, you are connected and both get an email.")


def _outcome_success(match: Match, data: dict) -> str:
    if not outcomes.is_confirmed(match):
        return _("Your outcome is declared. The other company is asked to confirm it.")
    if match.outcome_confirmed_by_id != match.outcome_declared_by_id:
        return _("The outcome is confirmed: both companies agree.")
    if match.status == MatchStatus.WON:
        return _("The deal is recorded as won.")
    return _("The deal is recorded as lost.")


ACTIONS: dict[str, _Action] = {
    "forward": _Action(
        ForwardForm,
        lambda match, user, data: lifecycle.match_forward(match=match, actor=user, note=data["note"]),
        lambda match, data: _("Forwarded. The producer and the buyer have been emailed."),
    ),
    "reject": _Action(
        RejectForm,
        lambda match, user, data: lifecycle.match_reject(
            match=match, actor=user, reason=data["reason"], reason_code=data["reason_code"]
        ),
        lambda match, data: (
            _("Rejected. The pair is proposed again only if one of the profiles changes.")
            if match.reject_reason != RejectReason.WRONG_PRODUCT
            else _("Rejected as the wrong product. The pair is proposed again only if the HS codes change.")
        ),
    ),
    "respond": _Action(
        RespondForm,
        lambda match, user, data: lifecycle.match_respond(
            match=match, actor=user, decision=data["decision"], note=data["note"]
        ),
        _respond_success,
    ),
    "outcome": _Action(
        OutcomeForm,
        lambda match, user, data: outcomes.match_record_outcome(
            match=match,
            actor=user,
            outcome=data["outcome"],
            value=data["value"] or None,
            currency=data["currency"],
            note=data["note"],
        ),
        _outcome_success,
    ),
    "confirm_outcome": _Action(
        ConfirmOutcomeForm,
        lambda match, user, data: outcomes.match_confirm_outcome(
            match=match, actor=user, note=data["note"], declared_at=data["declared_at"]
        ),
        lambda match, data: _("Thank you: the outcome is confirmed."),
    ),
    "reassign": _Action(
        ReassignForm,
        lambda match, user, data: lifecycle.match_reassign(
            match=match, actor=user, counsellor=data["counsellor_user"], note=data["note"]
        ),
        lambda match, data: (
            _("Handed to %(name)s, who has been emailed.")
            % {"name": isolate(data["counsellor_user"].get_full_name())}
        ),
    ),
}


def _bound_form(name: str, request: HttpRequest, match: Match, counsellors: list | None) -> MatchActionForm:
    form_class = ACTIONS[name].form
    if form_class is ReassignForm:
        return ReassignForm(request.POST, match=match, counsellors=counsellors or ())
    return form_class(request.POST, match=match)


def _form_data(name: str, form: MatchActionForm, request: HttpRequest, counsellors: list | None) -> dict:
    data = dict(form.cleaned_data)
    if name == "respond":
        data["decision"] = request.POST.get("decision", "")
    if name == "reassign":
        chosen = {user.pk: user for user in counsellors or ()}
        data["counsellor_user"] = chosen[data["counsellor"]]
    return data


def _perform(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """Run one action on a match the viewer sees; answer htmx with the partial, else redirect."""
    try:
        match = selectors.match_for_actions(request.user, pk)
    except Match.DoesNotExist:
        if _is_htmx(request):  # e.g. a colleague took it from the pool meanwhile: say so in place
            return render(
                request,
                "matchmaking/includes/match_actions.html",
                {"match": None, "match_id": pk, "error": _("This match is no longer yours to act on.")},
            )
        raise Http404(_("No such match.")) from None
    action = ACTIONS[name]
    # The counsellors a reassignment may choose from, read once for the form and the page.
    counsellors = selectors.active_counsellors() if action.form is ReassignForm else None
    form = _bound_form(name, request, match, counsellors)
    success = error = None
    if form.is_valid():
        data = _form_data(name, form, request, counsellors)
        try:
            match = action.run(match, request.user, data)
        except ValidationError as service_error:
            add_service_errors(form, service_error)
        except StateConflict as conflict:
            error = conflict.message
        else:
            success = action.success(match, data)

    failed = success is None and error is None
    # After a reassignment the match may have left the viewer's sight: no 404 for that.
    fresh = match if failed else selectors.match_page_queryset(request.user).filter(pk=pk).first()
    if success and fresh is None:
        return _gone_to_queue(request, success)
    detail_url = reverse("matchmaking:match_detail", args=[pk]) if fresh is not None else reverse("dashboard")
    if _is_htmx(request):
        context = {
            "match": fresh,
            "match_id": pk,
            "inline": True,
            "next_url": safe_next(request, ""),
            "success": success,
            "error": error,
            "failed_form": form if failed else None,
            "failed_match_id": pk,
            "handover_counsellors": (
                counsellors
                if counsellors is not None
                else selectors.handover_counsellors(request.user, [fresh])
            ),
        }
        return render(request, "matchmaking/includes/match_actions.html", context)
    if not failed:
        messages.add_message(request, messages.SUCCESS if success else messages.ERROR, success or error)
        return redirect(safe_next(request, detail_url))
    # The form's errors, shown on the match's page with what was typed kept.
    context = _detail_context(request, _page_match(request, pk), counsellors)
    context.update({"failed_form": form, "failed_match_id": pk, "next_url": safe_next(request, "")})
    messages.error(request, _("The form has errors; see below."))
    return render(request, "matchmaking/match_detail.html", context)


def _gone_to_queue(request: HttpRequest, success: str) -> HttpResponse:
    """The match went out of the viewer's sight with their action (handed to a colleague):
    back to their review queue with what happened, never to the match's page (a 404 now),
    whatever `next` says; htmx is told to go there too."""
    left = _("It has left your queue.")
    messages.success(request, f"{success} {left}")
    queue_url = reverse("counsellors:queue")
    if _is_htmx(request):
        return HttpResponse(headers={"HX-Redirect": queue_url})
    return redirect(queue_url)


def _action_view(name: str):
    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        return _perform(request, pk, name)

    view.__name__ = f"match_{name}"
    view.__doc__ = f"POST: {name} the match (lifecycle service); htmx gets the actions partial."
    return view


match_forward = _action_view("forward")
match_reject = _action_view("reject")
match_respond = _action_view("respond")
match_outcome = _action_view("outcome")
match_confirm_outcome = _action_view("confirm_outcome")
match_reassign = _action_view("reassign")


# --- A party's matches -------------------------------------------------------------------


@dataclass(frozen=True)
class _PartyPage:
    side: str
    title: str
    template_other: str
    url_name: str


PARTY_PAGES = {
    "producer": _PartyPage("producer", gettext_lazy("Your leads"), "buyer", "matchmaking:leads"),
    "buyer": _PartyPage("buyer", gettext_lazy("Your introductions"), "producer", "matchmaking:introductions"),
}


def _party_page(request: HttpRequest, side: str) -> HttpResponse:
    user = request.user
    own = user.party_side
    if own != side:
        if own is not None:
            return redirect(PARTY_PAGES[own].url_name)
        messages.info(request, _("Leads and introductions are the producers' and buyers' pages."))
        return redirect("dashboard")
    form = PartyStatusFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    matches = selectors.party_matches(user, side=side, status=status or None)
    page = Paginator(matches, MATCHES_PER_PAGE).get_page(request.GET.get("page"))
    _with_reasons(page.object_list)
    return render(
        request,
        "matchmaking/party_matches.html",
        {
            "page": page,
            "form": form,
            "status": status,
            "side": side,
            "other": PARTY_PAGES[side].template_other,
            "title": PARTY_PAGES[side].title,
            "handover_counsellors": selectors.handover_counsellors(user, page.object_list),
        },
    )


@login_required
@require_GET
def leads(request: HttpRequest) -> HttpResponse:
    """A producer's leads: buyers a trade counsellor forwarded to it."""
    return _party_page(request, "producer")


@login_required
@require_GET
def introductions(request: HttpRequest) -> HttpResponse:
    """A buyer's introductions: producers a trade counsellor forwarded to it."""
    return _party_page(request, "buyer")


@login_required
@require_GET
def my_introduction_requests(request: HttpRequest) -> HttpResponse:
    """A buyer's own introduction requests and what became of each (matchmaking.introduction_requests)."""
    if not request.user.is_buyer:
        messages.info(request, _("This page lists a buyer's introduction requests."))
        return redirect("dashboard")
    page = Paginator(introduction_requests.buyer_requests(request.user), MATCHES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = [introduction_requests.request_row(match) for match in page.object_list]
    return render(request, "matchmaking/introduction_requests.html", {"page": page, "rows": rows})


# --- A buyer's request -------------------------------------------------------------------


@login_required
@require_POST
def request_introduction(request: HttpRequest) -> HttpResponse:
    """A buyer asks the trade counsellor for an introduction to a product's producer."""
    form = RequestIntroductionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a product or a producer."))
        return redirect(safe_next(request, reverse("catalogue:product-list")))
    product = producer = None
    try:
        if form.cleaned_data["product"]:
            product = visible_product(user=request.user, pk=form.cleaned_data["product"])
        elif form.cleaned_data["producer"]:
            producer = ProducerProfile.objects.get(pk=form.cleaned_data["producer"])
    except (Product.DoesNotExist, ProducerProfile.DoesNotExist):
        raise Http404(_("No such product or producer.")) from None
    if product is not None:
        back = reverse("catalogue:product-detail", args=[product.pk])
    elif producer is not None:
        back = reverse("catalogue:producer-detail", args=[producer.pk])
    else:
        back = reverse("catalogue:product-list")
    back = safe_next(request, back)
    try:
        match = lifecycle.request_introduction(
            actor=request.user, product=product, producer=producer, message=form.cleaned_data["message"]
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    except StateConflict as conflict:
        messages.error(request, conflict.message)
    except RateLimited as limited:
        minutes = max(1, -(-(limited.wait or 60) // 60))
        messages.error(
            request,
            ngettext(
                "You have asked for many introductions in a short time. Please try again in %(n)s minute.",
                "You have asked for many introductions in a short time. Please try again in %(n)s minutes.",
                minutes,
            )
            % {"n": format_number(minutes)},
        )
    else:
        # The same words whatever the pair's past (see lifecycle.request_introduction).
        messages.success(
            request,
            _("Your request went to the trade counsellor for %(country)s.")
            % {"country": match.buyer.country.name}
            + " "
            + _("We will email you once they forward it to the producer."),
        )
    return redirect(back)


# --- A producer's interest in a buying request -----------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def request_interest(request: HttpRequest, pk: int) -> HttpResponse:
    """A producer answers a published buying request with one of its products (the buyer is
    not named: the counsellor forwards the match once it fits)."""
    if not interest.can_express_interest(request.user):
        raise PermissionDenied(_("Only producers express interest in buying requests."))
    buying_request = interest.requests_open_to(request.user).filter(pk=pk).first()
    if buying_request is None:
        raise Http404(_("No such buying request."))
    products = interest.interest_products(request.user)
    form = InterestForm(request.POST or None, products=products)
    if request.method == "POST" and form.is_valid():
        try:
            interest.express_interest(
                request=buying_request,
                product=form.cleaned_data["product"],
                actor=request.user,
                message=form.cleaned_data["message"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except StateConflict as conflict:
            messages.error(request, conflict.message)
        except BuyingRequest.DoesNotExist:
            raise Http404(_("No such buying request.")) from None
        else:
            messages.success(
                request,
                _("Your interest went to the trade counsellor.")
                + " "
                + _("We will email you once they forward it: you then see the buyer and can quote."),
            )
            return redirect("matchmaking:leads")
    lines = buying_request.lines.select_related("sector").order_by("position", "pk")
    return render(
        request,
        "matchmaking/request_interest.html",
        {"buying_request": buying_request, "lines": lines, "form": form, "has_products": products.exists()},
    )
