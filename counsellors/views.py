"""The counsellors' pages: the review queue (with bulk forward/reject), the counsellor's and
the province's dashboards, and the market briefs.

Views route and render: who sees which match is `matchmaking.policies`, the reads are in
`counsellors.selectors`, every write goes through `counsellors.bulk` (the lifecycle
services) or `counsellors.briefs`, whose field errors are shown beside the fields.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import verifications
from accounts.forms import VerificationRefuseForm, VerificationVerifyForm, add_service_errors
from accounts.models import BuyerProfile, Role, Verification, VerificationStatus
from accounts.policies import can_review_verification, verifications_visible_to
from accounts.views import roles_required
from matchmaking.ageing import service_levels
from matchmaking.models import Match, RejectReason
from matchmaking.policies import matches_visible_to
from portal.bidi import isolate
from portal.exceptions import StateConflict
from portal.formatting import format_number, join_list
from portal.redirects import safe_next

from . import briefs, buyer_texts, charts, selectors, services
from .bulk import FORWARD, bulk_review
from .filtersets import BriefPageFilterSet, QueueFilterSet
from .forms import BriefForm, BulkReviewForm, BuyerTranslationsForm, DeskForm
from .models import CounsellorProfile, MarketBrief

# A real day fits one page: the rows are one line each (issue 19).
QUEUE_PER_PAGE = 100
BRIEFS_PER_PAGE = 20

counsellor_or_staff = roles_required(Role.COUNSELLOR, staff=True)
staff_only = roles_required(staff=True)


# --- The review queue ---------------------------------------------------------------------


def _without_page(params: QueryDict) -> str:
    params = params.copy()
    params.pop("page", None)
    return params.urlencode()


def _queue_context(request: HttpRequest, params: QueryDict) -> dict:
    filterset = QueueFilterSet(params, queryset=selectors.review_queue(request.user))
    valid = filterset.is_valid()
    matches = filterset.qs if valid else Match.objects.none()
    page = Paginator(matches, QUEUE_PER_PAGE).get_page(params.get("page"))
    rows = selectors.queue_rows(page.object_list, request.user)
    query = params.urlencode()
    levels = service_levels()
    return {
        # The queue's own address with its filters and page: where the forms come back to,
        # also when the page is shown again by the bulk endpoint after an error.
        "here": reverse("counsellors:queue") + (f"?{query}" if query else ""),
        # The "Download" links: the same filters, every page (portal.exports).
        "export_query": _without_page(params),
        "params": params,
        "filter": filterset,
        "form": filterset.form,
        "valid": valid,
        "page": page,
        "rows": rows,
        "reviewable": any(row.can_review for row in rows),
        "filtered": any(key != "page" for key in params),
        "ageing_days": levels.ageing_days,
        "escalation_days": levels.escalation_days,
        "bulk": BulkReviewForm(),
        "reject_reasons": RejectReason.choices,
        "selected": set(),
    }


@counsellor_or_staff
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The matches waiting for the counsellor's review (default: proposed), buyers' requests
    first, 100 a page, one line each; its details and forward/reject forms open in place."""
    return render(request, "counsellors/queue.html", _queue_context(request, request.GET))


