"""The matching engine: plain functions over arrays, no Django (docs/design.md, "Matching").

Inputs are `ProducerArrays` and `BuyerArrays` (built from querysets by the Django layer),
the chapter → section map of the HS taxonomy and a `MatchingConfig`. Candidate pairs come
from an inverted index over the HS hierarchy, kept per product line (one sparse product):
a pair is a candidate only when one of the producer's products lies under a code the buyer
seeks at the buyer's own level (subheading, heading, or the chapter or section it chose),
or under a related heading (parts and components, `related`) when the buyer asks for them;
a shared chapter or section alone proposes nothing. Capacity and minimum order are those
of the matching lines; export experience counts in the market factor. The work grows with
the candidate pairs, not with all pairs; the factors are vectorised over them.

Nightly sweep, whole:      score_all(producers, buyers, sections, config)
Nightly sweep, fanned out: map    shortlist(producers, buyers.take(chunk), sections, config)
                                  (.without_inputs() to ship it to another process)
                           reduce select_reciprocal([shortlist, ...], config)
                                  (equal to score_all when the chunks partition the buyers)
                           write  score_pairs(producers, buyers_chunk, sections, producer_ids,
                                  buyer_ids, config) rebuilds the kept pairs with their inputs
                                  where the reduce ran without them
One profile changed:       score_one_producer(producer, buyers, ...) / score_one_buyer(producers, buyer, ...)
                           (producers prepared once and kept: replace_producers patches in the
                           few that changed since)
Producers who do not answer: every entry point takes `responsiveness=` (a Responsiveness by
                           producer id): a multiplicative penalty, explained where it applies
Buying requests:           score_request_lines(offers, lines, sections, config) (engine.requests:
                           products against open request lines, with a deadline factor);
                           score_offer_pairs(...) for given (product, line) pairs
Why a pair matched:        explain(result, i), built on demand for the pairs kept;
                           explain_many(result, indices) for many pairs at once (equal, faster)

`reference` holds a per-pair, plain-Python implementation of the same rules, used by the
tests and as the naive baseline of benchmarks/bench_engine_core.py.
"""

from matchmaking.engine.config import MatchingConfig
from matchmaking.engine.explanations import explain, explain_many
from matchmaking.engine.hs import default_sections
from matchmaking.engine.inputs import (
    UNITS,
    BuyerArrays,
    BuyerRecord,
    ProducerArrays,
    ProducerRecord,
    normalise_unit,
)
from matchmaking.engine.prepare import PreparedProducers, prepare_producers
from matchmaking.engine.regions import Regions, default_regions, load_regions
from matchmaking.engine.requests import (
    LineArrays,
    LineRecord,
    OfferArrays,
    OfferRecord,
    RequestResult,
    score_offer_pairs,
    score_request_lines,
)
from matchmaking.engine.responsiveness import Responsiveness
from matchmaking.engine.result import MatchResult
from matchmaking.engine.splice import replace_producers
from matchmaking.engine.sweep import (
    Candidates,
    score_all,
    score_candidates,
    score_one_buyer,
    score_one_producer,
    score_pairs,
    select_reciprocal,
    shortlist,
)

__all__ = [
    "UNITS",
    "BuyerArrays",
    "BuyerRecord",
    "Candidates",
    "LineArrays",
    "LineRecord",
    "MatchResult",
    "MatchingConfig",
    "OfferArrays",
    "OfferRecord",
    "PreparedProducers",
    "ProducerArrays",
    "ProducerRecord",
    "Regions",
    "RequestResult",
    "Responsiveness",
    "default_regions",
    "default_sections",
    "explain",
    "explain_many",
    "load_regions",
    "normalise_unit",
    "prepare_producers",
    "replace_producers",
    "score_all",
    "score_candidates",
    "score_offer_pairs",
    "score_one_buyer",
    "score_one_producer",
    "score_pairs",
    "score_request_lines",
    "select_reciprocal",
    "shortlist",
]
