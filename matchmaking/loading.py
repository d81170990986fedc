"""Profiles in the database → the engine's arrays, in a constant number of queries.

Only profiles that are ready to match (accounts.onboarding) are loaded. A producer's HS
codes are its declared sectors and the codes of its listed products; each listed product
is a line (code, unit, free capacity, minimum order) that the engine counts only for the
buyers whose codes it lies under (no company-wide capacity: a big line of one product does
not cover a buyer of another); its certifications are those an unexpired certificate on its company's
verification proves (accounts.verifications: a certification the profile or a product claims
without a certificate a counsellor verified, or whose certificate expired, does not count); its
export experience the countries it has exported to. A buyer's `seeks_parts` asks for the
parts and components of what it seeks too.

Buying requests (engine.requests): the lines of the published requests (`load_request_lines`),
and the listed products of ready producers, one entry each (`load_offers`).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.db.models import FloatField, Q, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.models import BuyerProfile, ProducerProfile
from accounts.onboarding import buyers_ready_to_match, producers_ready_to_match
from accounts.verifications import verified_certificates
from catalogue.models import Product
from matchmaking.engine import BuyerArrays, LineArrays, OfferArrays, ProducerArrays, normalise_unit
from matchmaking.engine.hs import normalise_hs_code
from matchmaking.engine.inputs import ProductLine, normalise_certification, normalise_country
from sourcing.models import OPEN, RequestLine
from taxonomy.models import Sector, SectorLevel


def load_sections() -> dict[str, str]:
    """HS chapter → section numeral, from the Sector table."""
    return dict(
        Sector.objects.filter(level=SectorLevel.CHAPTER, section__isnull=False).values_list(
            "code", "section_id"
        )
    )


@dataclass(frozen=True)
class SectorRoots:
    """The sections (and chapters outside any section) some HS codes fall under: a pair can only
    be a candidate when both sides share one of these, so loading can skip everything else."""

    sections: frozenset[str]
    chapters: frozenset[str]

    @classmethod
    def of(cls, codes: Iterable[str], sections: dict[str, str]) -> SectorRoots:
        section_names = frozenset(sections.values())
        found_sections: set[str] = set()
        found_chapters: set[str] = set()
        for code in codes:
            normal = normalise_hs_code(code, section_names)
            if not normal.isdigit():
                found_sections.add(normal)
            elif normal[:2] in sections:
                found_sections.add(sections[normal[:2]])
            else:
                found_chapters.add(normal[:2])
        return cls(frozenset(found_sections), frozenset(found_chapters))

    def sectors(self) -> QuerySet[Sector]:
        """The Sector rows under these roots (`sector_filter` on the Sector table itself)."""
        return Sector.objects.filter(self.sector_filter(""))

    def sector_filter(self, prefix: str) -> Q:
        """Rows whose Sector (reached through `prefix`) lies under these roots."""
        condition = Q(**{f"{prefix}section_id__in": self.sections}) | Q(
            **{f"{prefix}code__in": self.sections}
        )
        for chapter in sorted(self.chapters):
            condition |= Q(**{f"{prefix}code__startswith": chapter})
        return condition


def _ready_producers(ids: Collection[int] | None, roots: SectorRoots | None) -> QuerySet[ProducerProfile]:
    queryset = producers_ready_to_match()
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    if roots is not None:
        # As semi-joins (ids under the roots), which the planner hashes, not per-row probes; the
        # codes under the roots as one small hashed subquery rather than a join with every row.
        codes = roots.sectors().values("code")
        declared = ProducerProfile.declared_sectors.through.objects.filter(sector_id__in=codes)
        listed = Product.objects.filter(hs_code_id__in=codes, is_active=True)
        queryset = queryset.filter(
            Q(pk__in=declared.values("producerprofile_id")) | Q(pk__in=listed.values("producer_id"))
        )
    return queryset


def _ready_buyers(ids: Collection[int] | None, roots: SectorRoots | None) -> QuerySet[BuyerProfile]:
    queryset = buyers_ready_to_match()
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    if roots is not None:
        sought = BuyerProfile.sought_sectors.through.objects.filter(
            sector_id__in=roots.sectors().values("code")
        )
        queryset = queryset.filter(pk__in=sought.values("buyerprofile_id"))
    return queryset


def _float(value) -> float:
    return math.nan if value is None else float(value)


def _certifications(values) -> set[str]:
    """A JSON list of names (read as text: most are "[]", parsed only when not)."""
    if isinstance(values, str):
        values = json.loads(values) if values not in ("[]", "") else []
    if not isinstance(values, list):
        return set()
    return {" ".join(str(v).split()) for v in values if str(v).strip()}


def _backed(claimed: set[str], certificates: set[str] | None) -> set[str]:
    """What counts of a producer's certifications: those an unexpired certificate on its
    company's verification proves (listed on the profile or a product or not: the counsellor
    saw the certificate); a claim without one counts for nothing."""
    return set(certificates or ())


def _among(field: str, ids: list[int], fallback: QuerySet) -> Q:
    """`field` is one of these ids: on PostgreSQL one array parameter (the ids were just read;
    this spares evaluating `fallback`, the query that read them, again), else `fallback`."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__in": RawSQL("SELECT unnest(%s::bigint[])", (ids,))})
    return Q(**{f"{field}__in": fallback})


