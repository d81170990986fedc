"""Onboarding and profile pages for producers and buyers.

The views route and render; what counts as done lives in `accounts.onboarding`,
every write goes through `accounts.services`, and a service's ValidationError is
shown beside the form's fields. Each onboarding step is rendered by the view its
owner registered (`accounts.onboarding.register_step`): accounts' own steps by
`form_step`, the producer's products step by the catalogue.
"""

import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from portal.exceptions import StateConflict
from portal.storage import serve_private

from . import logos, onboarding, verifications
from .companies import buyer_of, producer_of
from .forms import (
    BuyerProfileForm,
    ProducerProfileForm,
    ServiceForm,
    VerificationRequestForm,
    add_service_errors,
)
from .models import Role, Verification, VerificationDocument, VerificationStatus
from .policies import can_view_verification
from .services import (
    buyer_profile_create,
    buyer_profile_update,
    producer_profile_create,
    producer_profile_update,
)

DOCUMENT_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,40}")

PROFILE_FORMS: dict[str, type[ServiceForm]] = {
    Role.PRODUCER: ProducerProfileForm,
    Role.BUYER: BuyerProfileForm,
}


def roles_required(*roles: str, staff: bool = False) -> Callable:
    """Signed in with one of `roles` (or portal staff when `staff`); else 403."""

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if user.role not in roles and not (staff and user.is_portal_staff):
                raise PermissionDenied(_("Your role does not give access to this page."))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _save_profile(*, user, profile, data: dict[str, Any]):
    """Create the user's profile on the first save, update it afterwards."""
    if user.role == Role.PRODUCER:
        if profile is None:
            return producer_profile_create(actor=user, data=data)
        return producer_profile_update(profile=profile, actor=user, data=data)
    if profile is None:
        return buyer_profile_create(actor=user, data=data)
    return buyer_profile_update(profile=profile, actor=user, data=data)


# --- Onboarding ----------------------------------------------------------------


@roles_required(Role.PRODUCER, Role.BUYER)
def onboarding_start(request: HttpRequest) -> HttpResponse:
    """Send the user to the first step still missing, or to the dashboard once ready."""
    completeness = onboarding.completeness_for_user(request.user)
    step = completeness.first_missing
    if step is None:
        messages.success(request, _("Your profile is complete and ready for matching."))
        return redirect("dashboard")
    return redirect("accounts:onboarding_step", step=step.key)


@roles_required(Role.PRODUCER, Role.BUYER)
@require_http_methods(["GET", "POST"])
def onboarding_step(request: HttpRequest, step: str) -> HttpResponse:
    """One step of the user's onboarding, rendered by the view its owner registered."""
    user = request.user
    registered = onboarding.registered_step(user.role, step)
    if registered is None:
        raise Http404
    completeness = onboarding.completeness_for_user(user)
    if step != onboarding.COMPANY and completeness.profile is None:
        messages.info(request, _("Start with your company; the other steps follow."))
        return redirect("accounts:onboarding_step", step=onboarding.COMPANY)
    return registered.view(request, completeness, completeness.step(step))


def form_step(form_class: type[ServiceForm]) -> onboarding.StepView:
    """The view of a step that edits part of the user's profile with `form_class`."""

    def view(
        request: HttpRequest, completeness: onboarding.Completeness, current: onboarding.Step
    ) -> HttpResponse:
        user, profile = request.user, completeness.profile
        if request.method == "POST":
            form = form_class(request.POST)
            if form.submit(lambda data: _save_profile(user=user, profile=profile, data=data)):
                messages.success(request, _("Saved."))
                return redirect("accounts:onboarding")
        else:
            form = form_class(initial=form_class.initial_from(profile))
        return render(
            request,
            "accounts/onboarding/step.html",
            {"completeness": completeness, "current": current, "form": form},
        )

    return view


# --- Profile -------------------------------------------------------------------


