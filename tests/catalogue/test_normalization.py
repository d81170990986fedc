import pytest

from portal.normalization import normalize_text


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("يخچال", "یخچال"),  # Arabic yeh
        ("كولر", "کولر"),  # Arabic kaf
        ("لوازم خانگي", "لوازم خانگی"),
        ("٨٤١٨", "8418"),  # Arabic-Indic digits
        ("۸۴۱۸", "8418"),  # Persian digits
        ("می‌شود", "میشود"),  # ZWNJ
        ("مُحَمَّد", "محمد"),  # diacritics
        ("فرش‌ ماشيني", "فرش ماشینی"),
        ("  Refrigerators\tAND  Freezers ", "refrigerators and freezers"),
    ],
)
def test_variants_fold_to_one_form(typed, stored):
    assert normalize_text(typed) == normalize_text(stored)


def test_empty_values():
    assert normalize_text(None) == "" and normalize_text("") == ""
