"""Explanation codes rendered as sentences in English and Persian."""

import re

import pytest
from django.utils import translation

from matchmaking.reasons import render_breakdown, render_reason, sector_codes, sector_names

pytestmark = pytest.mark.django_db
LATIN = re.compile("[A-Za-z0-9]")  # a Persian sentence has Persian words and digits


def en(factor, entry, names=None):
    with translation.override("en"):
        return render_reason(factor, entry, names)


def fa(factor, entry, names=None):
    with translation.override("fa"):
        return render_reason(factor, entry, names)


def test_sector_reasons_name_the_shared_code():
    entry = {"code": "same_heading", "hs": "8418", "producer_hs": "841810", "buyer_hs": "8418"}
    names = {"8418": "Refrigerators, freezers"}
    assert en("sector", entry, names) == (
        "same HS heading 8418 (Refrigerators, freezers): the producer’s 841810, the buyer’s 8418"
    )
    persian = fa("sector", entry, {"8418": "یخچال و فریزر"})
    assert persian.startswith("سرفصل مشترک ۸۴۱۸ (یخچال و فریزر)")
    assert "۸۴۱۸۱۰" in persian and not LATIN.search(persian)
    same = {"code": "same_subheading", "hs": "841810", "producer_hs": "841810", "buyer_hs": "841810"}
    assert en("sector", same) == "same HS subheading 841810"
    section = {"code": "same_section", "section": "XVI", "producer_hs": "8418", "buyer_hs": "8501"}
    assert en("sector", section).startswith("same HS section XVI: ")


def test_sector_names_come_from_the_taxonomy_in_the_reader_language():
    from taxonomy.models import Sector

    Sector.objects.filter(code="8418").update(name_fa="یخچال، فریزر و سایر تجهیزات سردکننده")
    breakdowns = [
        {"sector": {"code": "same_heading", "hs": "8418"}},
        {"sector": {"code": "same_section", "section": "XVI"}},
    ]
    assert sector_codes(breakdowns) == {"8418", "XVI"}
    with translation.override("en"):
        names = sector_names({"8418", "XVI"})
        assert names["8418"].startswith("Refrigerators, freezers") and names["8418"].endswith("…")
        assert len(names["8418"]) <= 48
    with translation.override("fa"):
        assert sector_names({"8418"})["8418"] == "یخچال، فریزر و سایر تجهیزات سردکننده"


def test_capacity_reasons():
    covers = {"code": "covers", "unit": "units", "capacity": 45000, "demand": 5000}
    assert en("capacity", covers) == "capacity 45,000 units/yr covers demand 5,000"
    persian = fa("capacity", covers)
    assert "۴۵٬۰۰۰" in persian and "۵٬۰۰۰" in persian and not LATIN.search(persian)
    partial = {"code": "partial", "unit": "tonnes", "capacity": 300, "demand": 1200}
    assert en("capacity", partial) == "capacity 300 tonnes/yr covers 25% of demand 1,200"
    assert "۲۵٪" in fa("capacity", partial)
    assert en("capacity", {"code": "unknown", "reason": "no_unit"}) == (
        "capacity not compared: the buyer gave no unit for its demand"
    )
    assert en("capacity", {"code": "unknown", "reason": "no_capacity", "unit": "kg", "demand": 10}) == (
        "capacity not compared: no free capacity listed in kg"
    )
    moq = {
        "code": "moq_above_order",
        "unit": "units",
        "moq": 500,
        "order": 200,
        "base": "covers",
        "capacity": 9000,
        "demand": 800,
    }
    assert en("capacity", moq) == (
        "minimum order 500 units is above the buyer’s typical order 200; capacity 9,000 units/yr covers demand 800"
    )


def test_market_reasons_name_countries_and_regions():
    assert en("market", {"code": "target_market", "country": "IQ"}) == "Iraq is a target market"
    persian = fa("market", {"code": "target_market", "country": "IQ"})
    assert persian.startswith("عراق") and not LATIN.search(persian)
    near = {"code": "same_region", "country": "SY", "region": "Western Asia", "target": "IQ"}
    assert en("market", near) == "Syria is in Western Asia, like the target market Iraq"
    persian = fa("market", near)
    assert "سوریه" in persian and "غرب آسیا" in persian and "عراق" in persian and not LATIN.search(persian)
    assert en("market", {"code": "open_to_all", "country": "DE"}) == "open to any market, Germany included"
    assert en("market", {"code": "other", "country": "BR"}) == "Brazil is not among the target markets"


def test_certification_reasons():
    assert en("certifications", {"code": "none_required"}) == "no certifications required"
    assert en(
        "certifications", {"code": "holds", "held": ["CE", "ISO 9001"], "required": ["CE", "ISO 9001"]}
    ) == ("a verified, unexpired certificate for every required certification: CE, ISO 9001")
    missing = {
        "code": "missing",
        "held": ["CE"],
        "missing": ["GOST-R", "EAC"],
        "required": ["CE", "EAC", "GOST-R"],
    }
    assert en("certifications", missing) == (
        "verified certificates for 1 of 3 required certifications; none verified for: GOST-R, EAC"
    )
    persian = fa("certifications", missing)
    assert "۱" in persian and "۳" in persian and persian.endswith("GOST-R، EAC")
    assert not LATIN.search(persian.replace("GOST-R", "").replace("EAC", ""))


def test_a_breakdown_renders_every_factor_with_its_score_and_weight():
    breakdown = {
        "sector": {
            "code": "same_chapter",
            "hs": "84",
            "producer_hs": "8418",
            "buyer_hs": "8450",
            "score": 0.5,
            "weight": 0.4,
        },
        "capacity": {
            "code": "covers",
            "unit": "units",
            "capacity": 10,
            "demand": 5,
            "score": 1.0,
            "weight": 0.25,
        },
        "market": {"code": "other", "country": "DE", "score": 0.2, "weight": 0.25},
        "certifications": {"code": "none_required", "score": 1.0, "weight": 0.1},
    }
    with translation.override("en"):
        rendered = render_breakdown(breakdown, {"84": "Machinery"})
    assert rendered["sector"] == {
        "score": 0.5,
        "weight": 0.4,
        "reason": "same HS chapter 84 (Machinery): the producer’s 8418, the buyer’s 8450",
    }
    assert set(rendered) == {"sector", "capacity", "market", "certifications"}
