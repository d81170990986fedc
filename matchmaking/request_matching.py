"""Rematches of buying requests: one request (after it was published, edited, closed,
returned or awarded) or every open one (the nightly sweep, `manage.py rematch`).

The open lines are scored against the listed products of ready producers under their codes
(engine.requests); the producers' interests are scored again on the product and line each
chose; matchmaking.request_persistence writes the result and withdraws the still-proposed
matches of requests no longer open. The task and the trigger that send a request's rematch
live in matchmaking.services, beside the profiles' ones.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from matchmaking import engine
from matchmaking.learning import load_responsiveness
from matchmaking.loading import SectorRoots, load_offers, load_request_lines, load_sections
from matchmaking.models import Match, MatchSource, MatchStatus, get_matching_config
from matchmaking.request_persistence import ENGINE_READS, RequestCounts, persist_request_matches
from sourcing.models import OPEN, BuyingRequest


def _interest_scores(
    request_ids: Collection[int],
    lines: engine.LineArrays,
    sections: dict[str, str],
    config: engine.MatchingConfig,
    responsiveness: engine.Responsiveness,
) -> engine.RequestResult | None:
    """The producers' interests in these requests scored on their own product and line."""
    rows = list(
        Match.objects.filter(
            request_id__in=list(request_ids),
            source=MatchSource.PRODUCER_INTEREST,
            status__in=ENGINE_READS,
            requested_product__isnull=False,
            request_line__isnull=False,
        ).values_list("requested_product_id", "request_line_id")
    )
    if not rows or not len(lines):
        return None
    product_ids, line_ids = zip(*rows, strict=True)
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
