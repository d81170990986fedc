"""Verification with evidence (docs/design.md "Trust and media"; docs/api.md "Trust, media and companies").

A member of a producer's or buyer's company asks to be verified and uploads evidence: a
business licence or a chamber of commerce membership (at least one: the basis), certificates
(each naming its certification, e.g. ISO9001, and its expiry date) and other documents. The
counsellor in scope (`policies.can_review_verification`) or staff verify or refuse it, a
refusal with its reason. A company has at most one pending request (a database constraint).

The company's standing (`Company.standing`) is its newest verified request whose basis still
holds; the profile's `verified` and `verified_at` follow it (kept here, indexed, read by the
catalogue's filter and the API). What counts:
- the badge, while the standing's licence or membership is unexpired (one without an expiry
  date does not expire); `expire_verifications` (daily beat) drops it once they all expired;
- a certificate, while it is on the standing and unexpired: only those reach the matcher
  (`verified_certificates`, read by matchmaking.loading); the beat rematches the producer
  the day one lapses.

Each step is an event (`VerificationEvent`); the company's members get an email of a decision
and of an expiry (accounts.verification_notices), the reviewers see pending requests on their
queue (counsellors' review page).
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import uploads
from portal import validation as rules
from portal.exceptions import StateConflict

from . import verification_notices
from .models import (
    BASIS_KINDS,
    BuyerProfile,
    Company,
    CompanyKind,
    DocumentKind,
    ProducerProfile,
    ReviewerRole,
    User,
    Verification,
    VerificationDocument,
    VerificationEvent,
    VerificationStatus,
)
from .policies import can_request_verification, can_review_verification
from .signals import buyer_changed, producer_changed

MAX_DOCUMENTS = 10
NOTE_LENGTH = 2000
TOKEN_BYTES = 24  # 32 URL-safe characters
# The fields the matcher reads that a verification changes (matchmaking rematches on them).
CHANGED = frozenset({"verified", "certifications"})


def max_file_bytes() -> int:
    """The largest piece of evidence (portal.uploads' default cap, the deals' setting)."""
    return int(getattr(settings, "DEALS_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def upload_cap() -> int:
    """The largest multipart body a request with evidence needs (portal.request_guard)."""
    return MAX_DOCUMENTS * max_file_bytes() + 1024 * 1024


@dataclass(frozen=True)
class DocumentInput:
    """One uploaded piece of evidence as the API or the page hands it over (unchecked)."""

    file: object
    kind: str = ""
    certificate: str = ""
    expires_on: object = None


# --- Reading ---------------------------------------------------------------------------------


def profile_of(company: Company) -> ProducerProfile | BuyerProfile | None:
    return getattr(company, company.kind, None)


def basis_holds(documents: Iterable[VerificationDocument], today: datetime.date) -> bool:
    """A licence or membership without an expiry date, or one expiring today or later."""
    return any(d.kind in BASIS_KINDS and (d.expires_on is None or d.expires_on >= today) for d in documents)


def counts(document: VerificationDocument, today: datetime.date | None = None) -> bool:
    """Whether a document of a verified request still counts (not past its expiry)."""
    today = today or timezone.localdate()
    return document.expires_on is None or document.expires_on >= today


def verified_certificates(producer_ids=None, *, today=None) -> dict[int, set[str]]:
    """producer id → the certification codes of the unexpired certificates on its company's
    standing (what matchmaking.loading lets count); `producer_ids` a list or a queryset of
    ids (None: every producer). Only verified producers appear."""
    today = today or timezone.localdate()
    documents = VerificationDocument.objects.filter(
        kind=DocumentKind.CERTIFICATE,
        expires_on__gte=today,
        verification__status=VerificationStatus.VERIFIED,
        verification__company__producer__verified=True,
        verification__company__standing=F("verification_id"),
    )
    if producer_ids is not None:
        documents = documents.filter(verification__company__producer__in=producer_ids)
    held: dict[int, set[str]] = {}
    for producer_id, code in documents.values_list("verification__company__producer", "certificate"):
        held.setdefault(producer_id, set()).add(code)
    return held


# --- Field rules -----------------------------------------------------------------------------


def _note(value, field: str, *, required: bool = False) -> str:
    note = rules.multi_line(value or "")
    if required and not note:
        raise ValidationError({field: [_("Say why the request is refused.")]})
    if len(note) > NOTE_LENGTH:
        raise ValidationError({field: [_("At most %(n)d characters.") % {"n": NOTE_LENGTH}]})
    return note


def _date(value) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(rules.single_line(value)[:10])
    except ValueError:
        raise ValidationError(_("Enter a date as YYYY-MM-DD.")) from None


def _check_documents(
    documents: list[DocumentInput], today: datetime.date
) -> list[tuple[DocumentInput, dict]]:
    """Each document's kind, certificate and expiry checked, then its file by its content;
    every problem at once (`documents`, `kinds`, `expires_on`, `certificates`), nothing stored."""
    errors = rules.FieldErrors()
    if not documents:
        errors.add("documents", _("Send at least one document: a business licence or a chamber membership."))
    if len(documents) > MAX_DOCUMENTS:
        errors.add("documents", _("At most %(n)d documents.") % {"n": MAX_DOCUMENTS})
        errors.raise_if_any()
    checked = []
    for number, document in enumerate(documents, start=1):
        label = _("Document %(n)d: ") % {"n": number}
        meta: dict = {}
        if document.kind not in DocumentKind.values:
            errors.add("kinds", label + _("choose what it is (licence, membership, certificate, other)."))
            continue
        meta["kind"] = document.kind
        try:
            meta["expires_on"] = _date(document.expires_on)
        except ValidationError as error:
            errors.add("expires_on", label + error.messages[0])
            continue
        if meta["expires_on"] is not None and meta["expires_on"] < today:
            errors.add("expires_on", label + _("it has already expired."))
        if document.kind == DocumentKind.CERTIFICATE:
            if meta["expires_on"] is None:
                errors.add("expires_on", label + _("a certificate needs its expiry date."))
            code = rules.single_line(document.certificate or "")
            if not code:
                errors.add("certificates", label + _("say which certification it is (e.g. ISO9001)."))
            else:
                try:
                    meta["certificate"] = rules.certification_codes([code])[0]
                except ValidationError as error:
                    errors.add("certificates", label + error.messages[0])
        try:
            meta["checked"] = uploads.check_file(document.file, kinds=("pdf", "image"))
        except ValidationError as error:
            for message in error.messages:
                errors.add("documents", message)
            continue
        checked.append((document, meta))
    if documents and not any(d.kind in BASIS_KINDS for d in documents):
        errors.add("kinds", _("Include a business licence or a chamber of commerce membership."))
    errors.raise_if_any()
    return checked


def _store(
    verification: Verification, checked: list[tuple[DocumentInput, dict]]
) -> list[VerificationDocument]:
    """Write checked files under random tokens, then their rows; a failure removes what it wrote."""
    stored: list[VerificationDocument] = []
    try:
        for _document, meta in checked:
            item = meta["checked"]
            row = VerificationDocument(
                verification=verification,
                kind=meta["kind"],
                certificate=meta.get("certificate", ""),
                expires_on=meta["expires_on"],
                token=secrets.token_urlsafe(TOKEN_BYTES),
                name=item.name[: VerificationDocument._meta.get_field("name").max_length],
                size=item.size,
                content_type=item.content_type,
            )
            row.file.save(row.token, ContentFile(item.data), save=False)
            stored.append(row)
            row.save()
    except BaseException:
        for row in stored:
            row.file.delete(save=False)
        raise
    return stored


# --- Writes ----------------------------------------------------------------------------------


def _event(verification: Verification, action: str, actor: User | None, note: str = "") -> VerificationEvent:
    return VerificationEvent.objects.create(verification=verification, action=action, actor=actor, note=note)


def verification_request(
    *, company: Company, actor: User, documents: list[DocumentInput], note: str = ""
) -> Verification:
    """A member of `company` asks to be verified with `documents`. Every file is checked by its
    content before anything is written: a refused one means nothing stored (ValidationError with
    `documents`, `kinds`, `certificates`, `expires_on` or `note`). A second pending request is a
    StateConflict."""
    if not can_request_verification(actor, company):
        raise PermissionDenied(_("Only the company's members ask for its verification."))
    errors = rules.FieldErrors()
    note = errors.check("note", lambda: _note(note, "note")) or ""
    try:
        checked = _check_documents(list(documents), timezone.localdate())
    except ValidationError as error:
        errors.merge(error)
        checked = []
    errors.raise_if_any()
    with transaction.atomic():
        Company.objects.select_for_update().filter(pk=company.pk).first()
        if Verification.objects.filter(company=company, status=VerificationStatus.PENDING).exists():
            raise StateConflict(_("A request for this company is already waiting for review."))
        try:
            with transaction.atomic():
                verification = Verification.objects.create(company=company, note=note, created_by=actor)
        except IntegrityError:
            raise StateConflict(_("A request for this company is already waiting for review.")) from None
        stored = _store(verification, checked)
        try:
            _event(verification, VerificationEvent.Action.REQUESTED, actor, note)
        except BaseException:
            for row in stored:
                row.file.delete(save=False)
            raise
    return verification


def _lock(verification: Verification | int) -> Verification:
    pk = verification.pk if isinstance(verification, Verification) else verification
    return Verification.objects.select_for_update().select_related("company").get(pk=pk)


def _decidable(verification: Verification, actor: User) -> None:
    if not can_review_verification(actor, verification):
        raise PermissionDenied(_("Only the counsellor in scope or staff review this request."))
    if verification.status != VerificationStatus.PENDING:
        raise StateConflict(
            _("This request is already %(status)s.") % {"status": verification.get_status_display().lower()}
        )


def _reviewed_as(actor: User) -> str:
    return ReviewerRole.STAFF if actor.is_portal_staff else ReviewerRole.COUNSELLOR


@transaction.atomic
def verification_verify(*, verification: Verification | int, actor: User, note: str = "") -> Verification:
    """The reviewer verifies a pending request: it becomes the company's standing (the badge,
    its certificates for matching). A decided request: StateConflict."""
    note = _note(note, "note")
    verification = _lock(verification)
    _decidable(verification, actor)
    if not basis_holds(verification.documents.all(), timezone.localdate()):
        raise StateConflict(
            _("Its licence and membership have expired meanwhile: refuse it and ask for new ones.")
        )
    verification.status = VerificationStatus.VERIFIED
    verification.reviewer, verification.reviewed_as = actor, _reviewed_as(actor)
    verification.decided_at = timezone.now()
    verification.save(update_fields=["status", "reviewer", "reviewed_as", "decided_at"])
    event = _event(verification, VerificationEvent.Action.VERIFIED, actor, note)
    refresh_standing(verification.company)
    verification_notices.notify_decision.delay(event.pk)
    return verification


@transaction.atomic
def verification_refuse(*, verification: Verification | int, actor: User, reason: str) -> Verification:
    """The reviewer refuses a pending request, saying why (`reason`, required); the company's
    standing (an earlier verification still valid) is unchanged."""
    reason = _note(reason, "reason", required=True)
    verification = _lock(verification)
    _decidable(verification, actor)
    verification.status = VerificationStatus.REFUSED
    verification.reviewer, verification.reviewed_as = actor, _reviewed_as(actor)
    verification.reason, verification.decided_at = reason, timezone.now()
    verification.save(update_fields=["status", "reviewer", "reviewed_as", "reason", "decided_at"])
    event = _event(verification, VerificationEvent.Action.REFUSED, actor, reason)
    verification_notices.notify_decision.delay(event.pk)
    return verification


def refresh_standing(company: Company, *, today: datetime.date | None = None) -> Verification | None:
    """Make the company's standing its newest verified request whose basis holds, and the
    profile's `verified`/`verified_at` follow it; tell the matcher when it changed. Call inside
    the transaction that changed it, the company's request locked."""
    today = today or timezone.localdate()
    standing = None
    candidates = (
        Verification.objects.filter(company=company, status=VerificationStatus.VERIFIED, expired_at=None)
        .prefetch_related("documents")
        .order_by("-decided_at", "-id")
    )
    for candidate in candidates:
        documents = list(candidate.documents.all())
        if not documents or basis_holds(documents, today):  # none: verified before evidence was kept
            standing = candidate
            break
    Company.objects.filter(pk=company.pk).update(standing=standing)
    company.standing = standing
    profile = profile_of(company)
    if profile is None:
        return standing
    verified, verified_at = standing is not None, standing.decided_at if standing else None
    model = type(profile)
    model.objects.filter(pk=profile.pk).update(
        verified=verified, verified_at=verified_at, updated_at=timezone.now()
    )
    profile.verified, profile.verified_at = verified, verified_at
    signal = producer_changed if company.kind == CompanyKind.PRODUCER else buyer_changed
    signal.send(sender=model, profile=profile, created=False, changed=CHANGED)
    return standing


