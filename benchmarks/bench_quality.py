"""Match quality on a labelled world: precision, recall and the right producer on top.

    python benchmarks/bench_quality.py                      # SQLite, a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python benchmarks/bench_quality.py
    python benchmarks/bench_quality.py --quiet              # the overall figures only

Loads benchmarks/quality/world.yaml (look-alike producers, buyers who each want one thing,
and our labels: see benchmarks/quality/README.md) into a scratch database of its own
(benchmarks/scratch.py: migrated, dropped at the end), runs the nightly sweep's service
(`matchmaking.services.rematch_all`: load, score, select, persist) and reads the proposed
matches back from the Match table, best first per buyer. Then per buyer and overall:

- precision: the share of proposed pairs that are labelled right;
- recall: the share of labelled right pairs that are proposed;
- top: the producer labelled `first` is the buyer's best proposal (for a buyer nobody can
  serve: nothing is proposed).

The world's buying requests (published, with their lines) are matched the same way after
the sweep (`matchmaking.request_matching.rematch_requests`: one match per producer and
request) and measured alike, per request and overall, printed beside the buyers' figures.

Exit status 1 when, for the buyers or for the requests, overall precision < 0.9, recall < 0.9,
or any top is wrong (usable in CI; not part of it), else 0.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
os.environ.pop("CELERY_BROKER_URL", None)  # nothing leaves the process

from scratch import scratch_database  # noqa: E402

WORLD = ROOT / "benchmarks" / "quality" / "world.yaml"
PRECISION_TARGET = RECALL_TARGET = 0.9


@dataclass
class BuyerLabels:
    key: str
    name: str
    seeks: list[str]
    first: str | None
    right: set[str]
    wrong: dict[str, str] = field(default_factory=dict)


def read_world(path: Path = WORLD) -> dict:
    world = yaml.safe_load(path.read_text(encoding="utf-8"))
    producers = {p["key"] for p in world["producers"]}
    buyers = {b["key"] for b in world["buyers"]}
    for case in [*world["buyers"], *world.get("requests", [])]:
        first = case.get("first") or {}
        if len(first) > 1:
            raise ValueError(f"{case['key']}: one producer first at most")
        for key in [*first, *(case.get("right") or {}), *(case.get("wrong") or {})]:
            if key not in producers:
                raise ValueError(f"{case['key']}: unknown producer {key}")
    for request in world.get("requests", []):
        if request["buyer"] not in buyers:
            raise ValueError(f"{request['key']}: unknown buyer {request['buyer']}")
    return world


def _labels(case: dict, name: str, seeks: list[str]) -> BuyerLabels:
    first = next(iter(case.get("first") or {}), None)
    right = set(case.get("right") or {}) | ({first} if first else set())
    return BuyerLabels(
        key=case["key"], name=name, seeks=seeks, first=first, right=right, wrong=dict(case.get("wrong") or {})
    )


def labels_of(world: dict) -> list[BuyerLabels]:
    return [_labels(b, b["name"], [str(code) for code in b["seeks"]]) for b in world["buyers"]]


def request_labels_of(world: dict) -> list[BuyerLabels]:
    return [
        _labels(r, r["title"], [str(line["hs"]) for line in r["lines"]]) for r in world.get("requests", [])
    ]


def load_world(world: dict) -> tuple[dict[int, str], dict[int, str]]:
    """The world in the database through the models (as the portal's forms would leave it);
    returns (producer pk → key, buyer pk → key)."""
    from accounts.models import BuyerProfile, ProducerProfile, Role, User
    from catalogue.models import Product

    buyer_fields = {f.name for f in BuyerProfile._meta.get_fields()}
    producer_keys: dict[int, str] = {}
    for p in world["producers"]:
        user = User.objects.create_user(email=f"{p['key'].lower()}@quality.example", role=Role.PRODUCER)
        profile = ProducerProfile.objects.create(
            owner=user,
            name=p["name"],
            target_markets=p.get("target_markets", []),
            open_to_any_market=bool(p.get("open_to_any_market", False)),
            export_experience=p.get("export_experience", []),
            certifications=p.get("certifications", []),
        )
        for product in p["products"]:
            Product.objects.create(
                producer=profile,
                name=product["name"],
                hs_code_id=str(product["hs"]),
                annual_capacity=product["capacity"],
                available_capacity=product["capacity"],
                capacity_unit=product["unit"],
                moq=product.get("moq"),
                lead_time_days=product.get("lead_time"),
            )
        producer_keys[profile.pk] = p["key"]
    buyer_keys: dict[int, str] = {}
    for b in world["buyers"]:
        user = User.objects.create_user(email=f"{b['key'].lower()}@quality.example", role=Role.BUYER)
        extra = {}
        if "seeks_parts" in buyer_fields:  # the engine before issue 14 has no such field
            extra["seeks_parts"] = bool(b.get("seeks_parts", False))
        elif b.get("seeks_parts"):
            print(f"  note: {b['key']} asks for parts too; this engine has no such field")
        profile = BuyerProfile.objects.create(
            owner=user,
            company_name=b["name"],
            country=b["country"],
            annual_demand=b.get("annual_demand"),
            demand_unit=b.get("unit", ""),
            typical_order=b.get("typical_order"),
            required_certifications=b.get("required_certifications", []),
            **extra,
        )
        profile.sought_sectors.set([str(code) for code in b["seeks"]])
        buyer_keys[profile.pk] = b["key"]
    return producer_keys, buyer_keys


def load_requests(world: dict, buyer_keys: dict[int, str]) -> dict[int, str]:
    """The world's buying requests, published, with their lines; returns request pk → key."""
    import datetime

    from django.utils import timezone

    from sourcing.models import BuyingRequest, RequestLine, RequestStatus

    buyer_of = {key: pk for pk, key in buyer_keys.items()}
    request_keys: dict[int, str] = {}
    for r in world.get("requests", []):
        request = BuyingRequest.objects.create(
            buyer_id=buyer_of[r["buyer"]],
            title=r["title"],
            destination_country=r["country"],
            deadline=timezone.localdate() + datetime.timedelta(days=int(r["days"])),
            required_certifications=r.get("required_certifications", []),
            status=RequestStatus.PUBLISHED,
        )
        for position, line in enumerate(r["lines"]):
            RequestLine.objects.create(
                request=request,
                position=position,
                sector_id=str(line["hs"]),
                quantity=line["quantity"],
                unit=line["unit"],
            )
        request_keys[request.pk] = r["key"]
    return request_keys


def evaluate(
    labels: list[BuyerLabels],
    proposed: dict[str, list[tuple[str, float]]],
    *,
    quiet: bool,
    what: str = "buyers",
) -> bool:
    """Print the figures; True when every target is met."""
    true_positives = proposed_total = right_total = 0
    tops_right = 0
    for buyer in labels:
        pairs = proposed.get(buyer.key, [])
        keys = [key for key, _ in pairs]
        hits = len(set(keys) & buyer.right)
        true_positives += hits
        proposed_total += len(keys)
        right_total += len(buyer.right)
        top_ok = (keys[0] == buyer.first) if buyer.first else not keys
        tops_right += top_ok
        if quiet:
            continue
        precision = hits / len(keys) if keys else 1.0
        recall = hits / len(buyer.right) if buyer.right else 1.0
        shown = ", ".join(
            f"{key}{'' if key in buyer.right else '✗'} {score:.3f}" for key, score in pairs[:8]
        ) + (f", … {len(pairs) - 8} more" if len(pairs) > 8 else "")
        print(
            f"{buyer.key} {buyer.name[:28]:28} seeks {','.join(buyer.seeks):13} "
            f"P {precision:4.2f} R {recall:4.2f} top {'ok ' if top_ok else 'BAD'} "
            f"[{shown or 'nothing proposed'}]"
        )
        missed = sorted(buyer.right - set(keys))
        if missed:
            print(f"      missed: {', '.join(missed)}")
        for key in keys:
            if key in buyer.wrong:
                print(f"      wrong {key}: {buyer.wrong[key]}")
    precision = true_positives / proposed_total if proposed_total else 1.0
    recall = true_positives / right_total if right_total else 1.0
    print(
        f"\noverall ({what}): {proposed_total} pairs proposed, {true_positives} right of {right_total} "
        f"labelled right; precision {precision:.3f}, recall {recall:.3f}, right producer on top for "
        f"{tops_right}/{len(labels)} {what}"
    )
    ok = precision >= PRECISION_TARGET and recall >= RECALL_TARGET and tops_right == len(labels)
    print(
        f"targets (precision >= {PRECISION_TARGET}, recall >= {RECALL_TARGET}, every top right): "
        f"{'met' if ok else 'MISSED'}"
    )
    return ok


def run(world: dict, *, quiet: bool) -> bool:
    from django.db import connection

    from matchmaking import engine, request_matching, services
    from matchmaking.loading import load_buyers, load_producers, load_sections
    from matchmaking.models import Match, MatchStatus, get_matching_config

    producer_keys, buyer_keys = load_world(world)
    start = time.perf_counter()
    counts = services.rematch_all()
    sweep_seconds = time.perf_counter() - start
    request_keys = load_requests(world, buyer_keys)
    start = time.perf_counter()
    request_counts = request_matching.rematch_requests()
    request_seconds = time.perf_counter() - start

    proposed: dict[str, list[tuple[str, float]]] = {}
    rows = (
        Match.objects.filter(status=MatchStatus.PROPOSED, request__isnull=True)
        .order_by("buyer_id", "-score", "producer_id")
        .values_list("buyer_id", "producer_id", "score")
    )
    for buyer_id, producer_id, score in rows:
        proposed.setdefault(buyer_keys[buyer_id], []).append((producer_keys[producer_id], float(score)))

    config = get_matching_config()
    sections = load_sections()
    producers, buyers = load_producers(), load_buyers()
    start = time.perf_counter()
    repeats = 20
    for _ in range(repeats):
        engine.score_all(producers, buyers, sections, config)
    score_ms = (time.perf_counter() - start) / repeats * 1000
    print(
        f"world: {len(producers)} producers × {len(buyers)} buyers on {connection.vendor}; "
        f"weights {config.weights}, min_score {config.min_score}"
    )
    ok = evaluate(labels_of(world), proposed, quiet=quiet)
    print(
        f"engine: sweep end to end (rematch_all: load, score, persist) {sweep_seconds * 1000:.0f} ms, "
        f"{counts.created} matches; score_all alone {score_ms:.2f} ms "
        f"(speed at scale: benchmarks/bench_matching.py)"
    )

    by_request: dict[str, list[tuple[str, float]]] = {}
    rows = (
        Match.objects.filter(status=MatchStatus.PROPOSED, request__isnull=False)
        .order_by("request_id", "-score", "producer_id")
        .values_list("request_id", "producer_id", "score")
    )
    for request_id, producer_id, score in rows:
        by_request.setdefault(request_keys[request_id], []).append((producer_keys[producer_id], float(score)))
    print(f"\nbuying requests: {len(request_keys)} published, {request_counts.lines} open lines")
    requests_ok = evaluate(request_labels_of(world), by_request, quiet=quiet, what="requests")
    print(
        f"engine: requests end to end (rematch_requests: load, score, persist) {request_seconds * 1000:.0f} ms, "
        f"{request_counts.created} matches"
    )
    return ok and requests_ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--world", type=Path, default=WORLD)
    parser.add_argument("--quiet", action="store_true", help="overall figures only")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    world = read_world(args.world)
    with scratch_database(os.environ.get("DATABASE_URL", ""), prefix="bench_quality", keep=args.keep) as url:
        os.environ["DATABASE_URL"] = url
        import logging

        import django

        django.setup()
        for name in ("celery", "kombu", "matchmaking"):
            logging.getLogger(name).setLevel(logging.WARNING)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        ok = run(world, quiet=args.quiet)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
