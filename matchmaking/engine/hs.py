"""Harmonized System codes as keys at each level of the hierarchy."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from matchmaking.engine.config import CHAPTER, HEADING, SECTION, SUBHEADING

# HS 2022 chapters of each section (chapter 77 is reserved, chapter 99 belongs to no section).
_SECTION_CHAPTERS = {
    "I": (1, 5),
    "II": (6, 14),
    "III": (15, 15),
    "IV": (16, 24),
    "V": (25, 27),
    "VI": (28, 38),
    "VII": (39, 40),
    "VIII": (41, 43),
    "IX": (44, 46),
    "X": (47, 49),
    "XI": (50, 63),
    "XII": (64, 67),
    "XIII": (68, 70),
    "XIV": (71, 71),
    "XV": (72, 83),
    "XVI": (84, 85),
    "XVII": (86, 89),
    "XVIII": (90, 92),
    "XIX": (93, 93),
    "XX": (94, 96),
    "XXI": (97, 97),
}


def default_sections() -> dict[str, str]:
    """HS 2022 chapter → section, for callers without the database (tests, benchmarks)."""
    return {
        f"{chapter:02d}": section
        for section, (first, last) in _SECTION_CHAPTERS.items()
        for chapter in range(first, last + 1)
        if chapter != 77
    }


def normalise_hs_code(code: str, section_names: Iterable[str] = ()) -> str:
    """An HS code without dots or spaces ("8418.10" → "841810"), or a section numeral.

    National tariff lines (8 or 10 digits) are cut to their 6-digit subheading.
    Raises ValueError for anything else, so bad data fails loudly in the loader.
    """
    cleaned = "".join(str(code).split()).replace(".", "")
    if cleaned.isdigit() and len(cleaned) % 2 == 0 and len(cleaned) >= 2:
        return cleaned[:6]
    if cleaned.upper() in section_names:
        return cleaned.upper()
    raise ValueError(f"not an HS code (2, 4 or 6 digits) nor a known section: {code!r}")


def sector_keys(
    code: str, sections: Mapping[str, str], section_names: frozenset[str]
) -> tuple[tuple[int, str], ...]:
    """The (level, key) pairs a code shares with others: its own level and every level above.

    "841810" → subheading 841810, heading 8418, chapter 84, section XVI; a 4-digit code has
    no subheading key; a section numeral ("XVI") has only its section key.
    """
    normal = normalise_hs_code(code, section_names)
    if not normal.isdigit():
        return ((SECTION, normal),)
    keys: list[tuple[int, str]] = []
    if len(normal) == 6:
        keys.append((SUBHEADING, normal))
    if len(normal) >= 4:
        keys.append((HEADING, normal[:4]))
    keys.append((CHAPTER, normal[:2]))
    section = sections.get(normal[:2])
    if section:
        keys.append((SECTION, section))
    return tuple(keys)
