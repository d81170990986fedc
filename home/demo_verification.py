"""The demo's verified companies: each asks with a licence (and a certificate per certification
it claims), made here as small PDFs, and staff verify it, through accounts.verifications like
any company (no downloads, nothing pre-made). Idempotent: a verified company is left as is."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts import verifications
from accounts.models import DocumentKind, Verification, VerificationStatus
from accounts.verifications import DocumentInput


def _pdf(title: str) -> bytes:
    """A one-page PDF saying what it stands for (demo evidence)."""
    text = title.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 14 Tf 40 150 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    for number, body in enumerate(objects, start=1):
        out += str(number).encode() + b" 0 obj\n" + body + b"\nendobj\n"
    return out + b"trailer\n<< /Root 1 0 R /Size 6 >>\n%%EOF\n"


def verify_demo_company(profile, *, reviewer, certifications=()) -> Verification | None:
    """Ask for `profile`'s company with a licence and its certificates, and verify it as
    `reviewer`; nothing when it is verified or waiting already."""
    company = profile.company
    if (
        profile.verified
        or Verification.objects.filter(company=company, status=VerificationStatus.PENDING).exists()
    ):
        return None
    today = timezone.localdate()
    name = str(profile)
    documents = [
        DocumentInput(
            file=SimpleUploadedFile("licence.pdf", _pdf(f"Business licence: {name}"), "application/pdf"),
            kind=DocumentKind.LICENCE,
            expires_on=today + datetime.timedelta(days=730),
        )
    ]
    for code in certifications:
        documents.append(
            DocumentInput(
                file=SimpleUploadedFile(
                    f"{code}.pdf", _pdf(f"Certificate {code}: {name}"), "application/pdf"
                ),
                kind=DocumentKind.CERTIFICATE,
                certificate=code,
                expires_on=today + datetime.timedelta(days=365),
            )
        )
    verification = verifications.verification_request(
        company=company, actor=profile.owner, documents=documents
    )
    return verifications.verification_verify(verification=verification, actor=reviewer)
