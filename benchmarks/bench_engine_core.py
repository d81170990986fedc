"""The matching engine against the naive per-pair loop, on synthetic Tabriz-like data.

    .venv/bin/python benchmarks/bench_engine_core.py            # 10k producers × 10k buyers
    .venv/bin/python benchmarks/bench_engine_core.py --large    # and 100k producers × 10k buyers

The naive baseline (matchmaking.engine.reference: every pair visited in Python) would take
hours on 10k × 10k, so it runs on a sample of buyers against all producers and its
pairs/s is extrapolated; the output says so. Targets on a 2-core machine: 10k × 10k well
under 15 s, >= 50× naive, peak memory <= 2 GB; 100k × 10k <= 120 s; one profile <= 200 ms.
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matchmaking.engine import (  # noqa: E402 - after the path set-up, as a script
    BuyerArrays,
    MatchingConfig,
    ProducerArrays,
    default_sections,
    prepare_producers,
    score_all,
    score_one_buyer,
    score_one_producer,
    select_reciprocal,
    shortlist,
)
from matchmaking.engine.prepare import prepare_buyers  # noqa: E402
from matchmaking.engine.reference import reference_score_all  # noqa: E402
from matchmaking.engine.scoring import block_candidates, buyer_blocks  # noqa: E402

HS_FILE = ROOT / "catalogue" / "data" / "harmonized-system.csv"

# Where Tabriz producers (and their buyers) sit: machinery, electrical and home appliances,
# vehicles, furniture, plastics, steel articles, textiles (52-63) and food (02-21).
CHAPTER_WEIGHTS = {"84": 0.22, "85": 0.18, "87": 0.08, "94": 0.08, "39": 0.08, "73": 0.08}
CHAPTER_WEIGHTS.update({f"{c:02d}": 0.14 / 12 for c in range(52, 64)})
CHAPTER_WEIGHTS.update({f"{c:02d}": 0.14 / 20 for c in range(2, 22)})
NEAR_MARKETS = [
    "IQ",
    "TR",
    "AZ",
    "AM",
    "AF",
    "RU",
    "KZ",
    "TM",
    "UZ",
    "AE",
    "GE",
    "SY",
    "PK",
    "OM",
    "QA",
    "KW",
]
FAR_MARKETS = ["DE", "IT", "CN", "IN", "BY", "UA", "KG", "TJ", "LB", "SA", "BH", "EG", "DZ", "KE", "BR", "MY"]
CERTIFICATIONS = ["ISO 9001", "CE", "ISO 14001", "HALAL", "GOST-R", "EAC", "ISO 22000", "HACCP", "UL", "SASO"]
UNIT_BY_FAMILY = {
    "machines": ["units", "sets"],
    "materials": ["tonnes", "kg", "m2"],
    "food": ["tonnes", "kg", "litres"],
}


def hs_tree() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Headings per chapter and subheadings per heading, from the shipped HS file when present."""
    headings: dict[str, list[str]] = {}
    subheadings: dict[str, list[str]] = {}
    if HS_FILE.exists():
        with open(HS_FILE, encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                code = row["hscode"]
                if row["level"] == "4":
                    headings.setdefault(code[:2], []).append(code)
                elif row["level"] == "6":
                    subheadings.setdefault(code[:4], []).append(code)
    for chapter in CHAPTER_WEIGHTS:  # synthetic fallback outside the team's tree
        headings.setdefault(chapter, [f"{chapter}{h:02d}" for h in range(1, 16)])
        for heading in headings[chapter]:
            subheadings.setdefault(heading, [f"{heading}{s:02d}" for s in range(10, 60, 10)])
    return headings, subheadings


def family(chapter: str) -> str:
    if chapter in ("84", "85", "87", "94"):
        return "machines"
    return "food" if int(chapter) < 25 else "materials"


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.headings, self.subheadings = hs_tree()
        self.chapters = list(CHAPTER_WEIGHTS)
        weights = np.array(list(CHAPTER_WEIGHTS.values()))
        self.chapter_p = weights / weights.sum()

    def codes(self, count: int, level_p: tuple[float, float, float]) -> list[str]:
        rng = self.rng
        home = self.chapters[rng.choice(len(self.chapters), p=self.chapter_p)]
        codes = []
        for _ in range(count):
            chapter = (
                home
                if rng.random() < 0.7
                else self.chapters[rng.choice(len(self.chapters), p=self.chapter_p)]
            )
            level = rng.choice(3, p=level_p)
            heading = self.headings[chapter][rng.integers(len(self.headings[chapter]))]
            if level == 0:
                codes.append(chapter)
            elif level == 1 or heading not in self.subheadings:
                codes.append(heading)
            else:
                codes.append(self.subheadings[heading][rng.integers(len(self.subheadings[heading]))])
        return codes

    def producers(self, n: int) -> ProducerArrays:
        rng = self.rng
        counts = rng.choice([1, 2, 3, 4, 5], size=n, p=[0.3, 0.3, 0.2, 0.12, 0.08])
        hs_codes = [self.codes(int(c), (0.15, 0.35, 0.5)) for c in counts]
        capacity = {u: np.full(n, np.nan) for u in ("units", "sets", "tonnes", "kg", "m2", "litres")}
        moq = {u: np.full(n, np.nan) for u in capacity}
        for i, codes in enumerate(hs_codes):
            units = UNIT_BY_FAMILY[family(codes[0][:2])]
            unit = units[rng.integers(len(units))]
            if rng.random() < 0.85:
                capacity[unit][i] = float(np.round(rng.lognormal(np.log(5000), 1.5)))
            if rng.random() < 0.6:
                moq[unit][i] = float(np.round(rng.lognormal(np.log(100), 1.2))) + 1
        targets = [
            set(rng.choice(NEAR_MARKETS + FAR_MARKETS, size=rng.integers(0, 5), replace=False))
            for _ in range(n)
        ]
        certs = [set(rng.choice(CERTIFICATIONS, size=rng.integers(0, 4), replace=False)) for _ in range(n)]
        return ProducerArrays(
            ids=rng.permutation(np.arange(1, n + 1, dtype=np.int64) * 7),
            hs_codes=hs_codes,
            capacity_by_unit=capacity,
            moq_by_unit=moq,
            target_markets=targets,
            open_to_any_market=rng.random(n) < 0.3,
            certifications=certs,
        )

    def buyers(self, m: int) -> BuyerArrays:
        rng = self.rng
        counts = rng.choice([1, 2, 3, 4, 5], size=m, p=[0.35, 0.3, 0.2, 0.1, 0.05])
        hs_codes = [self.codes(int(c), (0.25, 0.4, 0.35)) for c in counts]
        countries = NEAR_MARKETS * 3 + FAR_MARKETS
        units = []
        for codes in hs_codes:
            r = rng.random()
            options = UNIT_BY_FAMILY[family(codes[0][:2])]
            units.append(options[rng.integers(len(options))] if r < 0.7 else ("" if r < 0.85 else "units"))
        demand = np.round(rng.lognormal(np.log(3000), 1.5, size=m))
        demand[rng.random(m) < 0.2] = np.nan
        order = np.round(demand / rng.uniform(4, 20, size=m))
        order[rng.random(m) < 0.2] = np.nan
        required = [
            set(rng.choice(CERTIFICATIONS, size=rng.choice([0, 1, 2], p=[0.6, 0.3, 0.1]), replace=False))
            for _ in range(m)
        ]
        return BuyerArrays(
            ids=rng.permutation(np.arange(1, m + 1, dtype=np.int64) * 3),
            hs_codes=hs_codes,
            country=[countries[i] for i in rng.integers(len(countries), size=m)],
            annual_demand=demand,
            demand_unit=units,
            typical_order=order,
            required_certifications=required,
        )


def reset_peak_memory() -> bool:
    """Start a new peak-RSS measurement (Linux: writing 5 to clear_refs resets VmHWM)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_rss_mb() -> float:
    """Peak resident memory since the last reset (else since the process started), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def candidate_count(producers, buyers, sections) -> int:
    prepared = prepare_buyers(buyers, prepare_producers(producers, sections))
    return sum(len(block_candidates(prepared, a, b)[0]) for a, b in buyer_blocks(prepared))


def verdict(ok: bool) -> str:
    return "target met" if ok else "TARGET MISSED"


def timed(function, *args, **kwargs):
    gc.collect()
    start = time.perf_counter()
    value = function(*args, **kwargs)
    return value, time.perf_counter() - start


def naive_rate(producers, buyers, sections, config, sample: int) -> float:
    sample_buyers = buyers.take(np.arange(min(sample, len(buyers))))
    _, seconds = timed(reference_score_all, producers, sample_buyers, sections, config)
    pairs = len(producers) * len(sample_buyers)
    rate = pairs / seconds
    print(
        f"naive (reference, per pair in Python): {len(sample_buyers)} buyers × {len(producers):,} producers = "
        f"{pairs:,} pairs in {seconds:.2f} s → {rate:,.0f} pairs/s (measured on this sample)"
    )
    return rate


def sweep(label: str, producers, buyers, sections, config, naive: float, limit: float, chunks: int) -> None:
    pairs = len(producers) * len(buyers)
    gc.collect()
    since = "during the sweep" if reset_peak_memory() else "of the whole process so far"
    rss_before = peak_rss_mb()
    result, seconds = timed(score_all, producers, buyers, sections, config)
    rate = pairs / seconds
    print(f"\n== {label}: {len(producers):,} producers × {len(buyers):,} buyers = {pairs:,} pairs")
    print(
        f"engine score_all: {seconds:.2f} s → {rate:,.0f} pairs/s; {len(result):,} matches kept  [{verdict(seconds <= limit)}: <= {limit:.0f} s]"
    )
    print(
        f"naive, extrapolated from its sample rate: {pairs / naive:,.0f} s (~{pairs / naive / 3600:.1f} h); "
        f"speed-up {rate / naive:,.0f}×  [{verdict(rate / naive >= 50)}: >= 50×]"
    )
    peak = peak_rss_mb()
    print(
        f"peak RSS {since}: {peak:,.0f} MB, of which {rss_before:,.0f} MB held before it (inputs, interpreter)"
        f"  [{verdict(peak <= 2048)}: <= 2 GB]"
    )
    candidates = candidate_count(producers, buyers, sections)
    print(
        f"candidate pairs sharing a sector (any level): {candidates:,} ({candidates / pairs:.0%} of all pairs)"
    )
    if chunks > 1:
        bounds = np.array_split(np.arange(len(buyers)), chunks)
        prepared = prepare_producers(producers, sections)
        start = time.perf_counter()
        parts = [shortlist(prepared, buyers.take(chunk), sections, config) for chunk in bounds]
        merged = select_reciprocal(parts, config)
        seconds = time.perf_counter() - start
        same = (
            len(merged) == len(result)
            and np.array_equal(merged.producer_id, result.producer_id)
            and np.array_equal(merged.buyer_id, result.buyer_id)
            and np.array_equal(merged.score, result.score)
        )
        print(
            f"chunked: {chunks} × shortlist + select_reciprocal in {seconds:.2f} s "
            f"({sum(len(p) for p in parts):,} shortlisted pairs); equal to score_all: {same}"
        )
    start = time.perf_counter()
    rows = [result.explain(i) for i in range(min(len(result), 20_000))]
    seconds = time.perf_counter() - start
    print(
        f"explanations: {len(rows):,} built on demand in {seconds:.2f} s ({seconds / max(len(rows), 1) * 1e6:.0f} µs each)"
    )


def one_profile(producers, buyers, sections, config, repeats: int = 15) -> None:
    rng = np.random.default_rng(7)
    prepared = prepare_producers(producers, sections)
    times = {"producer vs all buyers": [], "buyer vs all producers": [], "buyer vs prepared producers": []}
    for _ in range(repeats):
        p = producers.take([rng.integers(len(producers))])
        b = buyers.take([rng.integers(len(buyers))])
        times["producer vs all buyers"].append(timed(score_one_producer, p, buyers, sections, config)[1])
        times["buyer vs all producers"].append(timed(score_one_buyer, producers, b, sections, config)[1])
        times["buyer vs prepared producers"].append(timed(score_one_buyer, prepared, b, sections, config)[1])
    print(f"\n== one profile against {len(buyers):,} buyers / {len(producers):,} producers ({repeats} runs)")
    for label, values in times.items():
        worst = max(values) * 1000
        counterparts = len(buyers) if label.startswith("producer") else len(producers)
        target = (
            f"[{verdict(worst <= 200)}: <= 200 ms]" if counterparts <= 10_000 else "(no target beyond 10k)"
        )
        print(
            f"{label:28s} median {statistics.median(values) * 1000:6.1f} ms, worst {worst:6.1f} ms  {target}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--producers", type=int, default=10_000)
    parser.add_argument("--buyers", type=int, default=10_000)
    parser.add_argument(
        "--naive-sample", type=int, default=40, help="buyers the naive loop scores (× all producers)"
    )
    parser.add_argument(
        "--chunks", type=int, default=8, help="also run the fanned-out sweep in N chunks (0: skip)"
    )
    parser.add_argument("--large", action="store_true", help="also run 100k producers × 10k buyers")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()

    sections = default_sections()
    config = MatchingConfig()
    generator = Generator(args.seed)
    (producers, buyers), seconds = timed(
        lambda: (generator.producers(args.producers), generator.buyers(args.buyers))
    )
    print(
        f"synthetic data: {len(producers):,} producers, {len(buyers):,} buyers (generated in {seconds:.1f} s)"
    )
    print(
        f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, NumPy {np.__version__}, one process"
    )
    naive = naive_rate(producers, buyers, sections, config, args.naive_sample)
    sweep("sweep", producers, buyers, sections, config, naive, 15, args.chunks)
    one_profile(producers, buyers, sections, config)
    if args.large:
        big = generator.producers(100_000)
        sweep("large sweep", big, buyers, sections, config, naive, 120, 0)
        one_profile(big, buyers, sections, config, repeats=5)


if __name__ == "__main__":
    main()
