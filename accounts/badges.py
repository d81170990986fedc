"""What the verification badge says: who verified the company, when, on which current
certificates ("Verified by <counsellor's name or Export Bridge staff> on <date>"). Read by
the pages (the `verification_badge` tag) and the API; the standing itself is kept by
accounts.verifications."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import DocumentKind, ReviewerRole, Verification, VerificationDocument


def reviewer_name(verification: Verification) -> str | None:
    """The counsellor's name, or "Export Bridge staff"; None while undecided."""
    if verification.decided_at is None:
        return None
    if verification.reviewed_as == ReviewerRole.STAFF:
        return _("Export Bridge staff")
    reviewer = verification.reviewer
    return reviewer.get_full_name() if reviewer is not None else _("a trade counsellor")


@dataclass(frozen=True)
class Badge:
    by: str
    on: datetime.datetime
    certificates: list[tuple[str, datetime.date]]


def badge_of(profile, today: datetime.date | None = None) -> Badge | None:
    """The badge of a producer's or buyer's profile, or None when it is not verified. Reads
    `profile.company.standing` (select it with `standing_related()` for a list)."""
    if profile is None or not profile.verified:
        return None
    standing = profile.company.standing
    if standing is None:
        return None
    today = today or timezone.localdate()
    certificates = sorted(
        (d.certificate, d.expires_on)
        for d in standing.documents.all()
        if d.kind == DocumentKind.CERTIFICATE and d.expires_on and d.expires_on >= today
    )
    return Badge(by=reviewer_name(standing) or "", on=standing.decided_at, certificates=certificates)


def badge_lookups(prefix: str = "") -> list:
    """prefetch_related lookups reading the badges of the profiles reached through `prefix`
    (e.g. "producer__" from products) in a fixed number of queries."""
    base = f"{prefix}company__standing"
    certificates = VerificationDocument.objects.filter(kind=DocumentKind.CERTIFICATE)
    return [f"{base}__reviewer", Prefetch(f"{base}__documents", queryset=certificates)]


def prefetch_badges(objects, prefix: str = "") -> None:
    """Fetch the badges of a page of objects (profiles, or rows reaching them by `prefix`):
    nothing when none of them is verified."""
    path = [part for part in prefix.split("__") if part]

    def profile(obj):
        for part in path:
            obj = getattr(obj, part)
        return obj

    verified = [obj for obj in objects if profile(obj).verified]
    if verified:
        prefetch_related_objects(verified, *badge_lookups(prefix))
