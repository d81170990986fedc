"""A company's team pages: its members and invitations (the owner manages them, editors read
them), and the page an invitation's link opens. Every write goes through `accounts.teams`."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from portal.exceptions import RateLimited

from . import teams
from .forms import InviteForm
from .models import Company, CompanyRole, Invitation, Role, User
from .onboarding import COMPANY
from .policies import can_manage_company, can_view_team
from .views import roles_required


def _service_message(error: ValidationError) -> str:
    return " ".join(error.messages)


def _own_company(request: HttpRequest) -> Company | None:
    company = request.user.company
    if company is None:
        messages.info(request, _("Tell us about your company first, or accept an invitation to join one."))
    return company


def _managed_company(request: HttpRequest) -> Company:
    company = request.user.company
    if not can_manage_company(request.user, company):
        raise PermissionDenied(_("Only the company's owner manages its members."))
    return company


@roles_required(Role.PRODUCER, Role.BUYER)
@require_http_methods(["GET", "POST"])
def team(request: HttpRequest) -> HttpResponse:
    """The members and pending invitations; the owner invites here (POST)."""
    company = _own_company(request)
    if company is None:
        return redirect("accounts:onboarding_step", step=COMPANY)
    manages = can_manage_company(request.user, company)
    form = InviteForm()
    if request.method == "POST":
        if not manages:
            raise PermissionDenied(_("Only the company's owner manages its members."))
        form = InviteForm(request.POST)
        try:
            if form.submit(
                lambda data: teams.invite(company=company, actor=request.user, email=data["email"])
            ):
                messages.success(
                    request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
                )
                return redirect("accounts:team")
        except RateLimited as limited:
            hours = max(1, -(-(limited.wait or 3600) // 3600))
            form.add_error(
                None,
                ngettext(
                    "You have sent many invitations in a short time. Please try again in %(n)s hour.",
                    "You have sent many invitations in a short time. Please try again in %(n)s hours.",
                    hours,
                )
                % {"n": hours},
            )
    context = {
        "company": company,
        "profile": teams.profile_of_company(company),
        "members": teams.members_of(company),
        "invitations": teams.pending_invitations(company) if can_view_team(request.user, company) else [],
        "manages": manages,
        "form": form,
    }
    return render(request, "accounts/team/team.html", context)


@roles_required(Role.PRODUCER, Role.BUYER)
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    company = _managed_company(request)
    invitation = get_object_or_404(Invitation, pk=pk, company=company)
    try:
        teams.revoke_invitation(invitation=invitation, actor=request.user)
    except ValidationError as error:
        messages.error(request, _service_message(error))
    else:
        messages.success(
            request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
        )
    return redirect("accounts:team")


def _member(company: Company, user_id: int) -> User:
    return get_object_or_404(User, pk=user_id, company=company)


@roles_required(Role.PRODUCER, Role.BUYER)
@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, user_id: int) -> HttpResponse:
    company = _managed_company(request)
    member = _member(company, user_id)
    if request.method == "POST":
        try:
            teams.remove_member(company=company, member=member, actor=request.user)
        except ValidationError as error:
            messages.error(request, _service_message(error))
        else:
            messages.success(
                request, _("%(name)s is no longer a member.") % {"name": member.full_name or member.email}
            )
        return redirect("accounts:team")
    return render(request, "accounts/team/confirm.html", {"member": member, "action": "remove"})


@roles_required(Role.PRODUCER, Role.BUYER)
@require_http_methods(["GET", "POST"])
def ownership_transfer(request: HttpRequest, user_id: int) -> HttpResponse:
    company = _managed_company(request)
    member = _member(company, user_id)
    if member.company_role != CompanyRole.EDITOR:
        raise Http404
    if request.method == "POST":
        try:
            teams.transfer_ownership(company=company, new_owner=member, actor=request.user)
        except ValidationError as error:
            messages.error(request, _service_message(error))
        else:
            messages.success(
                request,
                _("%(name)s now owns the company; you stay as an editor.")
                % {"name": member.full_name or member.email},
            )
        return redirect("accounts:team")
    return render(request, "accounts/team/confirm.html", {"member": member, "action": "transfer"})


@roles_required(Role.PRODUCER, Role.BUYER)
@require_http_methods(["GET", "POST"])
def team_leave(request: HttpRequest) -> HttpResponse:
    company = _own_company(request)
    if company is None:
        return redirect("dashboard")
    if request.method == "POST":
        try:
            teams.leave_company(actor=request.user)
        except ValidationError as error:
            messages.error(request, _service_message(error))
            return redirect("accounts:team")
        messages.success(request, _("You have left the company."))
        return redirect("dashboard")
    return render(request, "accounts/team/confirm.html", {"member": request.user, "action": "leave"})


@never_cache
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation's link. Signed out: who invites whom, and sign up or sign in with the
    invited address (coming back here afterwards; a sign-up with that address needs no other
    confirmation, allauth's stashed verified email). Signed in: accept, or why not."""
    invitation = teams.invitation_for_token(token)
    here = reverse("accounts:team-join", args=[token])
    context = {"invitation": invitation, "refusal": None, "here": here}
    if invitation is not None:
        context["profile"] = teams.profile_of_company(invitation.company)
    if not request.user.is_authenticated:
        if invitation is not None and invitation.is_pending():
            get_adapter(request).stash_verified_email(request, invitation.email)
            context["signup_url"] = (
                reverse("account_signup") + "?" + urlencode({"email": invitation.email, "next": here})
            )
            context["login_url"] = reverse("account_login") + "?" + urlencode({"next": here})
        else:
            context["refusal"] = teams.invitation_refusal(invitation)
        return render(request, "accounts/team/join.html", context, status=200 if invitation else 404)
    if request.method == "POST":
        try:
            teams.accept_invitation(token=token, actor=request.user)
        except ValidationError as error:
            context["refusal"] = _service_message(error)
        else:
            messages.success(
                request,
                _("Welcome to the team: you now act for %(company)s.") % {"company": context["profile"]},
            )
            return redirect("accounts:onboarding")
    else:
        context["refusal"] = teams.acceptance_refusal(invitation=invitation, user=request.user)
    return render(request, "accounts/team/join.html", context, status=200 if invitation else 404)
