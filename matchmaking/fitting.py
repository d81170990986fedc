"""The factor weights fitted from the counsellors' decisions and the deals' outcomes
(docs/design.md, "Matching": what the counsellors taught it); `manage.py fit_matching_weights`.

Each match a counsellor decided on is one example, with the four factor scores stored beside
it (sector, capacity, market, certifications): forwarded (whatever came of it) is a
positive, rejected a negative, and a won deal counts WON_WEIGHT times. Matches never scored
by the engine (a buyer's request outside its sectors: an empty breakdown) are left out.

The model is the engine's own score put through a logistic curve,

    P(forwarded) = sigmoid(scale × Σ weight_f × factor_f + intercept),

with the weights non-negative and summing to 1 as the config's do (a softmax of free
parameters), fitted by weighted log-loss with scipy.optimize (L-BFGS-B) and a small pull
towards the weights in use (so that a handful of decisions cannot swing them). The weights
in use get the same treatment with only their scale and intercept fitted, so the two differ
in the weights alone.

The decisions are split at random (seeded) into a training and a held-out part. The fitted
weights are written to the MatchingConfig row only when, on the held-out decisions, their
log-loss is lower than the weights' in use by at least MIN_IMPROVEMENT (relative) and their
AUC (how often a forwarded match scores above a rejected one) is no lower; otherwise nothing
changes and the report says why. Too few decisions (MIN_DECISIONS, MIN_PER_CLASS in each
part) change nothing either. The next sweep re-scores with the weights written (the stored
scores carry the weights' fingerprint).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.db import transaction
from django.db.models import Q
from scipy import optimize

from matchmaking.models import FACTORS, Match, MatchingConfig, MatchStatus, get_matching_config

MIN_DECISIONS = 40
MIN_PER_CLASS = 5  # forwarded and rejected, in the training and in the held-out part alike
WON_WEIGHT = 3.0
MIN_IMPROVEMENT = 0.01  # held-out log-loss at least 1 % lower
SHRINK = 0.01  # pull of the fitted weights towards the weights in use


@dataclass
class Decisions:
    """One row per decided match: factor scores (n × 4, FACTORS' order), forwarded or not,
    and its weight in the fit."""

    factors: np.ndarray
    forwarded: np.ndarray
    weight: np.ndarray

    def __len__(self) -> int:
        return len(self.forwarded)

    def take(self, idx: np.ndarray) -> Decisions:
        return Decisions(self.factors[idx], self.forwarded[idx], self.weight[idx])

    def counts(self) -> tuple[int, int]:
        """(forwarded, rejected)."""
        positives = int(self.forwarded.sum())
        return positives, len(self) - positives


def load_decisions() -> Decisions:
    """The decided, engine-scored matches of companies' pairs (one query). A buying request's
    matches are left out: their score has a fifth factor (the deadline) these four weights
    cannot account for."""
    rows = list(
        Match.objects.filter(
            Q(forwarded_at__isnull=False) | Q(status=MatchStatus.REJECTED), request__isnull=True
        )
        .exclude(breakdown={})
        .order_by("pk")
        .values_list("status", "forwarded_at", *(f"{f}_score" for f in FACTORS))
    )
    factors = np.array([[float(v) for v in row[2:]] for row in rows], dtype=np.float64).reshape(
        -1, len(FACTORS)
    )
    forwarded = np.array([row[1] is not None and row[0] != MatchStatus.REJECTED for row in rows], dtype=bool)
    weight = np.array([WON_WEIGHT if row[0] == MatchStatus.WON else 1.0 for row in rows], dtype=np.float64)
    return Decisions(factors, forwarded, weight)


# --- The model ------------------------------------------------------------------------------


def _log_loss(z: np.ndarray, decisions: Decisions) -> float:
    """Weighted mean of −log P(the decision taken) for logits z."""
    y = decisions.forwarded.astype(np.float64)
    losses = np.logaddexp(0.0, z) - y * z
    return float(np.sum(decisions.weight * losses) / np.sum(decisions.weight))


def auc(score: np.ndarray, forwarded: np.ndarray) -> float:
    """The chance that a forwarded match scores above a rejected one (ties count half)."""
    positives, negatives = score[forwarded], score[~forwarded]
    if not len(positives) or not len(negatives):
        return math.nan
    ranks = _average_ranks(np.concatenate([positives, negatives]))
    above = ranks[: len(positives)].sum() - len(positives) * (len(positives) + 1) / 2
    return float(above / (len(positives) * len(negatives)))


def _average_ranks(values: np.ndarray) -> np.ndarray:
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = np.arange(1, len(values) + 1)
    sorted_values = values[order]
    start = 0
    for stop in range(1, len(values) + 1):  # ties share their mean rank
        if stop == len(values) or sorted_values[stop] != sorted_values[start]:
            ranks[order[start:stop]] = (start + 1 + stop) / 2
            start = stop
    return ranks


def _softmax(theta: np.ndarray) -> np.ndarray:
    e = np.exp(theta - theta.max())
    return e / e.sum()


@dataclass
class Model:
    """Weights on the simplex, and the logistic curve's scale and intercept."""

    weights: np.ndarray
    scale: float
    intercept: float

    def score(self, factors: np.ndarray) -> np.ndarray:
        return factors @ self.weights

    def logits(self, factors: np.ndarray) -> np.ndarray:
        return self.scale * self.score(factors) + self.intercept


def _calibrated(weights: np.ndarray, decisions: Decisions) -> Model:
    """These weights, with the scale and intercept that fit `decisions` best."""
    score = decisions.factors @ weights

    def loss(params: np.ndarray) -> float:
        return _log_loss(math.exp(params[0]) * score + params[1], decisions)

    found = optimize.minimize(loss, np.array([math.log(5.0), -2.5]), method="L-BFGS-B")
    return Model(weights, math.exp(found.x[0]), float(found.x[1]))


def _fitted(decisions: Decisions, start: np.ndarray) -> Model:
    """Weights, scale and intercept that fit `decisions` best, pulled towards `start`."""
    theta0 = np.log(np.maximum(start, 1e-3))

    def loss(params: np.ndarray) -> float:
        weights = _softmax(params[:4])
        z = math.exp(params[4]) * (decisions.factors @ weights) + params[5]
        return _log_loss(z, decisions) + SHRINK * float(np.sum((weights - start) ** 2))

    base = _calibrated(start, decisions)
    x0 = np.concatenate([theta0, [math.log(base.scale), base.intercept]])
    bounds = [(-12.0, 12.0)] * 4 + [(-5.0, 6.0), (None, None)]
    found = optimize.minimize(loss, x0, method="L-BFGS-B", bounds=bounds)
    return Model(_softmax(found.x[:4]), math.exp(found.x[4]), float(found.x[5]))


# --- The command's work -----------------------------------------------------------------------


@dataclass
class Evaluation:
    log_loss: float
    auc: float


@dataclass
class FitReport:
    """What a fit found and did: `written` only when the fitted weights beat those in use."""

    decisions: int
    forwarded: int
    rejected: int
    current: tuple[float, ...]
    fitted: tuple[float, ...] | None = None
    train: int = 0
    held_out: int = 0
    current_eval: Evaluation | None = None
    fitted_eval: Evaluation | None = None
    written: bool = False
    reasons: list[str] = field(default_factory=list)


def _split(n: int, holdout: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    cut = int(round(n * (1 - holdout)))
    return np.sort(order[:cut]), np.sort(order[cut:])


def _evaluate(model: Model, decisions: Decisions) -> Evaluation:
    return Evaluation(
        _log_loss(model.logits(decisions.factors), decisions),
        auc(model.score(decisions.factors), decisions.forwarded),
    )


def rounded_weights(weights: np.ndarray) -> tuple[float, ...]:
    """Weights with three decimals (as the config stores them) that still sum to 1."""
    milli = np.floor(np.asarray(weights) * 1000).astype(int)
    remainder = np.asarray(weights) * 1000 - milli
    for i in np.argsort(-remainder)[: 1000 - int(milli.sum())]:
        milli[i] += 1
    return tuple(int(m) / 1000 for m in milli)


def fit_weights(*, holdout: float = 0.3, seed: int = 0, dry_run: bool = False) -> FitReport:
    """Fit the factor weights on the decisions, compare them with those in use on the held-out
    part, and write them (not on a dry run) only when they beat them (see the module)."""
    if not 0.05 <= holdout <= 0.5:
        raise ValueError("holdout must lie between 0.05 and 0.5")
    config = get_matching_config()
    current = np.array(config.weights, dtype=np.float64)
    current /= current.sum()
    decisions = load_decisions()
    positives, negatives = decisions.counts()
    report = FitReport(len(decisions), positives, negatives, tuple(float(w) for w in config.weights))
    if len(decisions) < MIN_DECISIONS or min(positives, negatives) < 2 * MIN_PER_CLASS:
        report.reasons.append(
            f"too few decisions: {len(decisions)} ({positives} forwarded, {negatives} rejected); "
            f"a fit needs {MIN_DECISIONS}, with {2 * MIN_PER_CLASS} of each"
        )
        return report
    train_idx, test_idx = _split(len(decisions), holdout, seed)
    train, test = decisions.take(train_idx), decisions.take(test_idx)
    report.train, report.held_out = len(train), len(test)
    if min(*train.counts(), *test.counts()) < MIN_PER_CLASS:
        report.reasons.append(
            f"too few of each decision in a part: training {train.counts()}, held out {test.counts()} "
            f"(forwarded, rejected); each needs {MIN_PER_CLASS}"
        )
        return report

    fitted = _fitted(train, current)
    report.fitted = rounded_weights(fitted.weights)
    fitted.weights = np.array(report.fitted)
    report.current_eval = _evaluate(_calibrated(current, train), test)
    report.fitted_eval = _evaluate(fitted, test)
    before, after = report.current_eval, report.fitted_eval
    if after.log_loss > before.log_loss * (1 - MIN_IMPROVEMENT):
        report.reasons.append(
            f"held-out log-loss {after.log_loss:.4f} is not at least {MIN_IMPROVEMENT:.0%} below "
            f"the weights in use ({before.log_loss:.4f})"
        )
    if after.auc < before.auc:
        report.reasons.append(f"held-out AUC {after.auc:.3f} is below the weights in use ({before.auc:.3f})")
    if report.reasons or dry_run:
        return report
    write_weights(weights=report.fitted)
    report.written = True
    return report


@transaction.atomic
def write_weights(*, weights: tuple[float, ...]) -> MatchingConfig:
    """The four factor weights (FACTORS' order) into the config row, its other knobs kept."""
    row = MatchingConfig.objects.select_for_update().filter(pk=MatchingConfig.SINGLETON_ID).first()
    row = row or MatchingConfig()
    for name, weight in zip(FACTORS, weights, strict=True):
        setattr(row, f"weight_{name}", Decimal(str(weight)).quantize(Decimal("0.001")))
    row.full_clean()
    row.save()
    return row