@counsellor_or_staff
@require_POST
def queue_bulk(request: HttpRequest) -> HttpResponse:
    """Forward or reject the selected matches; report how many went through and which a
    colleague had already handled. An invalid request shows the queue again with the errors."""
    queue_url = reverse("counsellors:queue")
    back = safe_next(request, queue_url)
    form = BulkReviewForm(request.POST)
    error = None
    if form.is_valid():
        try:
            outcome = bulk_review(
                actor=request.user,
                match_ids=form.cleaned_data["match"],
                action=form.cleaned_data["bulk_action"],
                text=form.text(),
                reason_code=form.cleaned_data.get("reason_code"),
            )
        except ValidationError as service_error:
            error = service_error
    if error is not None or not form.is_valid():
        if error is not None:
            add_service_errors(form, error)
        parts = urlsplit(back)
        params = QueryDict(parts.query) if parts.path == queue_url else QueryDict()
        context = _queue_context(request, params)
        context.update(bulk=form, selected={str(pk) for pk in request.POST.getlist("match")})
        return render(request, "counsellors/queue.html", context, status=400)

    figures = {"done": format_number(len(outcome.done)), "skipped": format_number(outcome.skipped_count)}
    # Counts only: a skipped match is never named (it may be out of the counsellor's sight).
    if outcome.action == FORWARD:
        report = (
            _("%(done)s forwarded, %(skipped)s skipped (already handled, or no longer yours to review).")
            % figures
        )
    else:
        report = (
            _("%(done)s rejected, %(skipped)s skipped (already handled, or no longer yours to review).")
            % figures
        )
    (messages.success if outcome.done else messages.warning)(request, report)
    return redirect(back)


# --- Dashboards ---------------------------------------------------------------------------


@counsellor_or_staff
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The counsellor's figures: queue, ageing, this month's work, deals won, sectors."""
    data = selectors.counsellor_dashboard(request.user)
    chart = charts.pipeline_chart(
        data["by_chapter"], title=_("Matches by HS chapter"), blank=_("Unclassified")
    )
    context = {
        **data,
        "chapter_chart": chart,
        "rejections_chart": charts.rejections_chart(data["rejections"]),
        "statuses": selectors.PIPELINE_STATUSES,
    }
    return render(request, "counsellors/dashboard.html", context)


@staff_only
@require_GET
def province(request: HttpRequest) -> HttpResponse:
    """The province's pipeline for staff: by buyer country, sector and counsellor, the funnel."""
    data = selectors.province_dashboard()
    steps = selectors.funnel_steps(data["funnel"])
    labels = charts.funnel_labels()
    for step in steps:
        step["label"] = labels[step["key"]]
    context = {
        **data,
        "steps": steps,
        "statuses": selectors.PIPELINE_STATUSES,
        "funnel_chart": charts.funnel_chart(steps, labels),
        "rejections_chart": charts.rejections_chart(data["rejections"]),
        "country_chart": charts.pipeline_chart(
            data["by_country"], title=_("Pipeline by buyer country"), blank=_("Unknown")
        ),
        "chapter_chart": charts.pipeline_chart(
            data["by_chapter"], title=_("Pipeline by HS chapter"), blank=_("Unclassified")
        ),
        "counsellor_chart": charts.pipeline_chart(
            data["by_counsellor"], title=_("Pipeline by counsellor"), blank=_("Shared pool")
        ),
    }
    return render(request, "counsellors/province.html", context)


# --- Market briefs --------------------------------------------------------------------------


def _brief_or_404(request: HttpRequest, pk: int) -> MarketBrief:
    brief = briefs.briefs_for_reader(request.user).filter(pk=pk).first()
    if brief is None:
        raise Http404(_("No such market brief."))
    return brief


@login_required
@require_GET
def brief_list(request: HttpRequest) -> HttpResponse:
    """Market briefs, newest first; a producer sees those on its markets and sectors unless
    it asks for all."""
    show_all = request.GET.get("all") == "1"
    queryset, narrowed = selectors.briefs_for_list(request.user, show_all=show_all)
    filterset = BriefPageFilterSet(request.GET, queryset=queryset)
    valid = filterset.is_valid()
    found = filterset.qs if valid else MarketBrief.objects.none()
    page = Paginator(found, BRIEFS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "counsellors/brief_list.html",
        {
            "form": filterset.form,
            "valid": valid,
            "page": page,
            "narrowed": narrowed,
            "show_all": show_all,
            "is_producer": request.user.is_producer,
            "can_write": briefs.can_write_briefs(request.user),
            "filtered": any(request.GET.get(key) for key in ("country", "sector")),
        },
    )


@login_required
@require_GET
def brief_detail(request: HttpRequest, pk: int) -> HttpResponse:
    brief = _brief_or_404(request, pk)
    return render(
        request,
        "counsellors/brief_detail.html",
        {
            "brief": brief,
            "body_html": briefs.brief_html(brief),
            "can_edit": briefs.can_edit_brief(request.user, brief),
        },
    )


