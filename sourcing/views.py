"""Buying request pages: the buyer's requests and form, one request, the counsellor's
requests to approve, and the producers' board.

Views route and render. Every change goes through `sourcing.services`; what a viewer may see
and do comes from `sourcing.policies`. A service's ValidationError is shown on its form, an
illegal transition (`StateConflict`) as a message, PermissionDenied is a 403 and a request the
viewer may not see a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import BaseFormSet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.companies import acts_for, buyer_of
from accounts.forms import add_service_errors
from accounts.models import BuyerProfile, Role
from accounts.onboarding import COMPANY
from accounts.views import roles_required
from portal.exceptions import StateConflict
from portal.filters import style_filter_form
from portal.redirects import safe_next

from . import selectors, services
from .filtersets import RequestFilterSet
from .forms import (
    LINES_PREFIX,
    LineForm,
    NoteForm,
    RequestForm,
    ReturnForm,
    StatusFilterForm,
    line_formset,
)
from .models import BuyingRequest, RequestStatus
from .policies import (
    can_close_request,
    can_edit_request,
    can_review_request,
    is_editable,
    revealed_request_ids,
    sees_buyer,
    sees_history,
    shown_port,
)

MAX_LINES = services.MAX_LINES
REQUESTS_PER_PAGE = 20
NEW_REQUEST_LINES = 1  # blank line rows a new form starts with
CLOSABLE = services.CLOSABLE


def url_or_none(name: str, **kwargs) -> str | None:
    """The URL of a page another app may provide (the producer's interest, the buyer's quotes),
    or None while no app does."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def _annotate(user, requests) -> list[BuyingRequest]:
    """What each request shows this viewer: its buyer or not, and the port."""
    requests = list(requests)
    revealed = revealed_request_ids(user, [item.pk for item in requests]) if user.is_producer else None
    for item in requests:
        item.buyer_shown = sees_buyer(user, item, revealed)
        item.port_shown = shown_port(item, withheld=not item.buyer_shown)
        item.line_list = list(item.lines.all())
        item.more_lines = max(0, len(item.line_list) - 3)
    return requests


# --- The buyer's requests ----------------------------------------------------------------


def _own_buyer(request: HttpRequest) -> BuyerProfile | None:
    profile = buyer_of(request.user)
    if profile is None:
        messages.info(request, _("Tell us about your company first."))
    return profile


