"""The request matcher's pairs → Match rows keyed on (producer, request).

The rules of matchmaking.persistence, for a buying request's matches:
- a pair the engine keeps for an open (published) request and no match of the producer for
  the request exists: inserted as `proposed`, source `engine`, with the line and the product
  (`request_line`, `requested_product`), and an event (— → proposed);
- a still-`proposed` engine match is re-scored in place (its line and product may change;
  no event), left alone when nothing changed; one the engine no longer keeps is `withdrawn`
  (event); a `withdrawn` engine match the engine keeps again is `proposed` again (event);
- a producer's interest (source `producer_interest`) keeps the product the producer chose
  and the line it answered (another only when a buyer's edit removed that line): it is
  re-scored on them (no event) and never withdrawn for its score;
- every still-proposed match of a request that is no longer open (closed, returned,
  awarded) is `withdrawn` (event); a producer's interest withdrawn so comes back `proposed`
  when the request is published again (event);
- a match anyone acted on (rejected, forwarded and on) is never touched.

Every writer of a request's matches (this module and `matchmaking.interest`) locks the
request's row first, so two of them never create the same (producer, request) row; the
matches written are locked too (`select_for_update`), so a counsellor's transition made
meanwhile waits for this one and then finds the status it expects, or this one waits and
finds the match moved on (a row it no longer reads).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from matchmaking import engine
from matchmaking.loading import config_fingerprint
from matchmaking.models import FACTORS, Match, MatchEvent, MatchSource, MatchStatus, PartyResponse
from matchmaking.routing import route_new_matches
from sourcing.models import BuyingRequest, RequestStatus

NOTE_CREATED = "proposed by the matching engine for a buying request"
NOTE_WITHDRAWN = "no longer among the engine's matches for the buying request"
NOTE_BACK = "among the engine's matches for the buying request again"
NOTE_CLOSED = "the buying request is no longer open"
NOTE_REOPENED = "the buying request is open again"

# The statuses the request matcher writes to; every other status belongs to people.
ENGINE_READS = (MatchStatus.PROPOSED, MatchStatus.WITHDRAWN)


@dataclass
class RequestCounts:
    """What a rematch of buying requests did."""

    requests: int = 0  # open requests scored
    lines: int = 0
    products: int = 0  # listed products they were scored against
    kept: int = 0  # (producer, request) pairs the engine keeps
    created: int = 0
    updated: int = 0  # still-proposed matches re-scored with new values
    reproposed: int = 0  # withdrawn matches proposed again
    withdrawn: int = 0
    unchanged: int = 0
    untouched: int = 0  # kept pairs a counsellor or a party already acted on
    routed: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def breakdown_of(result: engine.RequestResult, i: int) -> dict:
    """The stored breakdown: the explanation per factor with its share of the score."""
    explanation = result.explain(i)
    for name, weight in result.weights.items():
        explanation[name]["weight"] = round(weight, 6)
    return explanation


def _decimal(value: float) -> Decimal:
    return Decimal(round(float(value) * 1000)) / 1000


@dataclass(frozen=True)
class _Scores:
    """One pair's columns as a Match takes them."""

    line_id: int
    product_id: int
    values: dict

    @classmethod
    def of(cls, result: engine.RequestResult, i: int) -> _Scores:
        values = {"score": _decimal(result.score[i])}
        values.update({f"{name}_score": _decimal(getattr(result, name)[i]) for name in FACTORS})
        values["breakdown"] = breakdown_of(result, i)
        return cls(int(result.line_id[i]), int(result.product_id[i]), values)

    def differs(self, match: Match) -> bool:
        if (match.request_line_id, match.requested_product_id) != (self.line_id, self.product_id):
            return True
        return any(getattr(match, name) != value for name, value in self.values.items())

    def apply(self, match: Match) -> None:
        match.request_line_id, match.requested_product_id = self.line_id, self.product_id
        for name, value in self.values.items():
            setattr(match, name, value)


def _by_pair(result: engine.RequestResult | None, open_ids: set[int]) -> dict[tuple[int, int], _Scores]:
    """(producer, request) → its scores, for the open requests' pairs of `result`."""
    if result is None:
        return {}
    pairs = zip(result.producer_id.tolist(), result.request_id.tolist(), strict=True)
    return {pair: _Scores.of(result, i) for i, pair in enumerate(pairs) if pair[1] in open_ids}


_UPDATED = [
    "status",
    "score",
    *(f"{name}_score" for name in FACTORS),
    "breakdown",
    "request_line",
    "requested_product",
    "config_fingerprint",
    "updated_at",
]