def _saved(form, save):
    """What the service `save` returns for the form's data, or None with its errors on the form."""
    if not form.is_valid():
        return None
    try:
        return save(form.service_data())
    except ValidationError as error:
        add_service_errors(form, error)
        return None


@counsellor_or_staff
@require_GET
def match_buyer_translations(request: HttpRequest, pk: int) -> HttpResponse:
    """From a queue row: the translations page of the match's buyer (the queue names matches,
    not buyers, so a row's links carry only ids the counsellor already sees)."""
    buyer_id = (
        matches_visible_to(request.user, Match.objects.filter(pk=pk))
        .values_list("buyer_id", flat=True)
        .first()
    )
    if buyer_id is None:
        raise Http404
    return redirect("counsellors:buyer_translations", pk=buyer_id)


@counsellor_or_staff
@require_http_methods(["GET", "POST"])
def buyer_translations(request: HttpRequest, pk: int) -> HttpResponse:
    """The counsellor of a buyer's market writes its texts in the portal's other languages."""
    buyer = BuyerProfile.objects.filter(pk=pk).first()
    if buyer is None or not buyer_texts.can_translate_buyer(request.user, buyer):
        raise Http404
    initial = BuyerTranslationsForm.initial_from(buyer)
    if request.method == "POST":
        form = BuyerTranslationsForm(request.POST, initial=initial)
        saved = _saved(
            form,
            lambda data: buyer_texts.buyer_translations_update(actor=request.user, buyer=buyer, data=data),
        )
        if saved is not None:
            messages.success(request, _("Translations saved."))
            return redirect("counsellors:buyer_translations", pk=buyer.pk)
    else:
        form = BuyerTranslationsForm(initial=initial)
    return render(request, "counsellors/buyer_translations.html", {"form": form, "buyer": buyer})


@counsellor_or_staff
@require_http_methods(["GET", "POST"])
def brief_create(request: HttpRequest) -> HttpResponse:
    if not briefs.can_write_briefs(request.user):
        raise PermissionDenied(_("Only trade counsellors publish market briefs."))
    if request.method == "POST":
        form = BriefForm(request.POST, user=request.user)
        brief = _saved(form, lambda data: briefs.brief_create(author=request.user, data=data))
        if brief is not None:
            messages.success(request, _("Your brief is published."))
            return redirect("counsellors:brief_detail", pk=brief.pk)
    else:
        form = BriefForm(initial=BriefForm.initial_for(request.user), user=request.user)
    return render(request, "counsellors/brief_form.html", {"form": form, "brief": None})


@counsellor_or_staff
@require_http_methods(["GET", "POST"])
def brief_edit(request: HttpRequest, pk: int) -> HttpResponse:
    brief = _brief_or_404(request, pk)
    if not briefs.can_edit_brief(request.user, brief):
        raise PermissionDenied(_("You may not change this brief."))
    if request.method == "POST":
        form = BriefForm(request.POST, user=request.user)
        saved = _saved(form, lambda data: briefs.brief_update(brief=brief, actor=request.user, data=data))
        if saved is not None:
            messages.success(request, _("Brief saved."))
            return redirect("counsellors:brief_detail", pk=saved.pk)
    else:
        form = BriefForm(initial=BriefForm.initial_from(brief), user=request.user)
    return render(request, "counsellors/brief_form.html", {"form": form, "brief": brief})


