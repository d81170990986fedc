"""A year of the province's pipeline, played on the engine's matches (home.demo_province).

Two steps, kept apart on purpose:

1. `play` moves matches along the lifecycle through matchmaking.lifecycle, as the people
   would: the counsellor forwards or rejects, the producer and the buyer accept or decline,
   the counsellor records the outcome (won with a value, or lost). Every rule applies (who may
   act, which transition is legal, the events, the notifications after the commit: a match
   that has moved on by then announces nothing, `matchmaking.notifications`). The market
   briefs are written through counsellors.briefs.
2. `backdate` spreads what step 1 did over the past year. The services stamp everything
   "now", and nothing in the portal may write a past time, so this is the demo's own time
   travel: bulk updates of the stamps (Match.created_at/forwarded_at/connected_at/updated_at,
   MatchEvent.at, MarketBrief.published_at) and nothing else. Then the real escalation and
   check-in services run on the backdated matches (`matchmaking.notifications`), and the
   escalations are dated when they would have happened.

Each match's fate and dates come from a random generator seeded by its two companies'
addresses, so the same province always gets the same history.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

import jdatetime
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from counsellors import briefs as brief_services
from counsellors.models import CounsellorProfile, MarketBrief
from home.demo_province_data import MARKET_BY_CODE, SEED
from matchmaking import lifecycle, notifications, outcomes
from matchmaking.models import Match, MatchEvent, MatchStatus

YEAR = 365
FORWARD_NOTES = (
    "خریدار معتبر؛ سابقه واردات از ایران دارد.",
    "ظرفیت تولیدکننده با تقاضای خریدار هم‌خوان است.",
    "Good fit on product and volume; buyer asked for a quotation.",
    "Buyer visits Tabriz next month; worth a call before.",
    "Strong fit on sector and market.",
)
REJECT_REASONS = (
    "Wrong product: the buyer wants spare parts, not finished machines.",
    "Producer too small for this buyer's volumes.",
    "Producer does not export yet.",
    "خریدار فقط از اتحادیه اروپا وارد می‌کند.",
    "Buyer already works with this producer.",
)
DECLINE_NOTES = ("Prices above our budget.", "ظرفیت ما تا پایان سال پر است.", "Not our segment.", "")
WON_NOTES = (
    "First container shipped.",
    "محموله اول از مرز بازرگان رفت.",
    "Trial order delivered; repeat expected.",
)
LOST_NOTES = (
    "Lost on price to a Turkish maker.",
    "Buyer chose a Chinese supplier.",
    "Payment terms could not be agreed.",
)


@dataclass
class Plan:
    """One match's story: where it ends and when each step happened (days before now)."""

    match: Match
    fate: str
    created: float
    steps: list[float] = field(default_factory=list)  # one per event after the creation


@dataclass
class HistoryCounts:
    played: int = 0
    by_fate: dict[str, int] = field(default_factory=dict)
    briefs: int = 0
    escalated: int = 0
    checkins: int = 0


def _plan(match: Match) -> Plan:
    """Draw a match's fate and its steps' dates (days ago, decreasing, all in the past year)."""
    rng = random.Random(f"{SEED}:{match.producer.owner.email}:{match.buyer.owner.email}")
    r = rng.random()
    if r < 0.68:  # still waiting in the queue: mostly fresh, some ageing, some overdue
        age = rng.choice(
            (rng.uniform(0, 6.5), rng.uniform(0, 6.5), rng.uniform(7, 13.5), rng.uniform(14, 75))
        )
        return Plan(match, MatchStatus.PROPOSED, age)
    if r < 0.78:
        review = rng.uniform(1, 10)
        created = rng.uniform(review + 1, YEAR)
        return Plan(match, MatchStatus.REJECTED, created, [created - review])
    forward = rng.uniform(1, 10)
    s = rng.random()
    if s < 0.22:  # forwarded, still waiting for the parties (one may have answered)
        gaps = [forward] + ([rng.uniform(2, 12)] if rng.random() < 0.5 else [])
        fate = MatchStatus.FORWARDED
    elif s < 0.38:
        gaps, fate = [forward, rng.uniform(3, 20)], MatchStatus.DECLINED
    else:
        gaps = [forward, rng.uniform(2, 10), rng.uniform(1, 15)]
        t = rng.random()
        fate = MatchStatus.CONNECTED if t < 0.35 else MatchStatus.WON if t < 0.75 else MatchStatus.LOST
        if fate != MatchStatus.CONNECTED:
            gaps.append(rng.uniform(20, 120))
    span = sum(gaps)
    created = rng.uniform(span + 1, max(span + 2, YEAR if fate != MatchStatus.FORWARDED else span + 40))
    steps, at = [], created
    for gap in gaps:
        at -= gap
        steps.append(at)
    return Plan(match, fate, created, steps)