class _Parsed:
    """A parser remembered per distinct raw value for one load: profiles repeat the same few
    certification lists (and many target markets). Each call gets a set of its own."""

    def __init__(self, parse) -> None:
        self._parse = parse
        self._known: dict = {}

    def __call__(self, raw) -> set[str]:
        try:
            known = self._known.get(raw)
        except TypeError:  # not hashable: parsed every time
            return self._parse(raw)
        if known is None:
            known = self._known[raw] = frozenset(self._parse(raw))
        return set(known)


def _as_text(field: str) -> Cast:
    return Cast(field, TextField())


def _countries(value) -> set[str]:
    if not value:
        return set()
    if isinstance(value, str):
        value = value.split(",")
    return {normalise_country(str(getattr(code, "code", code))) for code in value} - {""}


def load_producers(ids: Collection[int] | None = None, *, roots: SectorRoots | None = None) -> ProducerArrays:
    """Ready producers (all, these ids, or those under `roots`) as arrays, in 4 queries, by id."""
    ready = _ready_producers(ids, roots)
    base = list(
        ready.order_by("pk").values_list(
            "pk", "target_markets", "open_to_any_market", _as_text("certifications"), "export_experience"
        )
    )
    position = {row[0]: i for i, row in enumerate(base)}
    n = len(base)
    ids_read = [row[0] for row in base]
    codes: list[set[str]] = [set() for _ in range(n)]
    parse_certifications = _Parsed(_certifications)
    certifications = [parse_certifications(row[3]) for row in base]

    declared = ProducerProfile.declared_sectors.through.objects.filter(
        _among("producerprofile_id", ids_read, ready.values("pk"))
    )
    for producer_id, code in declared.values_list("producerprofile_id", "sector_id"):
        if producer_id in position:
            codes[position[producer_id]].add(code)

    # One pass over the listed products: their codes and certifications, and each a line
    # with its unit, free capacity and minimum order (in the order of their ids).
    products: list[list[ProductLine]] = [[] for _ in range(n)]
    units: dict = {}
    listed = (
        Product.objects.filter(_among("producer_id", ids_read, ready.values("pk")), is_active=True)
        .order_by("pk")
        .values_list(
            "producer_id",
            "hs_code_id",
            "capacity_unit",
            Cast("available_capacity", FloatField()),
            Cast("moq", FloatField()),
            _as_text("certifications"),
        )
    )
    for producer_id, code, unit, free, smallest_order, product_certifications in listed.iterator(
        chunk_size=20000
    ):
        i = position.get(producer_id)
        if i is None:
            continue
        codes[i].add(code)
        if product_certifications != "[]":
            certifications[i] |= parse_certifications(product_certifications)
        normal = units.get(unit)
        if normal is None:
            normal = units[unit] = normalise_unit(unit)
        products[i].append(
            ProductLine(
                code,
                normal,
                _float(free) if normal else math.nan,
                _float(smallest_order) if normal else math.nan,
            )
        )
    backed = verified_certificates(ready.values("pk") if len(ids_read) > 2000 else ids_read)
    certifications = [_backed(certifications[i], backed.get(pk)) for i, pk in enumerate(ids_read)]

    parse_countries = _Parsed(_countries)
    return ProducerArrays(
        ids=np.array(ids_read, dtype=np.int64),
        hs_codes=[sorted(c) for c in codes],
        capacity_by_unit={},
        moq_by_unit={},
        target_markets=[parse_countries(row[1]) for row in base],
        open_to_any_market=np.array([bool(row[2]) for row in base], dtype=bool),
        certifications=certifications,
        products=products,
        export_experience=[parse_countries(row[4]) for row in base],
    )


