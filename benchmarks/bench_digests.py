"""Digests for 10,000 recipients — claimed, built, rendered and queued — against the naive way.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python benchmarks/bench_digests.py
    python benchmarks/bench_digests.py --recipients 2000              # SQLite, a temporary file

The script never touches real data: it makes its own database (on PostgreSQL
`bench_digests_<pid>` on the server DATABASE_URL points at, dropped at the end; else a
temporary SQLite file), migrates it (the HS taxonomy comes with the migrations) and bulk
loads a province: producers with products (a few listed this week), foreign buyers with
sought sectors, trade counsellors with desks, and matches in every state (proposed, some
ageing in the queues; forwarded this week and earlier; connected, with the parties'
responses as events). Then, in one run:

- our way: `digests.delivery.send_due` for the weekly recipients (producers and buyers) and
  the daily ones (counsellors): one claimed row per user, `build_digests` per batch of
  DIGEST_BATCH_SIZE (one call per window and language), each non-empty digest rendered
  (subject, text, HTML, the signed link) and handed to the mail backend, each row marked.
  The mail backend is a null one that serialises every message to its MIME bytes and drops
  it (what an SMTP backend does before the network; no network here). Timed in total and by
  stage, with every statement counted (connection.execute_wrapper);
- the naive way on a sample: `build_digest` one user at a time, then the same rendering,
  timed and counted the same way, and the ratio per digest.

Target on a 2-core machine: 10k recipients in <= 60 s, a bounded number of queries per digest.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import random
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
os.environ.pop("CELERY_BROKER_URL", None)  # any retry runs in process

from scratch import scratch_database  # noqa: E402

BATCH = 5000
CHAPTERS = ["84", "85", "94", "39", "72", "73", "87", "08", "20", "61"]
COUNTRIES = ["IQ", "AM", "TR", "AZ", "GE", "AF", "RU", "AE", "DE", "KZ", "TM", "SY", "QA", "OM"]


# --- The mail backend -----------------------------------------------------------------------


try:
    from django.core.mail.backends.base import BaseEmailBackend
except ImportError:  # pragma: no cover - Django is a requirement
    BaseEmailBackend = object


class SerialisingNullBackend(BaseEmailBackend):
    """Builds each message's MIME bytes (as the SMTP backend does) and drops them."""

    sent = 0
    bytes = 0

    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            SerialisingNullBackend.bytes += len(message.message().as_bytes())
            SerialisingNullBackend.sent += 1
        return len(email_messages)


# --- Synthetic province, bulk loaded ------------------------------------------------------------


def _users(role: str, n: int, rng: random.Random, password: str) -> list[int]:
    from accounts.models import User

    User.objects.bulk_create(
        [
            User(
                email=f"{role}{i}@bench.example",
                full_name=f"{role.title()} {i}",
                role=role,
                password=password,
                preferred_language="fa" if rng.random() < 0.7 else "en",
            )
            for i in range(n)
        ],
        batch_size=BATCH,
    )
    return list(User.objects.filter(role=role).order_by("pk").values_list("pk", flat=True))


