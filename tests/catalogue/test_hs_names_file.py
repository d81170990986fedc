"""taxonomy/data/hs_names.csv, the HS names in the other four languages, and the script that
assembles and checks it (scripts/assemble_hs_names.py)."""

import csv
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NAMES = ROOT / "taxonomy" / "data" / "hs_names.csv"


def load_script():
    spec = importlib.util.spec_from_file_location(
        "assemble_hs_names", ROOT / "scripts" / "assemble_hs_names.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rows() -> list[dict[str, str]]:
    with open(NAMES, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_shipped_file_names_every_section_chapter_and_heading_in_every_language():
    script = load_script()
    levels, _as_parent = script.hs_codes()
    names = {row["code"]: row for row in rows()}
    assert list(rows()[0]) == ["code", "fa", "ar", "ru", "tr"]
    assert set(names) <= set(levels)
    for code, level in levels.items():
        if level < 6:
            assert all(names[code][language] for language in ("fa", "ar", "ru", "tr")), code
    for row in names.values():
        assert not set("يك") & set(row["fa"]), row["code"]
        assert not set("یک") & set(row["ar"]), row["code"]
        for language in ("fa", "ar", "ru", "tr"):
            if row[language]:
                assert script.problem(language, row[language]) is None, (row["code"], language)
    # The everyday trade words the searches rely on.
    fridges = names["8418"]
    assert "یخچال" in fridges["fa"] and "ثلاجات" in fridges["ar"]
    assert "Холодильники" in fridges["ru"] and "Buzdolapları" in fridges["tr"]


def test_the_script_assembles_fixes_and_refuses(tmp_path):
    script = load_script()
    first = tmp_path / "a.csv"
    first.write_text(
        "code,fa,ar,ru,tr\n"
        "8418,يخچال,ثلاجات,Холодильники,Buzdolapları\n"  # Arabic yeh in Persian: fixed
        "8413,پمپ,مضخات,Pumps,Pompalar\n"  # Latin where Russian belongs: refused
        "1234x,نام,اسم,Имя,Ad\n",  # not a code: left out
        encoding="utf-8",
    )
    second = tmp_path / "b.csv"
    second.write_text("code,fa,ar,ru,tr\n8413,پمپ‌ها,مضخات,Насосы,Pompalar\n", encoding="utf-8")
    out = tmp_path / "hs_names.csv"

    status = script.main([str(first), str(second), "--out", str(out)])

    assert status == 1  # headings are missing in this small assembly
    with open(out, encoding="utf-8", newline="") as handle:
        assembled = {row["code"]: row for row in csv.DictReader(handle)}
    assert assembled["8418"]["fa"] == "یخچال"
    assert assembled["8413"]["fa"] == "پمپ‌ها" and assembled["8413"]["ru"] == "Насосы"  # the later part
    assert "1234X" not in assembled
    # The reviewed Persian names of sections and chapters come along; 9999 takes chapter 99's.
    assert assembled["84"]["fa"].startswith("رآکتورهای هسته\u200cای")
    assert assembled["9999"]["fa"] == assembled["99"]["fa"]


@pytest.mark.parametrize(
    ("language", "text", "problem"),
    [
        ("fa", "Refrigerators", "no arabic letters"),
        ("ru", "Холодильники (Salmo salar)", None),  # a scientific name in Latin
        ("tr", "Buzdolapları холодильники", "cyrillic letters in a tr name"),
        ("ar", "ثلاجات\nمجمدات", "more than one line"),
        ("ar", "ث" * 601, "601 characters long; at most 600"),
    ],
)
def test_the_checks_of_a_name(language, text, problem):
    assert load_script().problem(language, text) == problem
