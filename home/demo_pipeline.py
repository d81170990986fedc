"""The demo's counsellors at work: their desks, briefs, and a pipeline with some history.

Every write goes through the services, as a real counsellor's, producer's or buyer's would.
Idempotent: desks and briefs are upserted; the history is played once, on matches that
are still only proposed, so a second seed finds it played and adds nothing.
"""

from __future__ import annotations

from decimal import Decimal

from accounts.models import BuyerProfile, ProducerProfile, User
from counsellors import briefs as brief_services
from counsellors import services as counsellor_services
from counsellors.models import CounsellorProfile, MarketBrief
from matchmaking import lifecycle, outcomes
from matchmaking.models import Match, MatchSource, MatchStatus

# email → posted country, also covered, sectors followed, languages
DESKS = {
    "counsellor.iraq@demo.exportbridge.ir": ("IQ", ["SY", "JO"], ["84", "85", "94"], ["fa", "ar", "en"]),
    "counsellor.armenia@demo.exportbridge.ir": ("AM", [], ["84", "72"], ["fa", "hy", "ru"]),
    "counsellor.russia@demo.exportbridge.ir": ("RU", ["KZ", "BY"], ["84", "87"], ["fa", "ru"]),
    "counsellor.turkey@demo.exportbridge.ir": ("TR", [], ["52", "84", "85"], ["fa", "tr", "en"]),
    "counsellor.georgia@demo.exportbridge.ir": ("GE", [], ["84"], ["fa", "ka", "en"]),
    "counsellor.uae@demo.exportbridge.ir": ("AE", ["OM", "QA"], ["84", "85", "20"], ["fa", "ar", "en"]),
    "counsellor.afghanistan@demo.exportbridge.ir": ("AF", ["TJ"], ["84", "85", "19"], ["fa", "ps"]),
    "counsellor.azerbaijan@demo.exportbridge.ir": ("AZ", [], ["84", "85"], ["fa", "az", "ru"]),
}

BRIEFS = [
    (
        "counsellor.iraq@demo.exportbridge.ir",
        "IQ",
        "بازار لوازم خانگی عراق در ۱۴۰۵",
        ["8418", "8450"],
        "fa",
        "## خلاصه\n\nتقاضای **یخچال و ماشین لباسشویی** در بغداد و بصره رو به رشد است. "
        "خریداران عراقی تحویل **CPT** تا مرز مهران را ترجیح می‌دهند.\n\n"
        "- گواهی **COC** برای ورود الزامی است\n- پرداخت اغلب با اعتبار اسنادی دیداری\n"
        "- نمایشگاه بین‌المللی بغداد: آبان ماه\n",
    ),
    (
        "counsellor.russia@demo.exportbridge.ir",
        "RU",
        "Machine tools for Russian regional plants",
        ["8458", "8459"],
        "en",
        "## Summary\n\nRegional machine-building plants around Kazan and Yekaterinburg are "
        "replacing lathes and milling machines. Buyers ask for **EAC** certification and "
        "service in Russian.\n\n| item | typical order |\n|---|---|\n| CNC lathes | 5–20 |\n"
        "| milling machines | 3–10 |\n",
    ),
    (
        "counsellor.afghanistan@demo.exportbridge.ir",
        "AF",
        "مواد غذایی و لوازم خانگی در هرات",
        [],
        "fa",
        "بازار هرات از طریق مرز **دوغارون** برای کالاهای تبریز در دسترس است. "
        "خریداران به سفارش‌های کوچک و تحویل سریع اهمیت می‌دهند.\n",
    ),
]


def _upsert_desks(staff: User, counsellors: list[User]) -> None:
    for user in counsellors:
        posted, covered, sectors, languages = DESKS[user.email]
        data = {
            "posted_country": posted,
            "covered_countries": covered,
            "sectors": sectors,
            "languages": languages,
        }
        profile = CounsellorProfile.objects.filter(user=user).first()
        if profile is None:
            counsellor_services.counsellor_profile_create(actor=staff, user=user, data=data)
        else:
            counsellor_services.counsellor_profile_update(profile=profile, actor=staff, data=data)


