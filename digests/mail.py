"""A digest as an email: rendered in the reader's language, HTML and plain text, with absolute
links, a signed one-click unsubscribe link and the headers mail clients look for.

What a digest says is `digests.builders` and the `digests/email/` templates; this module only
fills their context and wraps the result in a message. Headers:

- `Message-ID` is derived from the delivery row, so a send repeated after a crash between the
  send and the mark is the same message to the receiving side;
- `List-Unsubscribe` (the signed https link, and a mailto: when DIGEST_UNSUBSCRIBE_EMAIL is
  not empty) and `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058: a mail client
  may POST to the link, no page, no sign-in).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from portal.formatting import format_date

from . import services
from .content import Digest
from .models import DigestDelivery, Frequency

TEMPLATES = "digests/email/"
SUBJECT_TEMPLATE = TEMPLATES + "digest_subject.txt"
TEXT_TEMPLATE = TEMPLATES + "digest_message.txt"
HTML_TEMPLATE = TEMPLATES + "digest_message.html"


@dataclass(frozen=True)
class RenderedDigest:
    subject: str
    text: str
    html: str
    language: str


def absolute(path: str) -> str:
    return settings.PORTAL_BASE_URL + path


def unsubscribe_url(user: User, *, issued_at: datetime | None = None) -> str:
    token = services.unsubscribe_token(user, issued_at=issued_at)
    return absolute(reverse("digests:unsubscribe", args=[token]))


def preferences_url() -> str:
    return absolute(reverse("digests:preferences"))


def period_label(frequency: str, digest: Digest) -> str:
    """What the digest covers, in the active language: the day, or the days of the week."""
    if frequency == Frequency.DAILY:
        return format_date(digest.until)
    return _("%(start)s to %(end)s") % {"start": format_date(digest.since), "end": format_date(digest.until)}


def digest_context(*, user: User, digest: Digest, frequency: str, unsubscribe: str = "") -> dict:
    """The context of the `digests/email/` templates (call it in the reader's language)."""
    return {
        "user": user,
        "digest": digest,
        "unsubscribe_url": unsubscribe or unsubscribe_url(user),
        "preferences_url": preferences_url(),
        "base_url": settings.PORTAL_BASE_URL,
        "period_label": period_label(frequency, digest),
    }


def render_digest(
    *, user: User, digest: Digest, frequency: str, language: str | None = None, unsubscribe: str = ""
) -> RenderedDigest:
    """Subject (one line), plain text and HTML of `digest`, in `language` (default: the user's
    digest language)."""
    language = language or services.digest_language(user)
    with translation.override(language):
        context = digest_context(user=user, digest=digest, frequency=frequency, unsubscribe=unsubscribe)
        subject = " ".join(render_to_string(SUBJECT_TEMPLATE, context).split())
        text = render_to_string(TEXT_TEMPLATE, context)
        html = render_to_string(HTML_TEMPLATE, context)
    return RenderedDigest(subject=subject, text=text, html=html, language=language)


def mail_domain() -> str:
    """The domain of our Message-IDs: the sender's, else the portal's host name."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or urlsplit(settings.PORTAL_BASE_URL).hostname or "localhost"


def message_id(delivery: DigestDelivery) -> str:
    """Stable for a delivery row: every (re)send of it is one message to the receiving side."""
    return f"<digest-{delivery.pk}.{delivery.period}@{mail_domain()}>"


def unsubscribe_mailto() -> str:
    """Where a mail client's mailto: unsubscribe goes ("" = no mailto: in the header)."""
    configured = settings.DIGEST_UNSUBSCRIBE_EMAIL
    if configured is None:
        return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return configured


def list_unsubscribe_headers(link: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058 headers for the signed link `link`."""
    targets = [f"<{link}>"]
    mailto = unsubscribe_mailto()
    if mailto:
        targets.append(f"<mailto:{quote(mailto, safe='@')}?subject=unsubscribe>")
    return {
        "List-Unsubscribe": ", ".join(targets),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def compose(
    *, delivery: DigestDelivery, user: User, digest: Digest, connection=None
) -> EmailMultiAlternatives:
    """The message of one delivery: plain text with an HTML alternative, in the user's digest
    language, its Message-ID derived from the delivery row."""
    link = unsubscribe_url(user, issued_at=delivery.until)
    rendered = render_digest(user=user, digest=digest, frequency=delivery.frequency, unsubscribe=link)
    headers = {
        "Message-ID": message_id(delivery),
        "Content-Language": rendered.language,
        "Auto-Submitted": "auto-generated",
        **list_unsubscribe_headers(link),
    }
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(rendered.html, "text/html")
    return message
