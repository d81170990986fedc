"""The Harmonized System: loading the nomenclature into `Sector` (searching it: taxonomy/search.py).

The files are UN Comtrade extractions of the HS (see `taxonomy/data/README.md`):
`harmonized-system.csv` (section, hscode, description, parent, level) for the
chapters, headings and subheadings, `sections.csv` (section, name) for the 21
sections, and the project's `hs_names.csv` (code, fa, ar, ru, tr) for the names in the
portal's other languages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from django.db import DatabaseError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from portal import csvfiles
from portal.content import localized_name, portal_languages

from .models import Sector, SectorLevel, sector_search_keys
from .search import ROMAN_NUMERAL, add_terms

DATA_DIR = Path(__file__).resolve().parent / "data"
HS_FILE = DATA_DIR / "harmonized-system.csv"
SECTIONS_FILE_NAME = "sections.csv"
NAMES_FILE_NAME = "hs_names.csv"

HS_COLUMNS = ("section", "hscode", "description", "parent", "level")
SECTION_COLUMNS = ("section", "name")
NAMES_CODE_COLUMN = "code"

# Comtrade's marker for the grand-total row, for the parent of a chapter, and for
# the pseudo-section of chapter 99 ("commodities not specified according to kind").
TOTAL = "TOTAL"
UNSPECIFIED_CHAPTER = "99"
CODE_LEVELS = (SectorLevel.CHAPTER, SectorLevel.HEADING, SectorLevel.SUBHEADING)


def name_languages() -> list[str]:
    """The languages an HS name is translated into: every portal language but the nomenclature's
    own English (a language added to the portal adds its column to the files)."""
    return [language for language in portal_languages() if language != Sector.ORIGINAL_LANGUAGE]


def _saved_fields() -> list[tuple[str, str]]:
    """(field, attribute) pairs an import writes and compares."""
    return [
        ("level", "level"),
        ("name", "name"),  # the base column (read from __dict__: `name` reads the reader's language)
        ("name_en", "name_en"),
        *((localized_name("name", language),) * 2 for language in name_languages()),
        ("edited_names", "edited_names"),
        ("search_keys", "search_keys"),
        ("parent", "parent_id"),
        ("section", "section_id"),
        ("position", "position"),
    ]


_BATCH_SIZE = 1000
_NAME_MAX = Sector._meta.get_field("name").max_length

_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


class HSImportError(Exception):
    """The file cannot be imported at all (missing, unreadable, wrong columns)."""


class SkippedRow(NamedTuple):
    line: int  # the physical line in the CSV file; the header is line 1
    code: str
    reason: str


@dataclass
class HSImportReport:
    """What an import did; the counts cover sections and codes alike."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)
    # Names left out, each with its file's line (the code is imported all the same).
    names_ignored: list[SkippedRow] = field(default_factory=list)


def roman_to_int(numeral: str) -> int:
    """The value of a roman numeral ("XVI" → 16); ValueError for anything else."""
    if not numeral or not ROMAN_NUMERAL.fullmatch(numeral):
        raise ValueError(f"not a roman numeral: {numeral!r}")
    values = [_ROMAN_VALUES[letter] for letter in numeral]
    return sum(
        -value if value < after else value for value, after in zip(values, [*values[1:], 0], strict=True)
    )


def clean_name(text: str) -> str:
    """A description as stored: single spaces, no padding."""
    return " ".join(text.split())


def section_name(text: str) -> str:
    """`sections.csv` starts one name in lower case ("live animals; …")."""
    text = clean_name(text)
    return text[:1].upper() + text[1:]


# --- Import -------------------------------------------------------------------