def _upsert_briefs(counsellors: dict[str, User]) -> None:
    for email, country, title, sectors, language, body in BRIEFS:
        author = counsellors[email]
        data = {"country": country, "title": title, "sectors": sectors, "language": language, "body": body}
        brief = MarketBrief.objects.filter(author=author, title=title).first()
        if brief is None:
            brief_services.brief_create(author=author, data=data)
        else:
            brief_services.brief_update(brief=brief, actor=author, data=data)


def _best_proposed(country: str, exclude: set[int]) -> Match | None:
    return (
        Match.objects.filter(status=MatchStatus.PROPOSED, buyer__country=country, counsellor__isnull=False)
        .exclude(pk__in=exclude)
        .select_related("producer__owner", "buyer__owner", "counsellor")
        .order_by("-score", "id")
        .first()
    )


def _play_history() -> None:
    """Forward, connect, win, lose and reject a few matches, and file a buyer's request."""
    if Match.objects.exclude(status__in=(MatchStatus.PROPOSED, MatchStatus.WITHDRAWN)).exists():
        return  # played already
    used: set[int] = set()

    def take(country: str) -> Match | None:
        match = _best_proposed(country, used)
        if match is not None:
            used.add(match.pk)
        return match

    def forward(match: Match, note: str) -> Match:
        return lifecycle.match_forward(match=match, actor=match.counsellor, note=note)

    def both_accept(match: Match) -> Match:
        lifecycle.match_respond(
            match=match, actor=match.producer.owner, decision="accept", note="آماده ارسال نمونه هستیم."
        )
        return lifecycle.match_respond(
            match=match, actor=match.buyer.owner, decision="accept", note="Please send a quotation."
        )

    # Iraq: one won deal (the buyer declared it, the producer confirmed it), one forwarded lead
    # waiting for the parties.
    if match := take("IQ"):
        match = both_accept(forward(match, "خریدار معتبر؛ سابقه واردات از ترکیه دارد."))
        outcomes.match_record_outcome(
            match=match,
            actor=match.buyer.owner,
            outcome=MatchStatus.WON,
            value=Decimal("185000"),
            currency="USD",
            note="First container shipped via Mehran.",
        )
        outcomes.match_confirm_outcome(match=match, actor=match.producer.owner, note="تأیید می‌کنیم.")
    if match := take("IQ"):
        forward(match, "ظرفیت تولیدکننده با تقاضای خریدار هم‌خوان است.")
    # Russia: connected, waiting for the outcome; Turkey: one lost, one rejected.
    if match := take("RU"):
        both_accept(forward(match, "Buyer visits Tabriz in spring; good fit on capacity."))
    if match := take("TR"):
        match = both_accept(forward(match, "Price-sensitive buyer."))
        outcomes.match_record_outcome(
            match=match,
            actor=match.counsellor,
            outcome=MatchStatus.LOST,
            note="Lost on price to a local maker.",
        )
    if match := take("TR"):
        lifecycle.match_reject(match=match, actor=match.counsellor, reason="Buyer only imports from the EU.")
    # Armenia: forwarded, the producer accepted, the buyer has not answered yet.
    if match := take("AM"):
        match = forward(match, "Strong fit on sector and market.")
        lifecycle.match_respond(match=match, actor=match.producer.owner, decision="accept")

    # A buyer's request from the catalogue, first in the counsellor's queue.
    buyer = BuyerProfile.objects.filter(owner__email="buyer.georgia@demo.exportbridge.ir").first()
    producer = ProducerProfile.objects.filter(owner__email="machinery@demo.exportbridge.ir").first()
    if buyer and producer and not Match.objects.filter(source=MatchSource.BUYER_REQUEST).exists():
        lifecycle.request_introduction(
            actor=buyer.owner, producer=producer, message="We need lathes for a new workshop in Rustavi."
        )


def seed_desks(*, staff: User, counsellors: list[User]) -> None:
    """The counsellors' profiles and briefs (before the matches, so these are routed)."""
    _upsert_desks(staff, counsellors)
    _upsert_briefs({user.email: user for user in counsellors})


def seed_history() -> None:
    """Some of the matches moved along the lifecycle (after the matches exist)."""
    _play_history()