def play(plans: list[Plan], staff: User) -> None:
    """Step 1: each plan's transitions through matchmaking.lifecycle (in one transaction)."""
    for plan in plans:
        if plan.fate == MatchStatus.PROPOSED:
            continue
        rng = random.Random(f"{SEED}:notes:{plan.match.pk}")
        match = plan.match
        reviewer = match.counsellor or staff
        if plan.fate == MatchStatus.REJECTED:
            lifecycle.match_reject(match=match, actor=reviewer, reason=rng.choice(REJECT_REASONS))
            continue
        match = lifecycle.match_forward(match=match, actor=reviewer, note=rng.choice(FORWARD_NOTES))
        producer, buyer = match.producer.owner, match.buyer.owner
        if plan.fate == MatchStatus.FORWARDED:
            if len(plan.steps) > 1:
                lifecycle.match_respond(match=match, actor=rng.choice((producer, buyer)), decision="accept")
            continue
        if plan.fate == MatchStatus.DECLINED:
            lifecycle.match_respond(
                match=match,
                actor=rng.choice((producer, buyer)),
                decision="decline",
                note=rng.choice(DECLINE_NOTES),
            )
            continue
        lifecycle.match_respond(
            match=match, actor=producer, decision="accept", note="آماده ارسال پیش‌فاکتور هستیم."
        )
        match = lifecycle.match_respond(
            match=match, actor=buyer, decision="accept", note="Please send samples."
        )
        if plan.fate == MatchStatus.WON:
            value = Decimal(int(rng.lognormvariate(11.2, 0.9) / 1000) * 1000 + 5000)
            outcomes.match_record_outcome(
                match=match,
                actor=reviewer,
                outcome=MatchStatus.WON,
                value=value,
                currency=rng.choice(("USD", "USD", "USD", "EUR", "AED")),
                note=rng.choice(WON_NOTES),
            )
        elif plan.fate == MatchStatus.LOST:
            outcomes.match_record_outcome(
                match=match, actor=reviewer, outcome=MatchStatus.LOST, note=rng.choice(LOST_NOTES)
            )


def backdate(plans: list[Plan], now: datetime.datetime) -> None:
    """Step 2: the stamps of step 1 spread over the year (see the module docstring)."""

    def ago(days: float) -> datetime.datetime:
        return now - datetime.timedelta(days=days)

    by_id = {plan.match.pk: plan for plan in plans}
    matches = []
    for match in Match.objects.filter(pk__in=by_id).only(
        "pk", "status", "outcome_declared_at", "outcome_confirmed_at"
    ):
        plan = by_id[match.pk]
        match.created_at = ago(plan.created)
        match.updated_at = ago(plan.steps[-1] if plan.steps else plan.created)
        match.forwarded_at = None
        match.connected_at = None
        if plan.fate not in (MatchStatus.PROPOSED, MatchStatus.REJECTED):
            match.forwarded_at = ago(plan.steps[0])
        if plan.fate in (MatchStatus.CONNECTED, MatchStatus.WON, MatchStatus.LOST):
            match.connected_at = ago(plan.steps[2])
        if plan.fate in (MatchStatus.WON, MatchStatus.LOST):  # recorded by the counsellor: confirmed
            match.outcome_declared_at = match.outcome_confirmed_at = match.updated_at
        matches.append(match)
    Match.objects.bulk_update(
        matches,
        [
            "created_at",
            "updated_at",
            "forwarded_at",
            "connected_at",
            "outcome_declared_at",
            "outcome_confirmed_at",
        ],
        batch_size=500,
    )

    events, seen = [], {}
    for event in (
        MatchEvent.objects.filter(match_id__in=by_id).order_by("match_id", "id").only("pk", "match_id")
    ):
        plan = by_id[event.match_id]
        index = seen.get(event.match_id, 0)
        seen[event.match_id] = index + 1
        times = [plan.created, *plan.steps]
        event.at = ago(times[min(index, len(times) - 1)])
        events.append(event)
    MatchEvent.objects.bulk_update(events, ["at"], batch_size=1000)


def escalate(plans: list[Plan], now: datetime.datetime) -> tuple[int, int]:
    """The real escalation and check-in services on the backdated matches; each escalation is
    then dated when the escalation task would have found it (created + the escalation age)."""
    escalated = notifications.escalate_overdue(now)
    checkins = notifications.send_outcome_checkins(now)
    days = datetime.timedelta(days=settings.MATCH_ESCALATION_DAYS, hours=1)
    ids = {plan.match.pk for plan in plans}
    marked = list(Match.objects.filter(pk__in=ids, escalated_at=now).only("pk", "created_at"))
    for match in marked:
        match.escalated_at = min(now, match.created_at + days)
    Match.objects.bulk_update(marked, ["escalated_at"], batch_size=500)
    return escalated, checkins


# --- Market briefs over the months -------------------------------------------------------------