@transaction.atomic
def import_hs_codes(*, path: str | Path) -> HSImportReport:
    """Create or update the sectors from an HS CSV file; idempotent, rows it cannot use are reported.

    Sections come from `sections.csv` beside the file (else the shipped one), the names in
    the other languages from `hs_names.csv` likewise (columns code, fa, ar, ru, tr), or from
    the file's own optional columns name_fa, name_ar, name_ru, name_tr, which win. The base
    name (and `name_en`) is the file's English description. A name an operator wrote (in
    the admin, or in a name column of an imported file: `Sector.edited_names`) is kept
    rather than the names file's; other names follow the files, and a name the files lack
    stays as it is. Nothing is ever deleted.

    Every row is checked against what `Sector` holds before anything is written, and a row
    the database refuses all the same is written alone, in a savepoint, and reported with
    its line: one bad row never costs the others. A bad name cell costs that name only, and
    is reported with its line (`names_ignored`).
    """
    path = Path(path)
    report = HSImportReport()
    name_columns = tuple(localized_name("name", language) for language in name_languages())
    rows = _read_csv(path, HS_COLUMNS, optional=name_columns, problems=report.skipped)
    section_rows = _read_csv(_beside(path, SECTIONS_FILE_NAME), SECTION_COLUMNS)
    names = _read_names(_beside(path, NAMES_FILE_NAME), report=report)
    existing = {sector.code: sector for sector in Sector.objects.select_for_update()}

    sections = _sections_from(section_rows)
    known_sections = {code for code, sector in existing.items() if sector.level == SectorLevel.SECTION}
    known_sections.update(node.code for node in sections)
    lines: dict[str, int] = {}
    codes = _codes_from(rows, known_sections=known_sections, existing=existing, report=report, lines=lines)
    written = _explicit_names(rows, accepted={node.code for node in codes}, report=report)
    _save([*sections, *codes], existing=existing, names=names, written=written, report=report, lines=lines)
    report.skipped.sort()
    report.names_ignored.sort()
    return report


def _beside(path: Path, name: str) -> Path:
    candidate = path.parent / name
    return candidate if candidate.is_file() else DATA_DIR / name


def _read_csv(
    path: Path,
    columns: tuple[str, ...],
    *,
    optional: tuple[str, ...] = (),
    problems: list[SkippedRow] | None = None,
    label: str = "",
) -> list[tuple[int, dict[str, str]]]:
    """The rows of a UTF-8 CSV file (byte-order mark or not) with the line each starts on:
    `columns` (all needed) and those of `optional` the file has.

    A row that cannot be read (a byte that is not UTF-8, broken quoting, a huge cell) is
    added to `problems` when it is given (its reason after `label`), and refuses the file
    otherwise (the small side files)."""
    try:
        text = csvfiles.decode(csvfiles.read_bytes(path))
    except csvfiles.CSVFileError as error:
        raise HSImportError(str(error)) from error
    records = csvfiles.records(text)
    first = next(records, None)
    header = [name.strip().lower() for name in (first.cells if first else [])]
    missing = [name for name in columns if name not in header]
    if missing:
        raise HSImportError(
            _("%(path)s lacks the column(s) %(missing)s; expected the columns %(expected)s.")
            % {"path": path, "missing": ", ".join(missing), "expected": ", ".join(columns)}
        )
    index = {name: header.index(name) for name in (*columns, *optional) if name in header}
    rows = []
    for record in records:
        if record.error:
            if problems is None:
                raise HSImportError(
                    _("Line %(line)d of %(path)s: %(error)s")
                    % {"line": record.line, "path": path, "error": record.error}
                )
            problems.append(SkippedRow(record.line, "", label + record.error))
            continue
        cells = [cell.strip() for cell in record.cells] + [""] * len(header)
        if any(cells):
            rows.append((record.line, {name: cells[i] for name, i in index.items()}))
    return rows


def _name_problem(text: str) -> str | None:
    return csvfiles.cell_problem(clean_name(text), max_length=_NAME_MAX, multiline=True)


def _kept(
    problem: str | None,
    report: HSImportReport,
    line: int,
    code: str,
    message: str,
    prefix: str = "",
    **values,
) -> bool:
    """True for a name without a problem; otherwise the name is reported as left out."""
    if problem:
        report.names_ignored.append(SkippedRow(line, code, prefix + message % {**values, "problem": problem}))
    return not problem


def _read_names(path: Path, *, report: HSImportReport) -> dict[str, dict[str, str]]:
    """The names file: {code: {language: name}}. Its language columns are named by the language
    ("fa", or "name_fa"); a file needs the code column and one of them. A row or a cell that
    cannot be used is reported in `report.names_ignored`, with the file's name and line."""
    label = f"{path.name}: "
    aliases = {
        column: language
        for language in name_languages()
        for column in (language, localized_name("name", language))
    }
    rows = _read_csv(
        path, (NAMES_CODE_COLUMN,), optional=tuple(aliases), problems=report.names_ignored, label=label
    )
    if rows and not set(rows[0][1]) & set(aliases):
        raise HSImportError(
            _("%(path)s has no name column; expected %(code)s and some of %(columns)s.")
            % {"path": path, "code": NAMES_CODE_COLUMN, "columns": ", ".join(name_languages())}
        )
    names: dict[str, dict[str, str]] = {}
    for line, row in rows:
        code = row[NAMES_CODE_COLUMN].upper()
        for column, language in aliases.items():
            text = row.get(column, "")
            if not text:
                continue
            problem = _name_problem(text)
            message = _("the %(language)s name %(problem)s")
            if _kept(problem, report, line, code, message, prefix=label, language=language):
                names.setdefault(code, {})[language] = clean_name(text)
    return names