@roles_required(Role.BUYER)
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """A buyer's requests, newest first, by status."""
    if _own_buyer(request) is None:
        return redirect("accounts:onboarding_step", step=COMPANY)
    form = StatusFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = Paginator(selectors.own_requests(request.user, status=status or None), REQUESTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    page.object_list = _annotate(request.user, page.object_list)
    return render(request, "sourcing/mine.html", {"page": page, "form": form, "status": status})


def _posted_count(request: HttpRequest) -> int:
    try:
        count = int(request.POST.get(f"{LINES_PREFIX}-TOTAL_FORMS", "0"))
    except ValueError:
        return 0
    return max(0, min(count, MAX_LINES))


def _unbound_forms(request: HttpRequest, *, extra_lines: int) -> tuple[RequestForm, BaseFormSet]:
    """The posted form again, unbound (no errors shown yet), with `extra_lines` more blank
    lines: what "Add a line" answers, without JavaScript."""
    post = request.POST
    form = RequestForm(
        initial={name: post.get(name, "") for name in post if not name.startswith(LINES_PREFIX)}
    )
    lines = [
        {field: post.get(f"{LINES_PREFIX}-{index}-{field}", "") for field in LineForm.base_fields}
        for index in range(_posted_count(request))
        if not post.get(f"{LINES_PREFIX}-{index}-DELETE")
    ]
    return form, line_formset(initial=lines, extra=extra_lines)


def _submit(form: RequestForm, formset: BaseFormSet, save) -> BuyingRequest | None:
    """Validate the form and its lines, call `save` (a service) with their data; show the
    service's errors beside the fields (a line's beside its line). The request when saved."""
    form_valid, lines_valid = form.is_valid(), formset.is_valid()
    if not (form_valid and lines_valid):
        return None
    kept = [line for line in formset.forms if not formset._should_delete_form(line) and not line.is_blank()]
    data = form.service_data()
    data["lines"] = [{field: line.cleaned_data.get(field) for field in services.LINE_FIELDS} for line in kept]
    try:
        return save(data)
    except ValidationError as error:
        per_line = services.line_errors(error)
        for line, errors in zip(kept, per_line, strict=False):
            for field, texts in errors.items():
                for text in texts:
                    line.add_error(field if field in line.fields else None, text)
        fields = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
        for field, texts in fields.items():
            if field == "lines" and per_line:
                continue  # shown beside each line
            for text in texts:
                form.add_error(field if field in form.fields else None, text)
        return None


def _form_page(
    request: HttpRequest, *, item: BuyingRequest | None, buyer: BuyerProfile, save
) -> HttpResponse:
    if request.method == "POST" and request.POST.get("add_line"):
        form, formset = _unbound_forms(request, extra_lines=1)
    elif request.method == "POST":
        form, formset = RequestForm(request.POST), line_formset(data=request.POST)
        saved = _submit(form, formset, save)
        if saved is not None:
            if item is None:
                messages.success(
                    request, _("Your request went to the trade counsellor of your market for approval.")
                )
            else:
                messages.success(request, _("Your request has been saved."))
            return redirect("sourcing:detail", pk=saved.pk)
    elif item is None:
        form = RequestForm(initial=RequestForm.initial_from(None, buyer))
        formset = line_formset(extra=NEW_REQUEST_LINES)
    else:
        form = RequestForm(initial=RequestForm.initial_from(item))
        formset = line_formset(initial=[LineForm.initial_from(line) for line in item.lines.all()])
    return render(
        request,
        "sourcing/form.html",
        {"form": form, "formset": formset, "item": item, "max_lines": MAX_LINES},
    )


@roles_required(Role.BUYER)
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    buyer = _own_buyer(request)
    if buyer is None:
        return redirect("accounts:onboarding_step", step=COMPANY)
    return _form_page(
        request,
        item=None,
        buyer=buyer,
        save=lambda data: services.request_create(actor=request.user, data=data, buyer=buyer),
    )


def _page_request(request: HttpRequest, pk: int) -> BuyingRequest:
    try:
        return selectors.request_detail(user=request.user, pk=pk)
    except BuyingRequest.DoesNotExist:
        raise Http404(_("No such buying request.")) from None


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _page_request(request, pk)
    if not can_edit_request(request.user, item):
        raise PermissionDenied(_("You may not change this request."))
    if not is_editable(item):
        messages.error(
            request,
            _("This request is %(status)s: it can no longer be changed.")
            % {"status": item.get_status_display().lower()},
        )
        return redirect("sourcing:detail", pk=item.pk)
    return _form_page(
        request,
        item=item,
        buyer=item.buyer,
        save=lambda data: services.request_update(request=item, actor=request.user, data=data),
    )


# --- One request -------------------------------------------------------------------------


def _detail_context(request: HttpRequest, item: BuyingRequest, **forms) -> dict:
    user = request.user
    (item,) = _annotate(user, [item])
    published = item.status == RequestStatus.PUBLISHED
    return {
        "item": item,
        "events": list(item.events.all()) if sees_history(user, item) else [],
        "sees_history": sees_history(user, item),
        "may_edit": can_edit_request(user, item) and is_editable(item),
        "may_close": can_close_request(user, item) and item.status in CLOSABLE,
        "may_review": can_review_request(user, item) and item.status == RequestStatus.PENDING,
        "interest_url": (
            url_or_none("matchmaking:request-interest", pk=item.pk)
            if user.is_producer and published
            else None
        ),
        "quotes_url": url_or_none("deals:request-quotes", pk=item.pk) if acts_for(user, item.buyer) else None,
        "approve_form": forms.get("approve_form") or NoteForm(auto_id="id_approve_%s"),
        "return_form": forms.get("return_form") or ReturnForm(auto_id="id_return_%s"),
        "close_form": forms.get("close_form") or NoteForm(auto_id="id_close_%s"),
    }


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One request as the viewer may see it (the buyer withheld from producers until forward)."""
    item = _page_request(request, pk)
    return render(request, "sourcing/detail.html", _detail_context(request, item))


# --- Actions: approve, return, close -----------------------------------------------------

ACTIONS = {
    "approve": (NoteForm, can_review_request, services.request_approve, "id_approve_%s", "approve_form"),
    "return": (ReturnForm, can_review_request, services.request_return, "id_return_%s", "return_form"),
    "close": (NoteForm, can_close_request, services.request_close, "id_close_%s", "close_form"),
}
SUCCESS = {
    "approve": lambda: _(
        "Approved: the request is published on the producers' board. The buyer has been emailed."
    ),
    "return": lambda: _("Returned to the buyer with your note. The buyer has been emailed."),
    "close": lambda: _("The request is closed."),
}


def _perform(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    item = _page_request(request, pk)
    form_class, policy, service, auto_id, form_name = ACTIONS[name]
    if not policy(request.user, item):
        raise PermissionDenied(_("You may not do this."))
    back = safe_next(request, reverse("sourcing:detail", args=[item.pk]))
    form = form_class(request.POST, auto_id=auto_id)
    if form.is_valid():
        try:
            service(request=item, actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
        except StateConflict as conflict:
            messages.error(request, conflict.message)
            return redirect(back)
        else:
            messages.success(request, SUCCESS[name]())
            return redirect(back)
    messages.error(request, _("The form has errors; see below."))
    if back.startswith(reverse("sourcing:review")):
        return _review_page(request, failed=(item.pk, form_name, form))
    return render(request, "sourcing/detail.html", _detail_context(request, item, **{form_name: form}))


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _perform(request, pk, "approve")


@login_required
@require_POST
def return_to_buyer(request: HttpRequest, pk: int) -> HttpResponse:
    return _perform(request, pk, "return")


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    return _perform(request, pk, "close")


# --- The counsellor's requests to approve -------------------------------------------------


def _review_page(request: HttpRequest, failed: tuple | None = None) -> HttpResponse:
    page = Paginator(selectors.review_queue(request.user), REQUESTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    items = _annotate(request.user, page.object_list)
    for item in items:
        item.approve_form = NoteForm(auto_id=f"id_approve_{item.pk}_%s")
        item.return_form = ReturnForm(auto_id=f"id_return_{item.pk}_%s")
        if failed and failed[0] == item.pk:
            setattr(item, failed[1], failed[2])
            failed[2].auto_id = f"id_{failed[1].removesuffix('_form')}_{item.pk}_%s"
    page.object_list = items
    return render(request, "sourcing/review.html", {"page": page})


@roles_required(Role.COUNSELLOR, staff=True)
@require_GET
def review(request: HttpRequest) -> HttpResponse:
    """The pending requests of the buyers in the counsellor's markets (all for staff), oldest first."""
    return _review_page(request)


# --- The producers' board ----------------------------------------------------------------


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """Published requests for producers: those in their sectors and markets, or all of them;
    the buyers withheld until a counsellor forwards a match."""
    user = request.user
    if user.is_buyer:
        return redirect("sourcing:mine")
    if user.is_counsellor:
        return redirect("sourcing:review")
    if not (user.is_producer or user.is_portal_staff):
        raise PermissionDenied(_("Your role does not give access to this page."))
    params = request.GET.copy()
    params.setlist("status", [RequestStatus.PUBLISHED])
    params.pop("ordering", None)
    filterset = RequestFilterSet(params, queryset=selectors.visible_requests(user), request=request)
    valid = filterset.is_valid()
    requests = filterset.qs.order_by("-published_at", "-id") if valid else BuyingRequest.objects.none()
    style_filter_form(filterset.form)
    page = Paginator(requests, REQUESTS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = _annotate(user, page.object_list)
    everything = bool(valid and filterset.form.cleaned_data.get("all"))
    return render(
        request,
        "sourcing/board.html",
        {
            "page": page,
            "form": filterset.form,
            "valid": valid,
            "everything": everything,
            "filtered": bool(request.GET.get("hs") or request.GET.get("destination_country")),
            "has_profile": selectors.producer_of(user) is not None or not user.is_producer,
        },
    )
