"""Market briefs: a counsellor's notes on their country, written in Markdown, shown as
sanitised HTML (only the tags Markdown makes, links made safe), tagged by HS sector."""

from __future__ import annotations

from typing import Any

import markdown
import nh3
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.companies import producer_of
from accounts.models import User
from accounts.policies import counsellor_markets
from counsellors.models import MarketBrief
from portal import validation as rules
from portal.content import shown
from portal.translations_input import apply_texts_input, initial_language
from portal.validation import FieldErrors, country_code
from taxonomy.models import Sector
from taxonomy.sectors import sector_q

TITLE_LENGTH = 200
BODY_LENGTH = 20000
MAX_SECTORS = 20
ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "strong", "em", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


def render_markdown(text: str) -> str:
    """Markdown → HTML with nothing a reader's browser could run: no raw HTML, no scripts,
    no event handlers, links only to http(s)/mailto and opened with rel=noopener."""
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def can_write_briefs(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_counsellor or user.is_portal_staff))


def can_edit_brief(user, brief: MarketBrief) -> bool:
    """The author, or staff."""
    return bool(user and user.is_authenticated and (user.is_portal_staff or brief.author_id == user.pk))


def brief_countries(user) -> frozenset[str] | None:
    """The countries `user` may publish briefs for: a counsellor those they are posted to or
    cover (none without a desk); staff any (None)."""
    if user.is_portal_staff:
        return None
    return counsellor_markets(user) if user.is_counsellor else frozenset()


def _check_country(errors: FieldErrors, author: User, country) -> None:
    allowed = brief_countries(author)
    if allowed is None or not country:
        return
    code = getattr(country, "code", country)
    if code not in allowed:
        if allowed:
            message = _(
                "You publish briefs only for the countries you are posted to or cover: %(codes)s."
            ) % {"codes": ", ".join(sorted(allowed))}
        else:
            message = _("You have no desk yet: staff post you to a country before you publish briefs.")
        errors.add("country", message)


def _clean(
    data: dict[str, Any], *, partial: bool, author: User
) -> tuple[dict[str, Any], list[Sector] | None]:
    errors = FieldErrors()
    cleaned: dict[str, Any] = {}
    if not partial or "title" in data:
        title = rules.single_line(data.get("title"))
        if not title:
            errors.add("title", _("Give the brief a title."))
        elif len(title) > TITLE_LENGTH:
            errors.add("title", _("Keep the title under %(n)d characters.") % {"n": TITLE_LENGTH})
        cleaned["title"] = title
    if not partial or "body" in data:
        body = rules.multi_line(data.get("body"))
        if not body:
            errors.add("body", _("Write the brief."))
        elif len(body) > BODY_LENGTH:
            errors.add("body", _("Keep the brief under %(n)d characters.") % {"n": BODY_LENGTH})
        cleaned["body"] = body
    if not partial or "country" in data:
        cleaned["country"] = errors.check("country", country_code, data.get("country"))
        _check_country(errors, author, cleaned["country"])
    sectors = None
    if "sectors" in data:
        codes = rules.as_list(data.get("sectors"))
        if len(codes) > MAX_SECTORS:
            errors.add("sectors", _("Tag at most %(n)d sectors.") % {"n": MAX_SECTORS})
        else:
            codes = rules.unique(rules.single_line(code) for code in codes)
            sectors = list(Sector.objects.filter(code__in=[c for c in codes if rules.is_printable_text(c)]))
            unknown = sorted(set(codes) - {s.code for s in sectors})
            if unknown:
                shown = ", ".join(rules.shown(code, 20) for code in unknown)
                errors.add("sectors", _("Unknown HS codes: %(codes)s.") % {"codes": shown})
    errors.raise_if_any()
    return cleaned, sectors


def _apply_texts(brief: MarketBrief, data: dict[str, Any]) -> None:
    errors = FieldErrors()
    apply_texts_input(brief, data, errors)
    errors.raise_if_any()


def brief_html(brief: MarketBrief, language: str | None = None) -> str:
    """The brief's body for a reader of `language`, as sanitised HTML (the original's is stored)."""
    body = shown(brief, "body", language)
    return brief.body_html if body.is_original else render_markdown(body.text)


@transaction.atomic
def brief_create(*, author: User, data: dict[str, Any]) -> MarketBrief:
    """A counsellor (or staff) publishes a brief; a counsellor's country defaults to the one
    they are posted in, and must be one they are posted to or cover (`brief_countries`)."""
    if not can_write_briefs(author):
        raise PermissionDenied(_("Only trade counsellors publish market briefs."))
    data = dict(data)
    profile = getattr(author, "counsellor_profile", None) if author.is_counsellor else None
    if not data.get("country") and profile is not None:
        data["country"] = profile.posted_country.code
    cleaned, sectors = _clean(data, partial=False, author=author)
    brief = MarketBrief(author=author, published_at=timezone.now(), **cleaned)
    brief.language = initial_language(data, [brief.title, brief.body], author.preferred_language)
    _apply_texts(brief, data)
    brief.body_html = render_markdown(brief.body)
    brief.save()
    if sectors:
        brief.sectors.set(sectors)
    return brief


@transaction.atomic
def brief_update(*, brief: MarketBrief, actor: User, data: dict[str, Any]) -> MarketBrief:
    if not can_edit_brief(actor, brief):
        raise PermissionDenied(_("You may not change this brief."))
    cleaned, sectors = _clean(data, partial=True, author=actor)
    for field, value in cleaned.items():
        setattr(brief, field, value)
    _apply_texts(brief, data)
    brief.body_html = render_markdown(brief.body)
    brief.save()
    if sectors is not None:
        brief.sectors.set(sectors)
    return brief


@transaction.atomic
def brief_delete(*, brief: MarketBrief, actor: User) -> None:
    if not can_edit_brief(actor, brief):
        raise PermissionDenied(_("You may not delete this brief."))
    brief.delete()


def briefs_for_reader(user) -> QuerySet[MarketBrief]:
    """Every brief, newest first, with author and sectors fetched (anyone signed in reads)."""
    return MarketBrief.objects.select_related("author").prefetch_related("sectors")


def briefs_relevant_to_producer(user) -> QuerySet[MarketBrief]:
    """A producer's briefs: on one of its target markets (any market for a producer open to
    all that names none), and untagged or tagged with a
    sector at, above or below one of its HS codes (declared or of its products)."""
    profile = producer_of(user)
    if profile is None:
        return MarketBrief.objects.none()
    markets = [c.code for c in profile.target_markets]
    codes = set(profile.declared_sectors.values_list("code", flat=True)) | set(
        profile.products.filter(is_active=True).values_list("hs_code_id", flat=True)
    )
    tagged = Q(sectors__isnull=True)
    for code in codes:
        tagged |= sector_q(code, "sectors", ancestors=True)
    queryset = briefs_for_reader(user)
    if markets or not profile.open_to_any_market:
        queryset = queryset.filter(country__in=markets)
    return queryset.filter(tagged).distinct()
