"""The staff page that imports producers: upload a member list (CSV or Excel), read the dry
run row by row, commit it; and the imported producers whose invitation never went out.

The views route and render: the import's rules are `catalogue.imports`, the upload kept
between the two steps is `catalogue.import_uploads`, the invitations `catalogue.invitations`.
Staff only (`roles_required(staff=True)`: anonymous visitors are sent to sign in, anyone else
gets 403).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.views import roles_required
from portal.formatting import format_number

from . import import_uploads
from .forms import InvitationResendForm, ProducerImportCommitForm, ProducerImportForm
from .invitations import MAX_RESEND, invitations_to_resend, resend_invitations

staff_only = roles_required(staff=True)
TEMPLATE = "catalogue/staff/producer_import.html"


def _base_url(request: HttpRequest) -> str:
    """The site's address for the invitations' links: the configured one, else this request's."""
    return getattr(settings, "PORTAL_BASE_URL", "") or request.build_absolute_uri("/")


def _page(request: HttpRequest, *, status: int = 200, **context) -> HttpResponse:
    waiting = list(invitations_to_resend()[: MAX_RESEND + 1])
    context = {
        "form": ProducerImportForm(),
        "report": None,
        "upload": None,
        "commit_form": None,
        "committed": False,
        "commit_errors": [],
        "waiting": waiting[:MAX_RESEND],
        "waiting_more": len(waiting) > MAX_RESEND,
        "max_rows": import_uploads.page_max_rows(),
        "max_megabytes": f"{import_uploads.page_max_bytes() / 2**20:g}",
        "ttl_minutes": int(import_uploads.upload_ttl().total_seconds() // 60),
        **context,
    }
    if context["upload"] is not None:
        context["commit_form"] = ProducerImportCommitForm(initial={"token": context["upload"].token})
    return render(request, TEMPLATE, context, status=status)


@staff_only
@never_cache
@require_http_methods(["GET", "POST"])
def producer_import(request: HttpRequest) -> HttpResponse:
    """GET: the upload form and the waiting invitations. POST: the dry run of the uploaded
    file, each row's fate, and the button that commits it."""
    if request.method != "POST":
        return _page(request)
    form = ProducerImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            dry_run = import_uploads.dry_run_upload(
                actor=request.user,
                upload=form.cleaned_data["file"],
                base_url=_base_url(request),
                send_invitations=form.cleaned_data["send_invitations"],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("file", message)
        else:
            return _page(request, form=form, report=dry_run.report, upload=dry_run.upload)
    return _page(request, form=form, status=400)


@staff_only
@never_cache
@require_POST
def producer_import_commit(request: HttpRequest) -> HttpResponse:
    """Import for real the file this staff member dry-ran (by its token; never a new upload)."""
    form = ProducerImportCommitForm(request.POST)
    if not form.is_valid():
        return _page(request, commit_errors=[_("Upload the file and check it first.")], status=400)
    try:
        _upload, report = import_uploads.commit_upload(
            actor=request.user, token=form.cleaned_data["token"], base_url=_base_url(request)
        )
    except ValidationError as error:
        return _page(request, commit_errors=error.messages, status=400)
    return _page(request, report=report, committed=True)


@staff_only
@require_POST
def invitations_resend(request: HttpRequest) -> HttpResponse:
    """Send the invitation again to the chosen producers (or the one whose button was pressed)."""
    form = InvitationResendForm(request.POST)
    if not form.is_valid():
        for message in form.non_field_errors() or [_("Choose the producers to send the invitation to.")]:
            messages.error(request, message)
        return redirect(reverse("producer_import:page") + "#invitations")
    report = resend_invitations(
        actor=request.user, user_ids=form.cleaned_data["chosen"], base_url=_base_url(request)
    )
    if report.sent:
        messages.success(
            request,
            ngettext(
                "The invitation was sent to %(n)s producer.",
                "The invitation was sent to %(n)s producers.",
                len(report.sent),
            )
            % {"n": format_number(len(report.sent))},
        )
    for email, error in report.failed:
        messages.error(
            request,
            _("The invitation to %(email)s was not sent: %(error)s") % {"email": email, "error": error},
        )
    if report.not_waiting:
        messages.info(
            request,
            ngettext(
                "%(n)s producer chosen no longer waits for an invitation (they have signed in).",
                "%(n)s producers chosen no longer wait for an invitation (they have signed in).",
                report.not_waiting,
            )
            % {"n": format_number(report.not_waiting)},
        )
    return redirect(reverse("producer_import:page") + "#invitations")