def load_buyers(ids: Collection[int] | None = None, *, roots: SectorRoots | None = None) -> BuyerArrays:
    """Ready buyers (all, these ids, or those under `roots`) as arrays, in 2 queries, by id."""
    ready = _ready_buyers(ids, roots)
    base = list(
        ready.order_by("pk").values_list(
            "pk",
            "country",
            Cast("annual_demand", FloatField()),
            "demand_unit",
            Cast("typical_order", FloatField()),
            _as_text("required_certifications"),
            "seeks_parts",
        )
    )
    position = {row[0]: i for i, row in enumerate(base)}
    codes: list[set[str]] = [set() for _ in base]
    parse_certifications = _Parsed(_certifications)
    sought = BuyerProfile.sought_sectors.through.objects.filter(
        _among("buyerprofile_id", [row[0] for row in base], ready.values("pk"))
    )
    for buyer_id, code in sought.values_list("buyerprofile_id", "sector_id"):
        if buyer_id in position:
            codes[position[buyer_id]].add(code)
    return BuyerArrays(
        ids=np.array([row[0] for row in base], dtype=np.int64),
        hs_codes=[sorted(c) for c in codes],
        country=[normalise_country(str(row[1] or "")) for row in base],
        annual_demand=np.array([_float(row[2]) for row in base], dtype=np.float64),
        demand_unit=[normalise_unit(row[3]) for row in base],
        typical_order=np.array([_float(row[4]) for row in base], dtype=np.float64),
        required_certifications=[parse_certifications(row[5]) for row in base],
        seeks_parts=np.array([bool(row[6]) for row in base], dtype=bool),
    )


def load_offers(
    producer_ids: Collection[int] | None = None,
    *,
    roots: SectorRoots | None = None,
    product_ids: Collection[int] | None = None,
    ready_only: bool = True,
) -> OfferArrays:
    """Listed products (of these producers, under `roots`, these ids) as the request matcher
    reads them, in 3 queries, by id: each with its producer's target markets, export
    experience and certifications (its own added). Only ready producers' unless `ready_only`
    is False (a producer's own interest is scored whatever its onboarding)."""
    producers = _ready_producers(producer_ids, None) if ready_only else ProducerProfile.objects.all()
    if not ready_only and producer_ids is not None:
        producers = producers.filter(pk__in=list(producer_ids))
    listed = Product.objects.filter(is_active=True, producer_id__in=producers.values("pk"))
    if roots is not None:
        listed = listed.filter(roots.sector_filter("hs_code__"))
    if product_ids is not None:
        listed = listed.filter(pk__in=list(product_ids))
    rows = list(
        listed.order_by("pk").values_list(
            "pk",
            "producer_id",
            "hs_code_id",
            "capacity_unit",
            Cast("available_capacity", FloatField()),
            Cast("moq", FloatField()),
            "lead_time_days",
            _as_text("certifications"),
        )
    )
    owners = sorted({row[1] for row in rows})
    parse_certifications = _Parsed(_certifications)
    parse_countries = _Parsed(_countries)
    profile = {
        pk: (parse_countries(markets), bool(open_any), parse_certifications(certs), parse_countries(exported))
        for pk, markets, open_any, certs, exported in ProducerProfile.objects.filter(
            pk__in=owners
        ).values_list(
            "pk", "target_markets", "open_to_any_market", _as_text("certifications"), "export_experience"
        )
    }
    rows = [row for row in rows if row[1] in profile]
    backed = verified_certificates(owners)
    units = [normalise_unit(row[3]) for row in rows]
    return OfferArrays(
        ids=np.array([row[0] for row in rows], dtype=np.int64),
        producer_id=np.array([row[1] for row in rows], dtype=np.int64),
        hs_code=[row[2] for row in rows],
        unit=units,
        capacity=np.array(
            [_float(row[4]) if unit else math.nan for row, unit in zip(rows, units, strict=True)]
        ),
        moq=np.array([_float(row[5]) if unit else math.nan for row, unit in zip(rows, units, strict=True)]),
        lead_time=np.array([_float(row[6]) for row in rows], dtype=np.float64),
        target_markets=[set(profile[row[1]][0]) for row in rows],
        open_to_any_market=np.array([profile[row[1]][1] for row in rows], dtype=bool),
        certifications=[
            _backed(profile[row[1]][2] | parse_certifications(row[7]), backed.get(row[1])) for row in rows
        ],
        export_experience=[set(profile[row[1]][3]) for row in rows],
    )


