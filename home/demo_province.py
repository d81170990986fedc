"""The province at its real scale (`seed_demo --scale province`): hundreds of plants, buyers in
21 markets, a counsellor posted in each, and a year of history on the engine's matches.

It extends the small demo (home.demo, which runs first and keeps its accounts and story) with
the companies of `home.demo_province_data`, in four steps:

1. accounts, profiles and products (`seed_world`). Profiles, products and counsellors' desks
   go through their services (accounts.services, catalogue.services, counsellors.services),
   where their rules live: validation, HS codes as sectors, the search index, routing of the
   pool. Only the users are bulk-created (`bulk_create`), each with the same precomputed
   password hash: hashing the demo password a thousand times (PBKDF2, about 0.3 s each)
   would take the whole time budget alone, and a user row holds no rule the services would
   apply (their emails are then marked verified through the one write that does it,
   accounts.verification).
2. the matches, from the real engine: one `rematch_all()` once every profile is written
   (the per-profile rematch triggers are paused meanwhile).
3. a year of history on the matches this run created (home.demo_province_history):
   counsellors forward, reject, the parties accept or decline, outcomes are recorded, all
   through matchmaking.lifecycle; briefs through counsellors.briefs; then, in a separate
   step, the timestamps are moved back over the year, and the escalation service marks the
   overdue ones.
4. the figures: proposed matches per counsellor (and the pool), matches by status, and how
   many proposed pairs have a product under a code the buyer seeks (the queue's precision by
   issue 14's candidate rule).

Idempotent: a company, desk or brief already there is left as it is (the generator is
deterministic, it would write the same values), the history is played only on matches this
run's rematch created, so a second run writes nothing. A bigger size extends a smaller one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, Max

from accounts import services as account_services
from accounts.models import BuyerProfile, ProducerProfile, Role, User
from accounts.verification import mark_email_verified
from catalogue import services as catalogue_services
from catalogue.models import Product
from counsellors import services as counsellor_services
from counsellors.models import CounsellorProfile
from home import demo_province_history as history
from home.demo_province_data import (
    DOMAIN,
    MARKETS,
    PROVINCE,
    SECTORS,
    ProvinceSize,
    buyer_spec,
    counsellor_email,
    producer_spec,
)
from home.demo_verification import verify_demo_company
from matchmaking import services as matchmaking_services
from matchmaking.models import Match, MatchStatus
from matchmaking.persistence import RematchCounts

# The sectors (HS chapters) every desk follows: what the province sells.
DESK_SECTORS = ["84", "85", "57", "19", "08"]


@dataclass
class ProvinceReport:
    """What `seed_province` leaves: the queue per counsellor and the matches by status."""

    created_users: int
    rematch: object
    history: history.HistoryCounts
    queues: list[tuple[str, str, int]]  # (email, posted country, proposed matches routed)
    pool: int
    by_status: dict[str, int]
    relevant: tuple[int, int]  # see relevant_share
    seconds: dict[str, float]  # per step


def _users(specs: list[dict], role: str, password: str) -> dict[str, User]:
    """The users of `specs` by email: the missing ones bulk-created (see the module docstring)."""
    emails = [spec["email"] for spec in specs]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    missing = [spec for spec in specs if spec["email"] not in existing]
    User.objects.bulk_create(
        [
            User(
                email=spec["email"],
                full_name=spec["full_name"][:150],
                role=role,
                preferred_language=spec.get("language", "fa"),
                password=password,
            )
            for spec in missing
        ],
        batch_size=500,
    )
    users = {user.email: user for user in User.objects.filter(email__in=emails)}
    for spec in missing:
        mark_email_verified(user=users[spec["email"]])
    return users


def _counsellors(staff: User, password: str) -> int:
    """One counsellor posted in each of the 21 markets: the small demo's eight desks are kept,
    the others are made here through counsellors.services."""
    specs = [
        {"email": counsellor_email(m), "full_name": f"رایزن بازرگانی در {m.fa}", "market": m} for m in MARKETS
    ]
    users = _users(specs, Role.COUNSELLOR, password)
    has_desk = set(
        CounsellorProfile.objects.filter(user__in=users.values()).values_list("user_id", flat=True)
    )
    made = 0
    for spec in specs:
        user = users[spec["email"]]
        if user.pk in has_desk:
            continue
        languages = ["fa", *[x for x in spec["market"].languages if x != "fa"]][:4]
        data = {"posted_country": spec["market"].code, "sectors": DESK_SECTORS, "languages": languages}
        counsellor_services.counsellor_profile_create(actor=staff, user=user, data=data)
        made += 1
    return made


def _producers(staff: User, size: ProvinceSize, password: str) -> int:
    specs = [producer_spec(sector, i) for sector in SECTORS for i in range(size.producers(sector))]
    users = _users(specs, Role.PRODUCER, password)
    has_profile = set(
        ProducerProfile.objects.filter(owner__in=users.values()).values_list("owner__email", flat=True)
    )
    made = 0
    for spec in specs:
        if spec["email"] in has_profile:
            continue
        data = {key: value for key, value in spec["profile"].items() if key != "verified"}
        profile = account_services.producer_profile_create(actor=staff, owner=users[spec["email"]], data=data)
        for data in spec["products"]:
            catalogue_services.product_create(producer=profile, actor=staff, data=data)
        if spec["profile"].get("verified"):
            verify_demo_company(profile, reviewer=staff, certifications=profile.certifications)
        made += 1
    return made


def _buyers(staff: User, size: ProvinceSize, password: str) -> int:
    specs = [buyer_spec(market, i) for market in MARKETS for i in range(size.buyers(market))]
    for spec in specs:
        spec["language"] = "en"
    users = _users(specs, Role.BUYER, password)
    has_profile = set(
        BuyerProfile.objects.filter(owner__in=users.values()).values_list("owner__email", flat=True)
    )
    made = 0
    for spec in specs:
        if spec["email"] not in has_profile:
            account_services.buyer_profile_create(
                actor=staff, owner=users[spec["email"]], data=spec["profile"]
            )
            made += 1
    return made


def seed_world(*, staff: User, size: ProvinceSize, password: str) -> int:
    """Step 1: counsellors, plants with their products, buyers; return the users made."""
    before = User.objects.count()
    _counsellors(staff, password)
    with matchmaking_services.rematch_triggers_paused():
        _producers(staff, size, password)
        _buyers(staff, size, password)
    return User.objects.count() - before


def province_matches():
    """The matches whose buyer is one of the province demo's."""
    return Match.objects.filter(buyer__owner__email__endswith=f"@{DOMAIN}")