@counsellor_or_staff
@require_http_methods(["GET", "POST"])
def brief_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes (the author or staff)."""
    brief = _brief_or_404(request, pk)
    if not briefs.can_edit_brief(request.user, brief):
        raise PermissionDenied(_("You may not delete this brief."))
    if request.method == "POST":
        title = brief.title
        briefs.brief_delete(brief=brief, actor=request.user)
        messages.success(request, _("“%(title)s” has been deleted.") % {"title": isolate(title)})
        return redirect("counsellors:brief_list")
    return render(request, "counsellors/brief_confirm_delete.html", {"brief": brief})


# --- The counsellor's own desk ------------------------------------------------------------


@roles_required(Role.COUNSELLOR)
@require_http_methods(["GET", "POST"])
def desk(request: HttpRequest) -> HttpResponse:
    """The counsellor's phone, languages, sectors and leave; the posting is shown, not edited."""
    profile = CounsellorProfile.objects.filter(user=request.user).prefetch_related("sectors").first()
    if profile is None:
        return render(request, "counsellors/desk.html", {"profile": None, "form": None})
    if request.method == "POST":
        form = DeskForm(request.POST)
        saved = _saved(
            form,
            lambda data: services.counsellor_profile_update(profile=profile, actor=request.user, data=data),
        )
        if saved is not None:
            messages.success(request, _("Your desk is saved."))
            return redirect("counsellors:desk")
    else:
        form = DeskForm(initial=DeskForm.initial_from(profile))
    covered = join_list(country.name for country in profile.covered_countries)
    return render(request, "counsellors/desk.html", {"profile": profile, "form": form, "covered": covered})


# --- Verification requests (accounts.verifications) -----------------------------------------

VERIFICATIONS_PER_PAGE = 20


def _verification_queue(request: HttpRequest, failed: tuple | None = None) -> HttpResponse:
    """The pending requests of the companies in the reviewer's scope, oldest first, each with
    its evidence (downloads through the checked view) and the two decisions."""
    pending = verifications_visible_to(
        request.user,
        Verification.objects.filter(status=VerificationStatus.PENDING)
        .select_related("company__producer", "company__buyer", "created_by")
        .prefetch_related("documents")
        .order_by("created_at", "id"),
    )
    page = Paginator(pending, VERIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    for item in page.object_list:
        item.verify_form = VerificationVerifyForm(auto_id=f"id_verify_{item.pk}_%s")
        item.refuse_form = VerificationRefuseForm(auto_id=f"id_refuse_{item.pk}_%s")
        if failed and failed[0] == item.pk:
            setattr(item, failed[1], failed[2])
    context = {"page": page, "today": timezone.localdate()}
    return render(request, "counsellors/verifications.html", context)


@counsellor_or_staff
@require_GET
def verification_queue(request: HttpRequest) -> HttpResponse:
    return _verification_queue(request)


@counsellor_or_staff
@require_POST
def verification_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """Verify or refuse (with its reason) one request; a request out of the reviewer's sight is
    a 404, a decided one a message."""
    found = Verification.objects.select_related("company__producer", "company__buyer").filter(pk=pk).first()
    if found is None or not can_review_verification(request.user, found):
        raise Http404
    back = reverse("counsellors:verifications")
    if decision == "verify":
        form = VerificationVerifyForm(request.POST, auto_id=f"id_verify_{pk}_%s")
        name = "verify_form"
    else:
        form = VerificationRefuseForm(request.POST, auto_id=f"id_refuse_{pk}_%s")
        name = "refuse_form"
    if form.is_valid():
        try:
            if decision == "verify":
                verifications.verification_verify(
                    verification=found, actor=request.user, note=form.cleaned_data["note"]
                )
            else:
                verifications.verification_refuse(
                    verification=found, actor=request.user, reason=form.cleaned_data["reason"]
                )
        except ValidationError as error:
            add_service_errors(form, error)
        except StateConflict as conflict:
            messages.error(request, conflict.message)
            return redirect(back)
        else:
            company = isolate(str(found.company))
            if decision == "verify":
                messages.success(
                    request,
                    _("%(company)s is verified; its members have been emailed.") % {"company": company},
                )
            else:
                messages.success(
                    request,
                    _("The request of %(company)s is refused; its members have been emailed.")
                    % {"company": company},
                )
            return redirect(back)
    messages.error(request, _("The form has errors; see below."))
    return _verification_queue(request, failed=(found.pk, name, form))
