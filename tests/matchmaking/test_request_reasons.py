"""A buying request's explanation codes as sentences: the deadline factor, capacity against
the line's quantity, a product outside the line's code; in every portal language."""

import pytest
from django.utils import translation

from matchmaking.reasons import render_breakdown, render_reason

pytestmark = pytest.mark.django_db
LANGUAGES = ("fa", "en", "ar", "ru", "tr")


def en(factor, entry):
    with translation.override("en"):
        return render_reason(factor, entry)


@pytest.mark.parametrize(
    ("entry", "text"),
    [
        (
            {"code": "fits", "lead_time": 30, "days_left": 90},
            "lead time 30 days fits the 90 days left before the deadline",
        ),
        (
            {"code": "late", "lead_time": 120, "days_left": 60, "late_by": 60},
            "lead time 120 days, 60 days left before the deadline: 60 days late",
        ),
        ({"code": "passed", "days_left": -2}, "the request's deadline has passed"),
        (
            {"code": "unknown", "reason": "no_lead_time", "days_left": 60},
            "deadline not compared: the product gives no lead time",
        ),
        ({"code": "unknown", "reason": "no_deadline"}, "deadline not compared"),
    ],
)
def test_deadline_reasons(entry, text):
    assert en("deadline", entry) == text


def test_capacity_against_the_line_s_quantity():
    covers = {"code": "covers", "unit": "units", "capacity": 12000, "demand": 2000, "basis": "line"}
    assert en("capacity", covers) == "capacity 12,000 units/yr covers the 2,000 requested"
    partial = {**covers, "code": "partial", "capacity": 500}
    assert en("capacity", partial) == "capacity 500 units/yr covers 25% of the 2,000 requested"
    moq = {
        "code": "moq_above_order",
        "unit": "units",
        "moq": 4000,
        "order": 2000,
        "base": "covers",
        "basis": "line",
    }
    assert en("capacity", moq).startswith("minimum order 4,000 units is above the 2,000 requested")
    # A buyer's pair keeps its words.
    assert "demand" in en("capacity", {"code": "covers", "unit": "units", "capacity": 5, "demand": 2})


def test_a_product_outside_the_line_s_code():
    entry = {"code": "none", "producer_hs": "847960", "buyer_hs": "841370"}
    assert en("sector", entry) == "the product’s HS code 847960 is not under the requested 841370"


BREAKDOWN = {
    "sector": {
        "code": "same_subheading",
        "hs": "841370",
        "producer_hs": "841370",
        "buyer_hs": "841370",
        "score": 1.0,
        "weight": 0.35,
    },
    "capacity": {
        "code": "partial",
        "unit": "units",
        "capacity": 500,
        "demand": 2000,
        "basis": "line",
        "score": 0.25,
        "weight": 0.22,
    },
    "market": {"code": "target_market", "country": "IQ", "score": 1.0, "weight": 0.22},
    "certifications": {"code": "none_required", "score": 1.0, "weight": 0.09},
    "deadline": {
        "code": "late",
        "lead_time": 100,
        "days_left": 60,
        "late_by": 40,
        "score": 0.6,
        "weight": 0.13,
    },
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_request_breakdown_renders_its_five_factors_in_every_language(language):
    with translation.override(language):
        rendered = render_breakdown(BREAKDOWN)
    assert list(rendered) == ["sector", "capacity", "market", "certifications", "deadline"]
    assert all(row["reason"] for row in rendered.values())
    assert rendered["deadline"]["score"] == 0.6 and rendered["deadline"]["weight"] == 0.13