def _explicit_names(rows, *, accepted: set[str], report: HSImportReport) -> dict[str, dict[str, str]]:
    """The names written in the imported file's own name columns, of the codes it imports."""
    written: dict[str, dict[str, str]] = {}
    for line, row in rows:
        code = row["hscode"]
        if code not in accepted:
            continue
        for language in name_languages():
            column = localized_name("name", language)
            text = row.get(column, "")
            if not text:
                continue
            problem = _name_problem(text)
            if _kept(problem, report, line, code, _("%(column)s: the name %(problem)s"), column=column):
                written.setdefault(code, {})[language] = clean_name(text)
    return written


def _sections_from(rows: list[tuple[int, dict[str, str]]]) -> list[Sector]:
    sections = []
    for line, row in rows:
        code = row["section"].upper()
        problem = csvfiles.cell_problem(section_name(row["name"]), max_length=_NAME_MAX)
        if problem:
            raise HSImportError(
                _("Line %(line)d of the sections file: the name %(problem)s.")
                % {"line": line, "problem": problem}
            )
        try:
            position = roman_to_int(code)
        except ValueError:
            raise HSImportError(
                _("Line %(line)d of the sections file: %(code)r is not a roman numeral.")
                % {"line": line, "code": code}
            ) from None
        sections.append(
            Sector(code=code, level=SectorLevel.SECTION, name=section_name(row["name"]), position=position)
        )
    return sections


def _codes_from(
    rows,
    *,
    known_sections: set[str],
    existing: dict[str, Sector],
    report: HSImportReport,
    lines: dict[str, int],
) -> list[Sector]:
    """The chapters, headings and subheadings of the rows that pass every check, parents first."""
    first_line: dict[str, int] = {}
    by_level: dict[int, list[tuple[int, dict[str, str], str | None]]] = {level: [] for level in CODE_LEVELS}
    for line, row in rows:
        code = row["hscode"]
        # Chapter 99 lies outside the 21 sections: Comtrade files it under TOTAL.
        section = None if row["section"] == TOTAL and code.startswith(UNSPECIFIED_CHAPTER) else row["section"]
        reason = _row_problem(row, first_line=first_line)
        if reason is None and section is not None and section not in known_sections:
            reason = _("unknown section %(section)r") % {"section": row["section"]}
        if reason:
            report.skipped.append(SkippedRow(line, code, reason))
        else:
            by_level[int(row["level"])].append((line, row, section))
            first_line[code] = line

    accepted: dict[str, Sector] = {}
    for level in CODE_LEVELS:
        for line, row, section in by_level[level]:
            reason = _parent_problem(row, level=level, section=section, accepted=accepted, existing=existing)
            if reason:
                report.skipped.append(SkippedRow(line, row["hscode"], reason))
                continue
            accepted[row["hscode"]] = Sector(
                code=row["hscode"],
                level=level,
                name=clean_name(row["description"]),
                # The file gives TOTAL as a chapter's parent; the tree hangs chapters on their section.
                parent_id=section if level == SectorLevel.CHAPTER else row["parent"],
                section_id=section,
            )
            lines[row["hscode"]] = line
    return list(accepted.values())


def _row_problem(row: dict[str, str], *, first_line: dict[str, int]) -> str | None:
    code, level = row["hscode"], row["level"]
    if code == TOTAL:
        return _("total row, not a code")
    if level not in {str(value) for value in CODE_LEVELS}:
        return _("unknown level %(level)r (expected 2, 4 or 6)") % {"level": level}
    if not (code.isascii() and code.isdigit() and len(code) == int(level)):
        return _("code %(code)r is not a %(level)s-digit number") % {"code": code, "level": level}
    if code in first_line:
        return _("duplicate code, first on line %(line)d") % {"line": first_line[code]}
    if not row["description"]:
        return _("description missing")
    problem = csvfiles.cell_problem(clean_name(row["description"]), max_length=_NAME_MAX, multiline=True)
    if problem:
        return _("the description %(problem)s") % {"problem": problem}
    return None


def _parent_problem(
    row, *, level: int, section: str | None, accepted: dict[str, Sector], existing: dict[str, Sector]
):
    code, parent = row["hscode"], row["parent"]
    if not parent:
        return _("parent missing")
    if level == SectorLevel.CHAPTER:
        if parent not in (TOTAL, row["section"]):
            return _("unknown parent %(parent)r (a chapter's parent is TOTAL or its section)") % {
                "parent": parent
            }
        return None
    if parent != code[:-2]:
        return _("parent %(parent)r does not match the code") % {"parent": parent}
    above = accepted.get(parent) or existing.get(parent)
    if above is None or above.level != level - 2:
        return _("unknown parent %(parent)r") % {"parent": parent}
    if above.section_id != section:
        return _("section %(section)r differs from the parent's (%(parent_section)s)") % {
            "section": row["section"],
            "parent_section": above.section_id or TOTAL,
        }
    return None