def queue_sizes() -> tuple[list[tuple[str, str, int]], int]:
    """Proposed matches routed to each counsellor (every desk listed), and the shared pool."""
    routed = dict(
        Match.objects.filter(status=MatchStatus.PROPOSED, counsellor__isnull=False)
        .values_list("counsellor_id")
        .annotate(n=Count("pk"))
    )
    rows = [
        (desk.user.email, desk.posted_country.code, routed.get(desk.user_id, 0))
        for desk in CounsellorProfile.objects.select_related("user").order_by("posted_country", "id")
    ]
    pool = Match.objects.filter(status=MatchStatus.PROPOSED, counsellor__isnull=True).count()
    return rows, pool


def relevant_share() -> tuple[int, int]:
    """(proposed matches where one of the producer's products lies under a code the buyer
    seeks, all proposed matches): the queue's precision as issue 14's candidate rule judges
    it (a shared chapter or section alone is noise). A yardstick for the report, not a rule."""
    proposed = Match.objects.filter(status=MatchStatus.PROPOSED)
    pairs = list(proposed.values_list("producer_id", "buyer_id"))
    sought: dict[int, list[str]] = {}
    for buyer_id, code in BuyerProfile.sought_sectors.through.objects.filter(
        buyerprofile_id__in=proposed.values("buyer_id")
    ).values_list("buyerprofile_id", "sector_id"):
        sought.setdefault(buyer_id, []).append(code)
    made: dict[int, set[str]] = {}
    for producer_id, code in Product.objects.filter(
        producer_id__in=proposed.values("producer_id"), is_active=True
    ).values_list("producer_id", "hs_code_id"):
        made.setdefault(producer_id, set()).add(code)
    relevant = sum(
        any(
            code.startswith(prefix)
            for code in made.get(p, ())
            for prefix in sought.get(b, ())
            if prefix.isdigit()
        )
        for p, b in pairs
    )
    return relevant, len(pairs)


def status_counts() -> dict[str, int]:
    rows = Match.objects.values_list("status").annotate(n=Count("pk")).order_by("status")
    return dict(rows)


def seed_province(*, staff: User, password: str, size: ProvinceSize = PROVINCE) -> ProvinceReport:
    """Steps 1–4 (see the module docstring), each step in its own transaction."""
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    hashed = make_password(password)  # once for every account (see the module docstring)
    with transaction.atomic():
        created = seed_world(staff=staff, size=size, password=hashed)
    seconds["companies"], start = time.perf_counter() - start, time.perf_counter()
    last = Match.objects.aggregate(last=Max("pk"))["last"] or 0
    # Only when this run added companies: a rematch over an unchanged province would re-score
    # it with the evidence of the history the first run played (who left introductions
    # unanswered), and a second run is to write nothing.
    counts = RematchCounts()
    if created:
        with transaction.atomic():
            counts = matchmaking_services.rematch_all()
    seconds["engine"], start = time.perf_counter() - start, time.perf_counter()
    new = province_matches().filter(pk__gt=last, status=MatchStatus.PROPOSED)
    played = history.play_year(staff=staff, matches=new)
    seconds["history"] = time.perf_counter() - start
    queues, pool = queue_sizes()
    return ProvinceReport(
        created_users=created,
        rematch=counts,
        history=played,
        queues=queues,
        pool=pool,
        by_status=status_counts(),
        relevant=relevant_share(),
        seconds=seconds,
    )
