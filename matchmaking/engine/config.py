"""Matching knobs (weights, threshold, caps) and the fixed factor levels of docs/design.md."""

from __future__ import annotations

import math
from dataclasses import dataclass

# Hierarchy levels of the Harmonized System, coarsest first. The integer is the
# level code used in arrays (`MatchResult.sector_level`). RELATED is not a level of the
# nomenclature: a product under a heading related to a sought one (parts and components,
# matchmaking/data/related_headings.csv), for a buyer who asked for them; it ranks between
# chapter and heading (CLOSENESS).
SECTION, CHAPTER, HEADING, SUBHEADING, RELATED = 0, 1, 2, 3, 4
LEVEL_NAMES = ("section", "chapter", "heading", "subheading", "related")
CLOSENESS = (0, 1, 3, 4, 2)  # indexed by level code: how close a product is to what is sought

# Factor levels fixed by docs/design.md ("Matching"); only weights and the threshold are knobs.
# The sector level of a pair is the level of the buyer's own code the product lies under:
# a subheading 1.0, a heading 0.85, a chapter or section the buyer chose 0.5 / 0.2, a
# related heading (parts, asked for) 0.6.
SECTOR_SCORES = (0.2, 0.5, 0.85, 1.0, 0.6)  # indexed by level code
CAPACITY_NEUTRAL = 0.5
# Export experience counts as a target market does: exported to the buyer's country as a
# target there, exported to its region as a target in the region (codes of their own, for
# the explanation).
MARKET_OTHER, MARKET_OPEN, MARKET_SAME_REGION, MARKET_TARGET = 0, 1, 2, 3
MARKET_EXPORTED_REGION, MARKET_EXPORTED = 4, 5
MARKET_SCORES = (0.2, 0.5, 0.6, 1.0, 0.6, 1.0)  # indexed by market code
# A buying request's line (engine.requests): a product's lead time against the days left
# until the request's deadline; unknown on either side scores neutral.
DEADLINE_NEUTRAL = 0.5

# Scores are stored with three decimals; ranking and the threshold use the stored value.
SCORE_SCALE = 1000


@dataclass(frozen=True)
class MatchingConfig:
    """Weights, threshold and caps of a sweep; the database holds overrides of these defaults."""

    weight_sector: float = 0.40
    weight_capacity: float = 0.25
    weight_market: float = 0.25
    weight_certifications: float = 0.10
    # A fifth factor for buying requests only (engine.requests): the four weights above keep
    # their meaning for producer–buyer pairs, and a request line's score is the weighted mean
    # of the five.
    weight_deadline: float = 0.15
    min_score: float = 0.35
    top_k_per_buyer: int = 20
    top_k_per_producer: int = 50
    min_per_buyer: int = 3

    def __post_init__(self) -> None:
        weights = self.weights
        if any(not math.isfinite(w) or w < 0 for w in weights) or sum(weights) <= 0:
            raise ValueError(f"weights must be finite, non-negative and not all zero: {weights}")
        if not math.isfinite(self.weight_deadline) or self.weight_deadline < 0:
            raise ValueError(f"weight_deadline must be finite and non-negative, got {self.weight_deadline}")
        if not 0.0 <= self.min_score <= 1.0:
            raise ValueError(f"min_score must lie in [0, 1], got {self.min_score}")
        if self.top_k_per_buyer < 1 or self.top_k_per_producer < 1 or self.min_per_buyer < 0:
            raise ValueError("top_k_per_buyer and top_k_per_producer must be >= 1, min_per_buyer >= 0")

    @property
    def weights(self) -> tuple[float, float, float, float]:
        """(sector, capacity, market, certifications)."""
        return (self.weight_sector, self.weight_capacity, self.weight_market, self.weight_certifications)

    @property
    def request_weights(self) -> tuple[float, float, float, float, float]:
        """(sector, capacity, market, certifications, deadline): a request line's factors."""
        return (*self.weights, self.weight_deadline)

    @property
    def min_score_milli(self) -> int:
        """The smallest stored score (in thousandths) that reaches `min_score`."""
        k = max(0, math.ceil(self.min_score * SCORE_SCALE) - 1)
        while k / SCORE_SCALE < self.min_score:
            k += 1
        return k

    @property
    def buyer_shortlist_k(self) -> int:
        """How many of a buyer's best pairs the selection may need (top-K and the fallback)."""
        return max(self.top_k_per_buyer, self.min_per_buyer)
