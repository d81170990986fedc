"""Rematches of buying requests: one request (after it was published, edited, closed,
returned or awarded) or every open one (the nightly sweep, `manage.py rematch`).

The open lines are scored against the listed products of ready producers under their codes
(engine.requests); the producers' interests are scored again on the product and line each
chose; matchmaking.request_persistence writes the result and withdraws the still-proposed
matches of requests no longer open. The task and the trigger that send a request's rematch
live in matchmaking.services, beside the profiles' ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence

import numpy as np

from matchmaking import engine
from matchmaking.learning import load_responsiveness
from matchmaking.loading import SectorRoots, load_offers, load_request_lines, load_sections
from matchmaking.models import Match, MatchSource, MatchStatus, get_matching_config
from matchmaking.request_persistence import ENGINE_READS, RequestCounts, persist_request_matches
from sourcing.models import OPEN, BuyingRequest, RequestLine


def pick_line(product_code: str, lines: Sequence[tuple[int, str]]) -> int:
    """The line (of (id, HS code) pairs, in the request's order) a product answers: the finest
    whose code the product lies under, else the first."""
    code = product_code or ""
    covering = [
        (len(line_code), -index)
        for index, (_, line_code) in enumerate(lines)
        if code.isdigit() and code.startswith(line_code)
    ]
    if covering:
        return lines[-max(covering)[1]][0]
    return lines[0][0]


def _interest_scores(
    request_ids: Collection[int],
    lines: engine.LineArrays,
    sections: dict[str, str],
    config: engine.MatchingConfig,
    responsiveness: engine.Responsiveness,
) -> engine.RequestResult | None:
    """The producers' interests in these requests scored on their own product, against the
    line they answer (the one they answered while it exists, else the one the product lies
    under: a buyer's edit may have replaced the lines)."""
    rows = list(
        Match.objects.filter(
            request_id__in=list(request_ids),
            source=MatchSource.PRODUCER_INTEREST,
            status__in=ENGINE_READS,
            requested_product__isnull=False,
        ).values_list(
            "request_id", "requested_product_id", "request_line_id", "requested_product__hs_code_id"
        )
    )
    if not rows or not len(lines):
        return None
    by_request: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for line_id, request_id, code in (
        RequestLine.objects.filter(request_id__in={row[0] for row in rows}, pk__in=lines.ids.tolist())
        .order_by("position", "pk")
        .values_list("pk", "request_id", "sector_id")
    ):
        by_request[request_id].append((line_id, code))
    pairs = []
    for request_id, product_id, line_id, code in rows:
        current = by_request.get(request_id)
        if current:
            known = line_id in {pk for pk, _ in current}
            pairs.append((product_id, line_id if known else pick_line(code, current)))
    if not pairs:
        return None
    product_ids, line_ids = zip(*pairs, strict=True)
    offers = load_offers(product_ids=product_ids, ready_only=False)
    in_use = np.flatnonzero(np.isin(lines.ids, line_ids))
    return engine.score_offer_pairs(
        offers,
        lines.take(in_use),
        sections,
        product_ids,
        line_ids,
        config,
        responsiveness=responsiveness,
    )


def _rematch(request_ids: Collection[int], lines: engine.LineArrays, config) -> RequestCounts:
    sections = load_sections()
    responsiveness = load_responsiveness()
    result = interest = None
    products = 0
    if len(lines):
        offers = load_offers(roots=SectorRoots.of(lines.hs_code, sections))
        products = len(offers)
        result = engine.score_request_lines(offers, lines, sections, config, responsiveness=responsiveness)
        interest = _interest_scores(request_ids, lines, sections, config, responsiveness)
    counts = persist_request_matches(result, request_ids=request_ids, config=config, interest=interest)
    counts.requests = len(np.unique(lines.request_id))
    counts.lines, counts.products = len(lines), products
    return counts


def rematch_request(request_id: int, *, config: engine.MatchingConfig | None = None) -> RequestCounts:
    """Score one request's lines if it is open, and write its matches; a request no longer
    open keeps none of its still-proposed matches."""
    config = config or get_matching_config()
    return _rematch([request_id], load_request_lines([request_id]), config)


def rematch_requests(*, config: engine.MatchingConfig | None = None) -> RequestCounts:
    """Every open request, and every closed one that still has proposed matches."""
    config = config or get_matching_config()
    lines = load_request_lines()
    open_ids = set(BuyingRequest.objects.filter(status__in=OPEN).values_list("pk", flat=True))
    stale = set(
        Match.objects.filter(request__isnull=False, status=MatchStatus.PROPOSED)
        .exclude(request__status__in=OPEN)
        .values_list("request_id", flat=True)
    )
    return _rematch(open_ids | stale, lines, config)