@roles_required(Role.PRODUCER, Role.BUYER)
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    user = request.user
    completeness = onboarding.completeness_for_user(user)
    profile = completeness.profile
    form_class = PROFILE_FORMS[user.role]
    if request.method == "POST":
        form = form_class(request.POST)
        if form.submit(lambda data: _save_profile(user=user, profile=profile, data=data)):
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:profile")
    else:
        form = form_class(initial=form_class.initial_from(profile))
    return render(
        request,
        "accounts/profile_form.html",
        {
            "completeness": completeness,
            "form": form,
            "company": profile,
            "logo_max_megabytes": _logo_megabytes(),
        },
    )


# --- Verification ------------------------------------------------------------------


def _own_profile(user):
    return producer_of(user) if user.is_producer else buyer_of(user)


@roles_required(Role.PRODUCER, Role.BUYER)
@require_http_methods(["GET", "POST"])
def verification(request: HttpRequest) -> HttpResponse:
    """The company's verification: its standing (what counts), the request waiting, the upload
    form, and the history with the reasons of refusals."""
    user = request.user
    profile = _own_profile(user)
    if profile is None:
        messages.info(request, _("Start with your company; the other steps follow."))
        return redirect("accounts:onboarding_step", step=onboarding.COMPANY)
    company = profile.company
    if request.method == "POST":
        form = VerificationRequestForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                verifications.verification_request(
                    company=company, actor=user, documents=form.documents(), note=form.cleaned_data["note"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except StateConflict as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your request has been sent to the reviewer."))
                return redirect("accounts:verification")
    else:
        form = VerificationRequestForm()
    history = (
        Verification.objects.filter(company=company)
        .select_related("reviewer")
        .prefetch_related("documents", "events")
        .order_by("-created_at", "-id")
    )
    pending = next((v for v in history if v.status == VerificationStatus.PENDING), None)
    context = {
        "profile": profile,
        "company": company,
        "history": history,
        "pending": pending,
        "form": form,
        "today": timezone.localdate(),
    }
    return render(request, "accounts/verification/page.html", context)


@require_GET
def verification_document(request: HttpRequest, token: str) -> HttpResponse:
    """A piece of evidence, to the company's members, the reviewers in scope and staff: 404 to
    anyone else (signed out included), never a storage URL, never cached by a shared cache."""
    if not DOCUMENT_TOKEN.fullmatch(token):
        raise Http404(_("No such file."))
    document = (
        VerificationDocument.objects.select_related(
            "verification__company__producer", "verification__company__buyer"
        )
        .filter(token=token)
        .first()
    )
    if document is None or not can_view_verification(request.user, document.verification):
        raise Http404(_("No such file."))
    return serve_private(document.file, filename=document.name, content_type=document.content_type)


def _logo_megabytes() -> int:
    return logos.logo_max_bytes() // (1024 * 1024)


@roles_required(Role.PRODUCER, Role.BUYER)
@require_http_methods(["POST"])
def profile_logo(request: HttpRequest) -> HttpResponse:
    """Set (an `image`) or remove (`action` remove) the logo of the company the user acts for."""
    user = request.user
    profile = producer_of(user) if user.role == Role.PRODUCER else buyer_of(user)
    if profile is None:
        messages.info(request, _("Tell us about your company first."))
        return redirect("accounts:profile")
    if request.POST.get("action") == "remove":
        logos.company_logo_remove(profile=profile, actor=user)
        messages.success(request, _("Logo removed."))
    elif "image" not in request.FILES:
        messages.error(request, _("Choose a picture for your logo."))
    else:
        try:
            logos.company_logo_set(profile=profile, actor=user, upload=request.FILES["image"])
        except ValidationError as error:
            reason = " ".join(message for field in error.message_dict.values() for message in field)
            messages.error(request, _("The logo was not saved: %(reason)s") % {"reason": reason})
        else:
            messages.success(request, _("Logo saved."))
    return redirect(reverse("accounts:profile") + "#logo")