def load_request_lines(request_ids: Collection[int] | None = None, *, today=None) -> LineArrays:
    """The lines of the open (published) requests (all, or of these ids) as the request
    matcher reads them, in one query, by id; `days_left` counted from `today` (the local date
    by default) to the request's deadline."""
    today = today or timezone.localdate()
    lines = RequestLine.objects.filter(request__status__in=OPEN)
    if request_ids is not None:
        lines = lines.filter(request_id__in=list(request_ids))
    rows = list(
        lines.order_by("pk").values_list(
            "pk",
            "request_id",
            "sector_id",
            Cast("quantity", FloatField()),
            "unit",
            "request__destination_country",
            "request__deadline",
            _as_text("request__required_certifications"),
        )
    )
    parse_certifications = _Parsed(_certifications)
    return LineArrays(
        ids=np.array([row[0] for row in rows], dtype=np.int64),
        request_id=np.array([row[1] for row in rows], dtype=np.int64),
        hs_code=[row[2] for row in rows],
        quantity=np.array([_float(row[3]) for row in rows], dtype=np.float64),
        unit=[normalise_unit(row[4]) for row in rows],
        country=[normalise_country(str(row[5] or "")) for row in rows],
        required_certifications=[parse_certifications(row[7]) for row in rows],
        days_left=np.array(
            [math.nan if row[6] is None else float((row[6] - today).days) for row in rows], dtype=np.float64
        ),
    )


def ready_buyer_ids() -> list[int]:
    """Ids of the buyers ready to match, in order: what the nightly sweep splits into chunks."""
    return list(buyers_ready_to_match().order_by("pk").values_list("pk", flat=True))


# --- Fingerprints: has a profile changed in what the engine reads? -----------------


def _digest(value) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def _quantity(value: float) -> float | None:
    return None if math.isnan(value) else round(float(value), 2)


def producer_fingerprint(producers: ProducerArrays, i: int) -> str:
    """A short digest of everything the engine reads of producer i."""
    return _digest(
        [
            sorted(producers.hs_codes[i]),
            {
                u: _quantity(v[i])
                for u, v in sorted(producers.capacity_by_unit.items())
                if not math.isnan(v[i])
            },
            {u: _quantity(v[i]) for u, v in sorted(producers.moq_by_unit.items()) if not math.isnan(v[i])},
            sorted(producers.target_markets[i]),
            bool(producers.open_to_any_market[i]),
            sorted({normalise_certification(c) for c in producers.certifications[i]}),
            *(
                [
                    [
                        list(line[:2]) + [_quantity(float(v)) for v in line[2:4]]
                        for line in producers.products[i]
                    ]
                ]
                if len(producers.products[i])
                else []
            ),
            *([sorted(producers.export_experience[i])] if producers.export_experience[i] else []),
        ]
    )


def buyer_fingerprint(buyers: BuyerArrays, i: int) -> str:
    """A short digest of everything the engine reads of buyer i."""
    return _digest(
        [
            sorted(buyers.hs_codes[i]),
            buyers.country[i],
            _quantity(buyers.annual_demand[i]),
            buyers.demand_unit[i],
            _quantity(buyers.typical_order[i]),
            sorted({normalise_certification(c) for c in buyers.required_certifications[i]}),
            *(["parts"] if buyers.seeks_parts[i] else []),
        ]
    )


