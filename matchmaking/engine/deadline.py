"""The deadline factor of a buying request's line: can the product be made in time?

A product's lead time (days from order to dispatch) against the days left until the
request's deadline, both known:

    lead time <= days left        1.0   code `fits`     {lead_time, days_left}
    lead time >  days left        days left / lead time (the share of the lead time that fits
                                        before the deadline), code `late`
                                        {lead_time, days_left, late_by}
    the deadline has passed       0.0   code `passed`   {days_left}

Either unknown: DEADLINE_NEUTRAL, code `unknown` {reason: no_lead_time | no_deadline}.
The days left are the Django layer's to count (the engine knows no today).
"""

from __future__ import annotations

import math

import numpy as np

from matchmaking.engine.config import DEADLINE_NEUTRAL


def sanitised_days(values) -> np.ndarray:
    """Day counts as floats: finite, else unknown (NaN). Lead times below zero are unknown."""
    array = np.asarray(values, dtype=np.float64).reshape(-1)
    return np.where(np.isfinite(array), array, np.nan)


def deadline_scores(lead_time: np.ndarray, days_left: np.ndarray) -> np.ndarray:
    """The factor for pairs with these lead times and days left (NaN = unknown); never NaN."""
    lead_time = np.asarray(lead_time, dtype=np.float64)
    days_left = np.asarray(days_left, dtype=np.float64)
    score = np.full(len(lead_time), DEADLINE_NEUTRAL)
    known = ~np.isnan(lead_time) & (lead_time >= 0) & ~np.isnan(days_left)
    fits = known & (lead_time <= days_left)
    late = known & ~fits
    score[fits] = 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        score[late] = np.clip(days_left[late] / lead_time[late], 0.0, 1.0)
    score[~np.isnan(days_left) & (days_left < 0)] = 0.0
    return score


def _days(value: float) -> int:
    return int(value)


def deadline_entry(lead_time: float, days_left: float) -> dict:
    """The factor's explanation (see the module docstring), without its score."""
    if not math.isnan(days_left) and days_left < 0:
        return {"code": "passed", "days_left": _days(days_left)}
    if math.isnan(days_left):
        return {"code": "unknown", "reason": "no_deadline"}
    if math.isnan(lead_time) or lead_time < 0:
        return {"code": "unknown", "reason": "no_lead_time", "days_left": _days(days_left)}
    if lead_time <= days_left:
        return {"code": "fits", "lead_time": _days(lead_time), "days_left": _days(days_left)}
    return {
        "code": "late",
        "lead_time": _days(lead_time),
        "days_left": _days(days_left),
        "late_by": _days(lead_time - days_left),
    }
