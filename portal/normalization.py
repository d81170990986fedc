"""Persian/Arabic text normalisation, applied alike when indexing and when searching.

People type Persian on Arabic keyboards (ي for ی, ك for ک), with Arabic or
Persian digits, with or without the zero-width non-joiner, sometimes with
diacritics. Folding all of these to one form makes the variants match.
"""

import re
import unicodedata

# The letters and invisible marks people type in variants, folded to one form. One table for
# both halves of the search: `normalize_text` below (queries, indexed copies) and the
# database-side `taxonomy.search.folded` (stored names), so the two cannot drift apart.
LETTER_FOLDS = {
    "ي": "ی",  # ARABIC YEH → FARSI YEH
    "ى": "ی",  # ALEF MAKSURA
    "ئ": "ی",
    "ك": "ک",  # ARABIC KAF → KEHEH
    "ة": "ه",
    "ۀ": "ه",
    "أ": "ا",
    "إ": "ا",
    "ٱ": "ا",
    "ؤ": "و",
    "\u0654": "",  # HAMZA ABOVE, as in the ezafe "هٔ" (a diacritic: removed below too)
    "\u200c": "",  # ZERO WIDTH NON-JOINER: "می‌شود" and "میشود" match
    "\u200d": "",  # ZERO WIDTH JOINER
    "\u200f": "",  # RIGHT-TO-LEFT MARK
    "\u200e": "",  # LEFT-TO-RIGHT MARK
    "\u0640": "",  # TATWEEL
}
_CHARACTER_MAP = str.maketrans(
    {
        **LETTER_FOLDS,
        **{chr(0x06F0 + i): str(i) for i in range(10)},  # Persian digits
        **{chr(0x0660 + i): str(i) for i in range(10)},  # Arabic-Indic digits
        "٬": ",",
        "٫": ".",
    }
)
# Harakat, tanwin, shadda, sukun, superscript alef and the Quranic marks.
_DIACRITICS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")
_SPACES = re.compile(r"\s+")


def normalize_text(text: str | None) -> str:
    """One comparable form: NFKC, Persian letters, ASCII digits, no ZWNJ or diacritics, lower case."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", str(text))
    text = _DIACRITICS.sub("", text).translate(_CHARACTER_MAP)
    return _SPACES.sub(" ", text).strip().lower()