# A pair rejected as the wrong product is judged on what makes it the wrong product: the HS
# codes the producer makes and the codes the buyer seeks. Those fingerprints carry a mark (and
# a shorter digest, to fit the same column), so a rejected row tells which kind it holds.
CODES_MARK = "hs:"


def _codes_digest(codes) -> str:
    text = json.dumps(sorted(codes), separators=(",", ":"), ensure_ascii=True)
    return CODES_MARK + hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


def producer_codes_fingerprint(producers: ProducerArrays, i: int) -> str:
    """A short, marked digest of producer i's HS codes only (what it makes)."""
    return _codes_digest(producers.hs_codes[i])


def buyer_codes_fingerprint(buyers: BuyerArrays, i: int) -> str:
    """A short, marked digest of the HS codes buyer i seeks (and whether it asks for their
    parts and components: that too decides what the right product is)."""
    return _codes_digest([*buyers.hs_codes[i], *(["parts"] if buyers.seeks_parts[i] else [])])


def is_codes_fingerprint(fingerprint: str) -> bool:
    return fingerprint.startswith(CODES_MARK)


def config_fingerprint(config) -> str:
    """A short digest of the weights a score was computed with."""
    return _digest([round(w, 6) for w in config.weights])


class Fingerprints:
    """Fingerprints by profile id, computed once each on demand (the profiles' positions too:
    a one-profile rematch looks up a few dozen of tens of thousands)."""

    def __init__(self, arrays: ProducerArrays | BuyerArrays, function, codes_function=None) -> None:
        self._arrays = arrays
        self._function = function
        self._codes_function = codes_function
        self._codes: Fingerprints | None = None
        self._cache: dict[int, str] = {}
        self._ids: np.ndarray | None = None  # the ids sorted, and where each sits (None: in place)
        self._order: np.ndarray | None = None

    def _positions(self, profile_ids: list[int]) -> list[int | None]:
        if self._ids is None:
            ids = np.asarray(self._arrays.ids, dtype=np.int64)
            if len(ids) > 1 and not bool((ids[1:] > ids[:-1]).all()):
                self._order = np.argsort(ids, kind="stable")
                ids = ids[self._order]
            self._ids = ids
        if not len(self._ids):
            return [None] * len(profile_ids)
        wanted = np.asarray(profile_ids, dtype=np.int64)
        at = np.minimum(np.searchsorted(self._ids, wanted), len(self._ids) - 1)
        found = self._ids[at] == wanted
        where = at if self._order is None else self._order[at]
        return [int(i) if ok else None for i, ok in zip(where.tolist(), found.tolist(), strict=True)]

    def _fill(self, profile_ids: list[int]) -> None:
        missing = [pk for pk in profile_ids if pk not in self._cache]
        for pk, i in zip(missing, self._positions(missing), strict=True):
            self._cache[pk] = "" if i is None else self._function(self._arrays, i)

    def __getitem__(self, profile_id: int) -> str:
        if profile_id not in self._cache:
            self._fill([profile_id])
        return self._cache[profile_id]

    def aligned(self, profile_ids: Iterable[int]) -> list[str]:
        """`[self[pk] for pk in profile_ids]`, each distinct profile looked up once."""
        ids = list(profile_ids)
        self._fill(list(dict.fromkeys(ids)))
        return [self._cache[pk] for pk in ids]

    def codes(self) -> Fingerprints:
        """The same profiles' HS-codes fingerprints (what a wrong-product rejection keeps)."""
        if self._codes is None:
            self._codes = Fingerprints(self._arrays, self._codes_function)
        return self._codes

    @classmethod
    def of_producers(cls, producers: ProducerArrays) -> Fingerprints:
        return cls(producers, producer_fingerprint, producer_codes_fingerprint)

    @classmethod
    def of_buyers(cls, buyers: BuyerArrays) -> Fingerprints:
        return cls(buyers, buyer_fingerprint, buyer_codes_fingerprint)