def _stored(node: Sector, attribute: str):
    """What is stored: the base `name` (its descriptor reads the reader's language); no name is None."""
    if attribute == "name":
        return node.__dict__.get("name")
    value = getattr(node, attribute)
    return (value or None) if attribute.startswith("name_") else value


def _names_of(
    node: Sector, current: Sector | None, *, names: dict[str, str], written: dict[str, str]
) -> None:
    """Set the names of `node` in the other languages: written in the imported file (marked
    edited), else an operator's edit, else the names file's, else what the database holds."""
    edited = list(current.edited_names) if current else []
    for language in name_languages():
        column = localized_name("name", language)
        held = getattr(current, column, None) if current else None
        if written.get(language):
            value = written[language]
            edited += [language] if language not in edited else []
        elif held and language in edited:
            value = held
        else:
            value = names.get(language) or held
        setattr(node, column, value or None)
    node.edited_names = edited


def _save(
    nodes: list[Sector],
    *,
    existing: dict[str, Sector],
    names: dict[str, dict[str, str]],
    written: dict[str, dict[str, str]],
    report: HSImportReport,
    lines: dict[str, int],
) -> None:
    to_create: list[Sector] = []
    # Rows grouped by the fields that changed: an UPDATE names only those (a new edition mostly renames).
    to_update: dict[tuple[str, ...], list[Sector]] = {}
    saved_fields = _saved_fields()
    for node in nodes:
        current = existing.get(node.code)
        node.name_en = node.__dict__["name"]
        _names_of(node, current, names=names.get(node.code, {}), written=written.get(node.code, {}))
        node.search_keys = sector_search_keys(node)
        if current is None:
            to_create.append(node)
            continue
        changed = tuple(
            name
            for name, attribute in saved_fields
            if _stored(current, attribute) != _stored(node, attribute)
        )
        if changed:
            to_update.setdefault(changed, []).append(node)
        else:
            report.unchanged += 1
    try:
        # bulk_update reads `name` through its descriptor, which gives English under "en".
        with transaction.atomic(), translation.override("en"):
            Sector.objects.bulk_create(to_create, batch_size=_BATCH_SIZE)
            for fields, group in to_update.items():
                Sector.objects.bulk_update(group, fields, batch_size=_BATCH_SIZE)
        report.created = len(to_create)
        report.updated = sum(len(group) for group in to_update.values())
    except (DatabaseError, ValueError):  # ValueError: the driver's, for a NUL
        # Something the checks let through: row by row, each in its own savepoint.
        _save_one_by_one(to_create, to_update, report=report, lines=lines)
    # The words of the names written become the vocabulary typos are corrected against.
    add_terms(node.search_keys for node in [*to_create, *fields_of_nodes(to_update)])


def _save_one_by_one(
    to_create: list[Sector],
    to_update: dict[tuple[str, ...], list[Sector]],
    *,
    report: HSImportReport,
    lines: dict[str, int],
) -> None:
    refused: set[str] = set()
    fields_of = {node.code: fields for fields, group in to_update.items() for node in group}
    nodes = sorted([*to_create, *fields_of_nodes(to_update)], key=lambda node: (node.level, node.code))
    creating = {node.code for node in to_create}
    for node in nodes:  # parents first: a child of a refused parent is refused without a try
        line = lines.get(node.code, 0)
        if node.parent_id in refused:
            refused.add(node.code)
            report.skipped.append(
                SkippedRow(line, node.code, _("parent %(parent)r was refused") % {"parent": node.parent_id})
            )
            continue
        try:
            with transaction.atomic(), translation.override("en"):
                if node.code in creating:
                    Sector.objects.bulk_create([node])
                else:
                    Sector.objects.bulk_update([node], fields_of[node.code])
        except (DatabaseError, ValueError) as error:
            refused.add(node.code)
            report.skipped.append(
                SkippedRow(line, node.code, _("the database refused it: %(error)s") % {"error": error})
            )
            continue
        if node.code in creating:
            report.created += 1
        else:
            report.updated += 1


def fields_of_nodes(to_update: dict[tuple[str, ...], list[Sector]]) -> list[Sector]:
    return [node for group in to_update.values() for node in group]