def expire_verifications(*, today: datetime.date | None = None) -> dict[str, int]:
    """Daily (beat): documents of verified requests past their expiry lapse (an event; a
    certificate stops counting for matching, the producer is rematched); a standing whose
    licence and membership all lapsed expires: the badge goes and the company is told. Each
    company in its own transaction; running it twice changes nothing twice."""
    today = today or timezone.localdate()
    due = VerificationDocument.objects.filter(
        verification__status=VerificationStatus.VERIFIED,
        verification__expired_at=None,
        expires_on__lt=today,
        lapsed_at=None,
    )
    lapsed = expired = 0
    for verification_id in sorted(set(due.values_list("verification_id", flat=True))):
        with transaction.atomic():
            verification = _lock(verification_id)
            if verification.status != VerificationStatus.VERIFIED or verification.expired_at is not None:
                continue
            documents = list(verification.documents.filter(expires_on__lt=today, lapsed_at=None))
            now = timezone.now()
            for document in documents:
                document.lapsed_at = now
                document.save(update_fields=["lapsed_at"])
                label = document.certificate or document.get_kind_display()
                _event(verification, VerificationEvent.Action.LAPSED, None, str(label))
                lapsed += 1
            if not basis_holds(verification.documents.all(), today):
                verification.expired_at = now
                verification.save(update_fields=["expired_at"])
                event = _event(verification, VerificationEvent.Action.EXPIRED, None)
                verification_notices.notify_expiry.delay(event.pk)
                expired += 1
            refresh_standing(verification.company, today=today)
    return {"lapsed": lapsed, "expired": expired}


def request_input(data: Mapping, files: Iterable) -> list[DocumentInput]:
    """The documents of a multipart request: `documents` (files), and for each, in the same
    order, one `kind`, `certificate` and `expires_on` (lists; a missing entry is empty)."""

    def nth(values, i):
        values = list(values or [])
        return values[i] if i < len(values) else ""

    return [
        DocumentInput(
            file=upload,
            kind=nth(data.get("kind"), i),
            certificate=nth(data.get("certificate"), i),
            expires_on=nth(data.get("expires_on"), i),
        )
        for i, upload in enumerate(files)
    ]
