"""HS codes as keys at every level, and the chapter → section map used without a database."""

import csv
from pathlib import Path

import pytest

from matchmaking.engine.config import CHAPTER, HEADING, SECTION, SUBHEADING
from matchmaking.engine.hs import default_sections, normalise_hs_code, sector_keys

SECTIONS = default_sections()
NAMES = frozenset(SECTIONS.values())
HS_FILE = Path(__file__).resolve().parents[2] / "catalogue" / "data" / "harmonized-system.csv"


@pytest.mark.parametrize(
    ("code", "keys"),
    [
        ("841810", {(SUBHEADING, "841810"), (HEADING, "8418"), (CHAPTER, "84"), (SECTION, "XVI")}),
        ("8418", {(HEADING, "8418"), (CHAPTER, "84"), (SECTION, "XVI")}),
        ("84", {(CHAPTER, "84"), (SECTION, "XVI")}),
        ("0201", {(HEADING, "0201"), (CHAPTER, "02"), (SECTION, "I")}),
        ("xvi", {(SECTION, "XVI")}),
        ("99", {(CHAPTER, "99")}),  # no section
        ("8418.10", {(SUBHEADING, "841810"), (HEADING, "8418"), (CHAPTER, "84"), (SECTION, "XVI")}),
        ("84181090", {(SUBHEADING, "841810"), (HEADING, "8418"), (CHAPTER, "84"), (SECTION, "XVI")}),
    ],
)
def test_sector_keys(code, keys):
    assert set(sector_keys(code, SECTIONS, NAMES)) == keys


@pytest.mark.parametrize("code", ["", "8", "841", "84181", "XXX", "84a1", "chair"])
def test_malformed_codes_fail_loudly(code):
    with pytest.raises(ValueError):
        normalise_hs_code(code, NAMES)


def test_default_sections_cover_hs_2022():
    assert len(SECTIONS) == 96  # chapters 01-97 without the reserved 77
    assert SECTIONS["84"] == "XVI" and SECTIONS["87"] == "XVII" and SECTIONS["02"] == "I"
    assert "77" not in SECTIONS and "99" not in SECTIONS
    assert len(NAMES) == 21


@pytest.mark.skipif(not HS_FILE.exists(), reason="the shipped HS file is not in this tree")
def test_default_sections_agree_with_the_shipped_nomenclature():
    with open(HS_FILE, encoding="utf-8-sig", newline="") as handle:
        chapters = {row["hscode"]: row["section"] for row in csv.DictReader(handle) if row["level"] == "2"}
    chapters.pop("99", None)  # pseudo-section TOTAL
    assert chapters == SECTIONS
