"""Assemble taxonomy/data/hs_names.csv (code, fa, ar, ru, tr) from translated parts, and check it.

    .venv/bin/python scripts/assemble_hs_names.py PART.csv [PART.csv ...] [--readme]

Each part is a UTF-8 CSV with the columns code, fa, ar, ru, tr (others are ignored), rows for
any HS codes; a code in several parts takes its names from the last. The Persian names of the
sections and chapters are the project's reviewed ones (`--persian`, by default the current
hs_names.csv, or hs_names_fa.csv while it exists) whatever a part says. The output holds the
sections in numeral order, then every code in HS order, with the names that passed the checks:

- the code is a section or code of harmonized-system.csv (a code described in English as its
  parent is, 9999 as 99, takes the parent's names where it has none);
- a name is one line of at most 600 characters (Sector.name) without control characters;
- it is written in its language's script: Persian and Arabic in Arabic letters (Persian with
  ی ک, Arabic with ي ك: a wrong form is fixed and counted), Russian in Cyrillic, Turkish in
  Latin letters, with no other script than Latin beside (scientific names, units).

Prints what it fixed and refused and the coverage per language and level; `--readme` also
writes that table into taxonomy/data/README.md (between its coverage markers). Exits 1 when a
name was refused or a section, chapter or heading lacks a name in some language.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "taxonomy" / "data"
OUTPUT = DATA / "hs_names.csv"
README = DATA / "README.md"
LANGUAGES = ("fa", "ar", "ru", "tr")
LEVELS = {0: "sections", 2: "chapters", 4: "headings", 6: "subheadings"}
MAX_LENGTH = 600
COVERAGE_START, COVERAGE_END = "<!-- hs-names-coverage -->", "<!-- /hs-names-coverage -->"
ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
# The letter forms of the other language that slip in: Persian ی ک, Arabic ي ك.
FIXES = {
    "fa": str.maketrans({"ي": "ی", "ك": "ک", "ى": "ی"}),
    "ar": str.maketrans({"ی": "ي", "ک": "ك"}),
}
SCRIPTS = {"fa": "ARABIC", "ar": "ARABIC", "ru": "CYRILLIC", "tr": "LATIN"}


def roman(numeral: str) -> int:
    values = [ROMAN[letter] for letter in numeral]
    return sum(-v if v < after else v for v, after in zip(values, [*values[1:], 0], strict=True))


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def hs_codes() -> tuple[dict[str, int], dict[str, str]]:
    """Every section and code of the shipped nomenclature with its level, in output order, and
    the codes whose English description is their parent's (9999 and 999999 are chapter 99's)."""
    sections = sorted((row["section"].strip() for row in read_rows(DATA / "sections.csv")), key=roman)
    rows = [
        row
        for row in read_rows(DATA / "harmonized-system.csv")
        if row["hscode"].isdigit() and row["level"] in ("2", "4", "6")
    ]
    codes = {row["hscode"]: int(row["level"]) for row in rows}
    english = {row["hscode"]: row["description"] for row in rows}
    as_parent = {
        row["hscode"]: row["parent"] for row in rows if english.get(row["parent"]) == row["description"]
    }
    return {**dict.fromkeys(sections, 0), **dict(sorted(codes.items()))}, as_parent


def problem(language: str, text: str) -> str | None:
    if "\n" in text or "\r" in text:
        return "more than one line"
    if any(unicodedata.category(char) == "Cc" for char in text):
        return "a control character"
    if len(text) > MAX_LENGTH:
        return f"{len(text)} characters long; at most {MAX_LENGTH}"
    scripts = {unicodedata.name(char, "").split(" ")[0] for char in text if char.isalpha()}
    script = SCRIPTS[language]
    if script not in scripts:
        return f"no {script.lower()} letters"
    # Latin letters are at home in any name (scientific names, units, trademarks), no other script.
    others = scripts - {script, "LATIN"}
    if others:
        return f"{', '.join(sorted(others)).lower()} letters in a {language} name"
    return None


def persian_names(path: Path | None) -> dict[str, str]:
    """The reviewed Persian names of the sections and chapters."""
    if path is None:
        path = DATA / "hs_names_fa.csv" if (DATA / "hs_names_fa.csv").is_file() else OUTPUT
    if not path.is_file():
        return {}
    rows = read_rows(path)
    column = "name_fa" if rows and "name_fa" in rows[0] else "fa"
    return {row["code"]: row[column] for row in rows if not row["code"].isdigit() or len(row["code"]) <= 2}


def assemble(parts: list[Path], persian: dict[str, str], notes: Counter, problems: list[str]):
    levels, as_parent = hs_codes()
    names: dict[str, dict[str, str]] = {}
    for part in parts:
        for line, row in enumerate(read_rows(part), start=2):
            code = (row.get("code") or "").strip().upper()
            if code not in levels:
                notes[f"not an HS 2022 code, left out ({part.name})"] += 1
                continue
            if code in names:
                notes["codes given twice (the later part's names kept)"] += 1
            texts = names.setdefault(code, {})
            for language in LANGUAGES:
                text = " ".join((row.get(language) or "").split())
                if not text:
                    continue
                fixed = text.translate(FIXES[language]) if language in FIXES else text
                if fixed != text:
                    notes[f"{language}: names with the other language's letter forms, fixed"] += 1
                refused = problem(language, fixed)
                if refused:
                    problems.append(f"{part.name} line {line}: {code} {language}: {refused}")
                    continue
                texts[language] = fixed
    for code, text in persian.items():
        if code in levels and text:
            if names.get(code, {}).get("fa") not in (None, text):
                notes["fa: section and chapter names taken from the reviewed Persian names"] += 1
            names.setdefault(code, {})["fa"] = text
    for code, parent in sorted(as_parent.items()):  # parents first: 9999 before 999999
        for language, text in names.get(parent, {}).items():
            if not names.get(code, {}).get(language):
                names.setdefault(code, {})[language] = text
                notes[f"{language}: names of codes described as their parent, taken from it"] += 1
    return levels, names


def coverage(levels: dict[str, int], names: dict[str, dict[str, str]]) -> list[str]:
    totals = Counter(levels.values())
    lines = [
        "| level | codes | " + " | ".join(LANGUAGES) + " |",
        "|---|---:|" + "---:|" * len(LANGUAGES),
    ]
    for level, label in LEVELS.items():
        cells = []
        for language in LANGUAGES:
            count = sum(1 for code, at in levels.items() if at == level and names.get(code, {}).get(language))
            cells.append(f"{count:,} ({100 * count / totals[level]:.0f}%)")
        lines.append(f"| {label} | {totals[level]:,} | " + " | ".join(cells) + " |")
    return lines


def write(levels: dict[str, int], names: dict[str, dict[str, str]], path: Path) -> int:
    rows = [(code, names[code]) for code in levels if any(names.get(code, {}).values())]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", *LANGUAGES])
        for code, texts in rows:
            writer.writerow([code, *(texts.get(language, "") for language in LANGUAGES)])
    return len(rows)


def write_readme(table: list[str]) -> None:
    text = README.read_text(encoding="utf-8")
    block = "\n".join([COVERAGE_START, *table, COVERAGE_END])
    pattern = re.compile(re.escape(COVERAGE_START) + ".*?" + re.escape(COVERAGE_END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"{README} has no {COVERAGE_START} … {COVERAGE_END} block")
    README.write_text(pattern.sub(lambda _match: block, text), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("parts", nargs="+", type=Path, help="translated parts (code, fa, ar, ru, tr)")
    parser.add_argument("--out", type=Path, default=OUTPUT)
    parser.add_argument("--persian", type=Path, help="the reviewed Persian section and chapter names")
    parser.add_argument(
        "--readme", action="store_true", help="write the coverage into taxonomy/data/README.md"
    )
    args = parser.parse_args(argv)

    notes: Counter = Counter()
    problems: list[str] = []
    persian = persian_names(args.persian)
    levels, names = assemble(args.parts, persian, notes, problems)
    missing = [
        f"{code} ({LEVELS[level][:-1]}) has no {language} name"
        for code, level in levels.items()
        if level < 6
        for language in LANGUAGES
        if not names.get(code, {}).get(language)
    ]
    written = write(levels, names, args.out)
    table = coverage(levels, names)
    if args.readme:
        write_readme(table)

    print(f"{args.out}: {written} codes with names, from {len(args.parts)} part(s)")
    for note, count in sorted(notes.items()):
        print(f"  {count:5d}  {note}")
    print("\n".join(table))
    for line in [*missing, *problems][:50]:
        print(f"problem: {line}", file=sys.stderr)
    if problems or missing:
        print(f"{len(problems)} name(s) refused, {len(missing)} missing above subheadings", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