MONTHS_FA = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)
TOPICS = (
    ("بازار ماشین‌آلات و پمپ در {country}", "Machinery and pumps in {country}", ["8413", "8481"]),
    ("لوازم خانگی برقی در {country}", "Electrical home appliances in {country}", ["8418", "8450", "8516"]),
    ("فرش دستباف و ماشینی در {country}", "Hand-woven and machine carpets in {country}", ["5701", "5702"]),
    ("مواد غذایی و شیرینی در {country}", "Food and confectionery in {country}", ["1905", "1806"]),
    ("خشکبار و میوه خشک در {country}", "Dried fruit and nuts in {country}", ["0806", "0802"]),
)
BODIES_FA = (
    "## خلاصه\n\nتقاضا در {city} رو به رشد است و خریداران تحویل **{incoterm}** را ترجیح می‌دهند.\n\n"
    "- پرداخت بیشتر با اعتبار اسنادی\n- نمایشگاه تخصصی: {month}\n- رقبای اصلی: ترکیه و چین\n",
    "## وضعیت بازار\n\nواردکنندگان {city} سفارش‌های کوچک‌تر ولی منظم‌تری می‌دهند.\n\n"
    "| شاخص | مقدار |\n|---|---|\n| سفارش معمول | یک کانتینر |\n| زمان تحویل | ۳۰ تا ۴۵ روز |\n",
)
BODIES_EN = (
    "## Summary\n\nImporters in {city} are restocking; they ask for **{incoterm}** delivery and "
    "certificates in English.\n\n- Letters of credit are the rule\n- Trade fair: {month}\n",
    "## Market note\n\nPrices from Turkey rose this quarter, which opens room for Tabriz makers in "
    "{city}.\n\n| item | typical order |\n|---|---|\n| first order | one container |\n",
)


def _briefs(now: datetime.datetime) -> int:
    """Each desk's briefs over the past year (three to six each), written through
    counsellors.briefs and then dated in the month they are about; a desk that has them already
    gets none."""
    made: list[tuple[MarketBrief, float]] = []
    for desk in CounsellorProfile.objects.select_related("user").order_by("posted_country", "id"):
        code = desk.posted_country.code
        market = MARKET_BY_CODE.get(code)
        if market is None:
            continue
        rng = random.Random(f"{SEED}:briefs:{code}")
        existing = set(MarketBrief.objects.filter(author=desk.user).values_list("title", flat=True))
        topics = tuple(t.format(country=c) for fa, en, _ in TOPICS for t, c in ((fa, market.fa), (en, code)))
        if any(title.startswith(topics) for title in existing):
            continue  # this desk's year of briefs is written (on another day, its titles differ)
        months = sorted(rng.sample(range(12), k=rng.randint(3, 6)), reverse=True)
        for months_ago in months:
            title_fa, title_en, sectors = rng.choice(TOPICS)
            persian = rng.random() < 0.6
            date = now - datetime.timedelta(days=30 * months_ago)
            jalali = jdatetime.date.fromgregorian(date=date.date())
            month = f"{MONTHS_FA[jalali.month - 1]} {jalali.year}"
            if persian:
                title = f"{title_fa.format(country=market.fa)} — {month}"
                body = rng.choice(BODIES_FA)
            else:
                title = f"{title_en.format(country=market.code)} — {date:%B %Y}"
                body = rng.choice(BODIES_EN)
            # Every draw is made before the skip, so a brief already there changes none of the next.
            city, incoterm = rng.choice(market.cities), rng.choice(("CPT", "DAP", "FCA"))
            days = 30 * months_ago + rng.uniform(0, 25)
            if title in existing:
                continue
            existing.add(title)
            data = {
                "country": code,
                "title": title,
                "sectors": sectors,
                "language": "fa" if persian else "en",
                "body": body.format(city=city, incoterm=incoterm, month=month),
            }
            made.append((brief_services.brief_create(author=desk.user, data=data), days))
    for brief, days in made:
        brief.published_at = now - datetime.timedelta(days=days)
    MarketBrief.objects.bulk_update([b for b, _ in made], ["published_at"], batch_size=500)
    return len(made)


def play_year(*, staff: User, matches: QuerySet[Match]) -> HistoryCounts:
    """Plan, play and backdate the history of `matches` (the new proposed ones), then the
    briefs; every write of step 1 through the services, in one transaction per step."""
    now = timezone.now()
    counts = HistoryCounts()
    matches = matches.select_related("producer__owner", "buyer__owner", "counsellor")
    plans = sorted((_plan(match) for match in matches.order_by("pk")), key=lambda p: p.match.pk)
    for plan in plans:
        counts.by_fate[plan.fate] = counts.by_fate.get(plan.fate, 0) + 1
    counts.played = len(plans)
    with transaction.atomic():
        play(plans, staff)
    with transaction.atomic():
        backdate(plans, now)
        counts.escalated, counts.checkins = escalate(plans, now)
        counts.briefs = _briefs(now)
    return counts
