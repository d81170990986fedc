"""`manage.py fit_matching_weights` (matchmaking.fitting): too few decisions change nothing;
decisions one factor explains raise that factor's weight and are written; decisions the
weights in use already explain change nothing."""

import io
import math
from decimal import Decimal

import numpy as np
import pytest
from django.core.management import call_command

from matchmaking import fitting
from matchmaking.models import FACTORS, Match, MatchingConfig, MatchStatus, get_matching_config

from .conftest import make_buyer, make_producer

pytestmark = pytest.mark.django_db
DEFAULTS = (0.40, 0.25, 0.25, 0.10)


def _decided(rows):
    """Matches with these (factor scores, status), on pairs of a few profiles."""
    producers = [make_producer() for _ in range(20)]
    buyers = [make_buyer() for _ in range(math.ceil(len(rows) / 20))]
    matches = []
    for k, (factors, status) in enumerate(rows):
        score = Decimal(str(round(float(np.dot(DEFAULTS, factors)), 3)))
        matches.append(
            Match(
                producer=producers[k % 20],
                buyer=buyers[k // 20],
                status=status,
                forwarded_at=None if status == MatchStatus.REJECTED else "2026-01-01T00:00:00Z",
                score=score,
                breakdown={"sector": {"code": "same_heading"}},
                **{f"{f}_score": Decimal(str(round(v, 3))) for f, v in zip(FACTORS, factors, strict=True)},
            )
        )
    Match.objects.bulk_create(matches)


def _run(*args) -> str:
    out = io.StringIO()
    call_command("fit_matching_weights", *args, stdout=out)
    return out.getvalue()


def test_too_few_decisions_change_nothing():
    rng = np.random.default_rng(1)
    _decided([(rng.random(4), MatchStatus.FORWARDED if k % 2 else MatchStatus.REJECTED) for k in range(12)])
    output = _run()
    assert "too few decisions: 12" in output and "Nothing changed" in output
    assert not MatchingConfig.objects.exists()


def test_a_factor_that_explains_the_decisions_gets_the_weight_and_is_written():
    rng = np.random.default_rng(7)
    rows = []
    for _ in range(240):
        factors = rng.random(4)
        forwarded = factors[2] + rng.normal(0, 0.08) > 0.5  # the market decides
        won = forwarded and rng.random() < 0.2
        rows.append(
            (
                factors,
                MatchStatus.WON if won else MatchStatus.FORWARDED if forwarded else MatchStatus.REJECTED,
            )
        )
    _decided(rows)

    dry = _run("--dry-run")
    assert "beat those in use; nothing written" in dry and not MatchingConfig.objects.exists()

    report = fitting.fit_weights(holdout=0.3, seed=0)
    print(dry, report)
    assert report.written and not report.reasons
    assert report.fitted_eval.log_loss < report.current_eval.log_loss * 0.99
    assert report.fitted_eval.auc >= report.current_eval.auc
    weights = get_matching_config().weights
    assert weights == report.fitted and sum(weights) == pytest.approx(1.0)
    assert weights[2] > 0.5 > DEFAULTS[2] and min(weights) >= 0


def test_decisions_the_weights_in_use_explain_change_nothing():
    rng = np.random.default_rng(3)
    rows = []
    for _ in range(240):
        factors = rng.random(4)
        p = 1 / (1 + math.exp(-8 * (float(np.dot(DEFAULTS, factors)) - 0.5)))
        rows.append((factors, MatchStatus.FORWARDED if rng.random() < p else MatchStatus.REJECTED))
    _decided(rows)
    output = _run("--holdout", "0.3")
    print(output)
    assert "Nothing changed: held-out log-loss" in output
    assert not MatchingConfig.objects.exists()


def test_rounded_weights_sum_to_one():
    assert sum(fitting.rounded_weights(np.array([1 / 3, 1 / 3, 1 / 3, 0.0]))) == pytest.approx(1.0)
    assert fitting.rounded_weights(np.array([0.4, 0.25, 0.25, 0.1])) == DEFAULTS


def test_auc():
    assert fitting.auc(np.array([0.9, 0.8, 0.1]), np.array([True, True, False])) == 1.0
    assert fitting.auc(np.array([0.5, 0.5]), np.array([True, False])) == 0.5