def load_data(recipients: int, seed: int, now) -> dict[str, int]:
    """Bulk insert producers (45 %), buyers (53 %), counsellors (2 %) and their world."""
    from django.contrib.auth.hashers import make_password

    from accounts.companies import with_companies
    from accounts.models import BuyerProfile, ProducerProfile
    from catalogue.models import Product
    from counsellors.models import CounsellorProfile
    from matchmaking.models import Match, MatchEvent, MatchStatus, PartyResponse
    from taxonomy.models import Sector

    rng = random.Random(seed)
    password = make_password(None)
    n_counsellors = max(2, recipients // 50)
    n_producers = int(recipients * 0.45)
    n_buyers = recipients - n_producers - n_counsellors

    codes = list(
        Sector.objects.filter(level=6, code__regex=r"^(" + "|".join(CHAPTERS) + ")").values_list(
            "code", flat=True
        )
    )
    rng.shuffle(codes)
    codes = codes[:400]
    headings = sorted({code[:4] for code in codes})

    counsellor_users = _users("counsellor", n_counsellors, rng, password)
    CounsellorProfile.objects.bulk_create(
        [
            CounsellorProfile(user_id=pk, posted_country=COUNTRIES[i % len(COUNTRIES)])
            for i, pk in enumerate(counsellor_users)
        ],
        batch_size=BATCH,
    )

    owners = _users("producer", n_producers, rng, password)
    ProducerProfile.objects.bulk_create(
        with_companies(
            [
                ProducerProfile(
                    owner_id=pk, name=f"Tabriz Works {i}", target_markets=rng.sample(COUNTRIES, 3)
                )
                for i, pk in enumerate(owners)
            ],
            "producer",
        ),
        batch_size=BATCH,
    )
    producer_ids = list(ProducerProfile.objects.order_by("pk").values_list("pk", flat=True))
    products = []
    for i, pk in enumerate(producer_ids):
        for code in rng.sample(codes, rng.randint(1, 3)):
            capacity = Decimal(rng.randint(100, 20000))
            products.append(
                Product(
                    producer_id=pk,
                    name=f"Product {code} of works {i}",
                    hs_code_id=code,
                    annual_capacity=capacity,
                    available_capacity=capacity,
                    capacity_unit="units",
                )
            )
    Product.objects.bulk_create(products, batch_size=BATCH)
    # Most products are old; 2 % were listed this week (the buyers' "new products").
    product_ids = list(Product.objects.values_list("pk", flat=True))
    new_products = set(rng.sample(product_ids, max(1, len(product_ids) // 50)))
    Product.objects.exclude(pk__in=new_products).update(created_at=now - timedelta(days=60))
    Product.objects.filter(pk__in=new_products).update(created_at=now - timedelta(days=3))

    owners = _users("buyer", n_buyers, rng, password)
    BuyerProfile.objects.bulk_create(
        with_companies(
            [
                BuyerProfile(owner_id=pk, company_name=f"Buyer {i}", country=rng.choice(COUNTRIES))
                for i, pk in enumerate(owners)
            ],
            "buyer",
        ),
        batch_size=BATCH,
    )
    buyer_ids = list(BuyerProfile.objects.order_by("pk").values_list("pk", flat=True))
    through = BuyerProfile.sought_sectors.through
    through.objects.bulk_create(
        [
            through(buyerprofile_id=pk, sector_id=code)
            for pk in buyer_ids
            for code in rng.sample(headings, rng.randint(1, 3))
        ],
        batch_size=BATCH,
    )

    # Matches: ~4 per producer, in every state, routed to a counsellor (a few in the pool).
    pairs = set()
    while len(pairs) < n_producers * 4:
        pairs.add((rng.choice(producer_ids), rng.choice(buyer_ids)))
    states = (
        [MatchStatus.PROPOSED] * 55
        + [MatchStatus.FORWARDED] * 20
        + [MatchStatus.CONNECTED] * 10
        + [MatchStatus.REJECTED] * 8
        + [MatchStatus.DECLINED] * 4
        + [MatchStatus.WON] * 3
    )
    matches, plan = [], []
    for producer_id, buyer_id in sorted(pairs):
        status = rng.choice(states)
        score = Decimal(rng.randint(450, 990)) / 1000
        created = now - timedelta(days=rng.uniform(0.1, 40))
        forwarded = connected = None
        if status in (MatchStatus.FORWARDED, MatchStatus.CONNECTED, MatchStatus.DECLINED, MatchStatus.WON):
            forwarded = min(now - timedelta(hours=1), created + timedelta(days=rng.uniform(0.5, 5)))
        if status in (MatchStatus.CONNECTED, MatchStatus.WON):
            connected = min(now - timedelta(minutes=30), forwarded + timedelta(days=rng.uniform(0.2, 4)))
        accepted = status in (MatchStatus.CONNECTED, MatchStatus.WON)
        matches.append(
            Match(
                producer_id=producer_id,
                buyer_id=buyer_id,
                score=score,
                sector_score=score,
                capacity_score=score,
                market_score=score,
                certifications_score=score,
                status=status,
                counsellor_id=None if rng.random() < 0.03 else rng.choice(counsellor_users),
                producer_response=PartyResponse.ACCEPTED if accepted else PartyResponse.PENDING,
                buyer_response=PartyResponse.ACCEPTED if accepted else PartyResponse.PENDING,
                forwarded_at=forwarded,
                connected_at=connected,
            )
        )
        plan.append((created, forwarded, connected, status))
    Match.objects.bulk_create(matches, batch_size=BATCH)
    match_rows = list(
        Match.objects.order_by("pk").values_list("pk", "counsellor_id", "producer__owner", "buyer__owner")
    )
    # created_at is auto_now_add: set each match's own, a day's worth per statement.
    by_day: dict[int, list[int]] = {}
    for (pk, *_rest), (created, *_plan) in zip(match_rows, plan, strict=True):
        by_day.setdefault(int((now - created).total_seconds() // 3600), []).append(pk)
    for hours, ids in by_day.items():
        Match.objects.filter(pk__in=ids).update(created_at=now - timedelta(hours=hours, minutes=30))
    events = []
    for (pk, counsellor, producer_owner, buyer_owner), (_created, forwarded, connected, status) in zip(
        match_rows, plan, strict=True
    ):
        events.append(MatchEvent(match_id=pk, actor_id=None, from_status="", to_status=MatchStatus.PROPOSED))
        if forwarded:
            events.append(
                MatchEvent(
                    match_id=pk,
                    actor_id=counsellor,
                    from_status=MatchStatus.PROPOSED,
                    to_status=MatchStatus.FORWARDED,
                )
            )
        if connected:
            events.append(
                MatchEvent(
                    match_id=pk,
                    actor_id=producer_owner,
                    from_status=MatchStatus.FORWARDED,
                    to_status=MatchStatus.FORWARDED,
                )
            )
            events.append(
                MatchEvent(
                    match_id=pk,
                    actor_id=buyer_owner,
                    from_status=MatchStatus.FORWARDED,
                    to_status=MatchStatus.CONNECTED,
                )
            )
        if status == MatchStatus.DECLINED:
            events.append(
                MatchEvent(
                    match_id=pk,
                    actor_id=buyer_owner,
                    from_status=MatchStatus.FORWARDED,
                    to_status=MatchStatus.DECLINED,
                )
            )
    MatchEvent.objects.bulk_create(events, batch_size=BATCH)
    # Events at their moment: forwards at forwarded_at, responses at connected_at (one
    # statement each, in the database).
    from django.db.models import OuterRef, Subquery

    def match_field(name):
        return Subquery(Match.objects.filter(pk=OuterRef("match_id")).values(name)[:1])

    MatchEvent.objects.filter(from_status="").update(at=match_field("created_at"))
    MatchEvent.objects.filter(to_status=MatchStatus.FORWARDED, from_status=MatchStatus.PROPOSED).update(
        at=match_field("forwarded_at")
    )
    MatchEvent.objects.filter(from_status=MatchStatus.FORWARDED).exclude(
        to_status=MatchStatus.DECLINED
    ).update(at=match_field("connected_at"))
    MatchEvent.objects.filter(to_status=MatchStatus.DECLINED).update(at=match_field("forwarded_at"))
    return {
        "producers": n_producers,
        "buyers": n_buyers,
        "counsellors": n_counsellors,
        "products": len(products),
        "new products": len(new_products),
        "matches": len(matches),
        "events": len(events),
    }


# --- Measurements ---------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "target met" if ok else "TARGET MISSED"


class Stopwatch:
    """Time spent inside wrapped functions."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    def wrap(self, owner, name: str, label: str):
        function = getattr(owner, name)

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - start

        setattr(owner, name, timed)
        return function


class QueryCounter:
    """Every statement sent to the database, by kind (connection.execute_wrapper: no cap, unlike
    connection.queries). BEGIN/COMMIT are counted apart: SQLite sends them as statements,
    PostgreSQL's driver does not."""

    def __init__(self):
        self.kinds = {"claim inserts": 0, "row locks": 0, "marks": 0, "reads": 0}
        self.transaction = 0
        self.shapes: dict[str, int] = {}

    def __call__(self, execute, sql, params, many, context):
        if sql in ("BEGIN", "COMMIT") or sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")):
            self.transaction += 1
        elif sql.startswith('INSERT INTO "digests_digestdelivery"'):
            self.kinds["claim inserts"] += 1
        elif "FOR UPDATE" in sql:
            self.kinds["row locks"] += 1
        elif sql.startswith('UPDATE "digests_digestdelivery"'):
            self.kinds["marks"] += 1
        else:
            self.kinds["reads"] += 1
            self.shapes[sql[:90]] = self.shapes.get(sql[:90], 0) + 1
        return execute(sql, params, many, context)

    @property
    def statements(self) -> int:
        return sum(self.kinds.values())


def our_way(now) -> dict:
    from django.db import connection

    from digests import builders, delivery, mail
    from digests.models import DigestDelivery

    watch = Stopwatch()
    originals = [
        (delivery, "claim_run", watch.wrap(delivery, "claim_run", "claim")),
        (builders, "build_digests", watch.wrap(builders, "build_digests", "build")),
        (mail, "compose", watch.wrap(mail, "compose", "render")),
    ]
    totals = delivery.RunCounts()
    counter = QueryCounter()
    gc.collect()
    start = time.perf_counter()
    with connection.execute_wrapper(counter):
        for frequency in ("weekly", "daily"):
            totals.add(delivery.send_due(frequency=frequency, now=now))
    seconds = time.perf_counter() - start
    for owner, name, function in originals:
        setattr(owner, name, function)
    claimed = totals.claimed
    if os.environ.get("BENCH_SHOW_QUERIES"):
        for shape, count in sorted(counter.shapes.items(), key=lambda item: -item[1])[:15]:
            print(f"    {count:6d}  {shape}")
    return {
        "seconds": seconds,
        "counts": totals,
        "queries": counter.statements,
        "transaction": counter.transaction,
        "per_digest_ms": seconds * 1000 / max(claimed, 1),
        "queries_per_digest": counter.statements / max(claimed, 1),
        "stages": watch.seconds,
        "rows": DigestDelivery.objects.count(),
        "kinds": counter.kinds,
    }


def naive_way(now, sample: int, seed: int) -> dict:
    """build_digest one user at a time (no batching), then the same rendering."""
    from django.db import connection
    from django.utils import translation

    from accounts.models import User
    from digests import builders, mail, services
    from digests.delivery import period_length
    from digests.models import DigestDelivery

    rng = random.Random(seed)
    users = list(User.objects.select_related("digest_preference").order_by("pk"))
    users = rng.sample(users, min(sample, len(users)))
    gc.collect()
    built = nonempty = 0
    counter = QueryCounter()
    start = time.perf_counter()
    with connection.execute_wrapper(counter):
        for user in users:
            frequency = services.preference_for(user).frequency
            language = services.digest_language(user)
            with translation.override(language):
                digest = builders.build_digest(user, since=now - period_length(frequency), until=now)
            built += 1
            if not digest.is_empty:
                nonempty += 1
                row = DigestDelivery(
                    pk=0, user=user, frequency=frequency, period="naive", since=digest.since, until=now
                )
                mail.compose(delivery=row, user=user, digest=digest).message().as_bytes()
    seconds = time.perf_counter() - start
    return {
        "users": built,
        "nonempty": nonempty,
        "seconds": seconds,
        "per_digest_ms": seconds * 1000 / max(built, 1),
        "queries_per_digest": counter.statements / max(built, 1),
    }


def run(recipients: int, *, seed: int, sample: int) -> None:
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    settings.EMAIL_BACKEND = "bench_digests.SerialisingNullBackend"
    now = timezone.now()
    start = time.perf_counter()
    loaded = load_data(recipients, seed, now - timedelta(minutes=5))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk load
    print(
        f"\n== {recipients:,} recipients: {loaded['producers']:,} producers, {loaded['buyers']:,} buyers, "
        f"{loaded['counsellors']:,} counsellors; {loaded['products']:,} products ({loaded['new products']:,} new "
        f"this week), {loaded['matches']:,} matches, {loaded['events']:,} events "
        f"(bulk loaded in {time.perf_counter() - start:.1f} s)"
    )
    print(
        f"mail backend: SerialisingNullBackend (each message built to MIME bytes and dropped; no network); "
        f"DIGEST_BATCH_SIZE={settings.DIGEST_BATCH_SIZE}"
    )

    naive = naive_way(now, sample, seed)
    ours = our_way(now)
    counts = ours["counts"]
    import bench_digests  # the backend as Django loaded it (this file runs as __main__)

    backend = bench_digests.SerialisingNullBackend
    mails = backend.sent
    print(
        f"\nour way (send_due weekly + daily: claim, build_digests per batch, render, hand to the backend, mark): "
        f"{ours['seconds']:.2f} s  [{verdict(ours['seconds'] <= 60)}: <= 60 s for 10k]"
    )
    print(
        f"  {counts.claimed:,} claimed → {counts.sent:,} sent, {counts.empty:,} empty (nothing new), "
        f"{counts.failed} failed, {counts.skipped} skipped; {mails:,} messages, "
        f"{backend.bytes / max(mails, 1) / 1024:.1f} KiB each on average"
    )
    print(
        f"  {ours['per_digest_ms']:.2f} ms per digest; {ours['queries']:,} queries = "
        f"{ours['queries_per_digest']:.2f} per digest ("
        + ", ".join(f"{name} {count:,}" for name, count in ours["kinds"].items())
        + f"; and {ours['transaction']:,} BEGIN/COMMIT sent as statements)"
    )
    stages = ours["stages"]
    other = ours["seconds"] - sum(stages.values())
    print(
        "  by stage: "
        + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in stages.items())
        + f", the rest (locks, marks, MIME, loops) {other:.2f} s"
    )
    print(
        f"\nnaive (build_digest one user at a time + the same rendering) on {naive['users']} random users "
        f"({naive['nonempty']} non-empty): {naive['seconds']:.2f} s → {naive['per_digest_ms']:.2f} ms and "
        f"{naive['queries_per_digest']:.1f} queries per digest"
    )
    print(
        f"  extrapolated to {counts.claimed:,}: {naive['per_digest_ms'] * counts.claimed / 1000:.0f} s; "
        f"ours is {naive['per_digest_ms'] / ours['per_digest_ms']:.1f}× faster per digest with "
        f"{naive['queries_per_digest'] / ours['queries_per_digest']:.1f}× fewer queries"
    )
    bounded = ours["queries_per_digest"] <= 6
    print(f"  queries per digest: {ours['queries_per_digest']:.2f}  [{verdict(bounded)}: bounded, <= 6]")

    from digests import delivery

    again = delivery.RunCounts()
    start = time.perf_counter()
    for frequency in ("weekly", "daily"):
        again.add(delivery.send_due(frequency=frequency, now=now + timedelta(minutes=1)))
    print(
        f"\nthe same runs again (nothing due): {time.perf_counter() - start:.2f} s, "
        f"{again.claimed} claimed, {again.sent} sent, {again.skipped:,} skipped"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--naive-sample", type=int, default=300, help="users the naive way builds")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()

    server = os.environ.get("DATABASE_URL", "")
    with scratch_database(server, prefix="bench_digests", keep=args.keep) as url:
        os.environ["DATABASE_URL"] = url
        import django

        django.setup()
        for name in ("celery", "kombu", "digests", "matchmaking"):
            logging.getLogger(name).setLevel(logging.ERROR)
        from django.core.management import call_command
        from django.db import connection

        fate = "kept" if args.keep else "dropped at the end"
        print(f"database: {connection.vendor} ({url.rsplit('/', 1)[-1]}), scratch, {fate}")
        print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
        start = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"migrated in {time.perf_counter() - start:.1f} s")
        run(args.recipients, seed=args.seed, sample=args.naive_sample)


if __name__ == "__main__":
    main()