def persist_request_matches(
    result: engine.RequestResult | None,
    *,
    request_ids: Iterable[int],
    config: engine.MatchingConfig,
    interest: engine.RequestResult | None = None,
) -> RequestCounts:
    """Write the engine's kept pairs (`result`) for the requests in `request_ids` and the
    producers' interests re-scored on their own product and line (`interest`), withdraw what
    the rules above withdraw, and route the new proposed matches; in one transaction."""
    ids = sorted(set(request_ids))
    counts = RequestCounts()
    if not ids:
        return counts
    with transaction.atomic():
        now = timezone.now()
        c_fp = config_fingerprint(config)
        # The requests' rows first (the lock every writer of their matches takes), their
        # status as it is now.
        requests = dict(
            BuyingRequest.objects.select_for_update()
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", "buyer_id")
        )
        open_ids = set(
            BuyingRequest.objects.filter(pk__in=list(requests), status=RequestStatus.PUBLISHED).values_list(
                "pk", flat=True
            )
        )
        kept = _by_pair(result, open_ids)
        rescored = _by_pair(interest, open_ids)
        counts.kept = len(kept)
        # The matches it may write to, locked (one a counsellor moves on meanwhile is read
        # once that commits, and left out); then every other match of the requests, read only:
        # none can appear meanwhile (the requests' rows are locked).
        ours = Match.objects.filter(request_id__in=list(requests), status__in=ENGINE_READS)
        existing = {(m.producer_id, m.request_id): m for m in ours.select_for_update().order_by("pk")}
        for m in Match.objects.filter(request_id__in=list(requests)).exclude(
            pk__in=[m.pk for m in existing.values()]
        ):
            existing[(m.producer_id, m.request_id)] = m
        changed: list[Match] = []
        events: list[MatchEvent] = []

        def move(match: Match, to_status: str, note: str) -> None:
            events.append(MatchEvent(match=match, from_status=match.status, to_status=to_status, note=note))
            match.status = to_status

        for pair, match in existing.items():
            request_open = pair[1] in open_ids
            if match.status not in ENGINE_READS:
                counts.untouched += pair in kept
                continue
            interest_match = match.source != MatchSource.ENGINE
            scores = rescored.get(pair) if interest_match else kept.get(pair)
            before = match.status
            if not request_open:
                if before == MatchStatus.PROPOSED:
                    move(match, MatchStatus.WITHDRAWN, NOTE_CLOSED)
                    counts.withdrawn += 1
                    changed.append(match)
                continue
            if before == MatchStatus.WITHDRAWN:
                if interest_match:
                    move(match, MatchStatus.PROPOSED, NOTE_REOPENED)
                elif scores is not None:
                    move(match, MatchStatus.PROPOSED, NOTE_BACK)
                else:
                    continue
                counts.reproposed += 1
                if scores is not None:
                    scores.apply(match)
                match.config_fingerprint = c_fp
                changed.append(match)
                continue
            # Still proposed.
            if scores is None:
                if not interest_match:
                    move(match, MatchStatus.WITHDRAWN, NOTE_WITHDRAWN)
                    counts.withdrawn += 1
                    changed.append(match)
                continue
            if scores.differs(match):
                scores.apply(match)
                match.config_fingerprint = c_fp
                counts.updated += 1
                changed.append(match)
            else:
                counts.unchanged += 1

        for match in changed:
            match.updated_at = now
        Match.objects.bulk_update(changed, _UPDATED, batch_size=1000)

        created = []
        for (producer_id, request_id), scores in kept.items():
            if (producer_id, request_id) in existing:
                continue
            match = Match(
                producer_id=producer_id,
                buyer_id=requests[request_id],
                request_id=request_id,
                status=MatchStatus.PROPOSED,
                source=MatchSource.ENGINE,
                producer_response=PartyResponse.PENDING,
                buyer_response=PartyResponse.PENDING,
                config_fingerprint=c_fp,
            )
            scores.apply(match)
            created.append(match)
        # PostgreSQL and SQLite hand the new ids back (RETURNING), which the events need.
        created = Match.objects.bulk_create(created, batch_size=1000)
        counts.created = len(created)
        events += [
            MatchEvent(match=m, from_status="", to_status=MatchStatus.PROPOSED, note=NOTE_CREATED)
            for m in created
        ]
        MatchEvent.objects.bulk_create(events, batch_size=5000)
        counts.routed = route_new_matches(Match.objects.filter(request_id__in=list(open_ids)))
    return counts
