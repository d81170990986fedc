"""Reading the CSV files the management commands import, so that one bad row costs one row.

Shared by `import_producers` (catalogue/imports.py) and `import_hs_codes` (taxonomy/hs.py):

- the file is refused as a whole, with a message saying why, only when it cannot be read as
  a table at all: missing, larger than `MAX_FILE_BYTES`, or not UTF-8 text (its first line, or
  most of its lines, are not);
- otherwise each record comes with the physical line it starts on (the header is line 1; a
  quoted cell spanning lines counts each), and a record that cannot be read is an error for
  that line only: a byte that is not UTF-8, a cell longer than `MAX_CELL_CHARS`, broken
  quoting;
- `cell_problem` names what the database or a single-line field cannot hold: NUL and other
  control characters, line breaks where one line is expected, more characters than the field
  allows. The importers check every cell with it before writing anything of the row.

CRLF, LF and CR line ends and a UTF-8 byte-order mark are all accepted.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

MAX_FILE_BYTES = 50 * 1024 * 1024  # a province's member list is well under 1 MB
MAX_CELL_CHARS = 20_000  # above every text field the imports fill

# C0 and C1 control characters, DEL and the non-characters: never in a name or a description
# (tab, line feed and carriage return are judged apart).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_LINE_BREAK = re.compile(r"[\r\n\u2028\u2029\x85]")
_UNDECODABLE = re.compile(r"[\udc80-\udcff]")


class CSVFileError(Exception):
    """The file as a whole cannot be read as a table."""


def read_bytes(path: str | Path) -> bytes:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CSVFileError(
                _("%(path)s is %(size)d MB; at most %(max)d MB can be imported at once: split it.")
                % {"path": path, "size": size // 2**20, "max": MAX_FILE_BYTES // 2**20}
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise CSVFileError(_("No such file: %(path)s") % {"path": path}) from None
    except IsADirectoryError:
        raise CSVFileError(_("%(path)s is a folder, not a CSV file.") % {"path": path}) from None
    except OSError as error:
        raise CSVFileError(
            _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror or error}
        ) from None


def not_utf8_message(line: int, byte: int) -> str:
    return _(
        "The file is not UTF-8 text (line %(line)d has the byte 0x%(byte)02x). Save it as "
        "“CSV UTF-8” (Excel) or with the UTF-8 character set (LibreOffice); files saved as "
        "Windows-1256 (Arabic) or UTF-16 must be saved again as UTF-8."
    ) % {"line": line, "byte": byte}


def decode(raw: bytes | str) -> str:
    """The text, with a stray byte that is not UTF-8 kept as a marker its row is refused for
    (`undecodable`); the whole file is refused when its first line, or half its other lines
    or more, are not UTF-8 (a file saved in another character set, not a stray byte)."""
    if isinstance(raw, str):
        return raw.removeprefix("\ufeff")
    if len(raw) > MAX_FILE_BYTES:
        raise CSVFileError(
            _("The file is larger than %(max)d MB: split it.") % {"max": MAX_FILE_BYTES // 2**20}
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        first = error
    text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="surrogateescape")
    lines = text.splitlines() or [""]
    data = [line for line in lines[1:] if line.strip()]
    bad = sum(1 for line in data if _UNDECODABLE.search(line))
    if _UNDECODABLE.search(lines[0]) or bad * 2 >= max(1, len(data)):
        line = raw[: first.start].count(b"\n") + 1
        raise CSVFileError(not_utf8_message(line, raw[first.start]))
    return text


def undecodable(cells: list[str]) -> str | None:
    """Why a record holding a byte that was not UTF-8 is refused."""
    for cell in cells:
        found = _UNDECODABLE.search(cell)
        if found:
            byte = ord(found.group()) - 0xDC00
            return _("the row is not UTF-8 text (it has the byte 0x%(byte)02x); save the file as UTF-8") % {
                "byte": byte
            }
    return None


def delimiter_of(text: str) -> str:
    """Comma, semicolon or tab, whichever the header line uses most (Excel's choice varies)."""
    first_line = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


@dataclass
class Record:
    line: int  # where the record starts
    cells: list[str]
    error: str | None = None  # the record could not be read: why


def records(text: str, delimiter: str = ",") -> Iterator[Record]:
    """Every record of the text, the header included (line 1), each with the line it starts on
    and an error instead of its cells when it cannot be read. Never raises for the content."""
    previous = csv.field_size_limit()
    csv.field_size_limit(MAX_CELL_CHARS)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
        while True:
            start = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                message = str(error)
                if "field larger than field limit" in message:
                    message = _("a cell is longer than %(n)d characters") % {"n": MAX_CELL_CHARS}
                yield Record(start, [], _("not valid CSV: %(error)s") % {"error": message})
                continue
            problem = undecodable(cells)
            yield Record(start, [] if problem else cells, problem)
    finally:
        csv.field_size_limit(previous)


def cell_problem(value: str, *, max_length: int | None = None, multiline: bool = False) -> str | None:
    """What in the cell no field may hold, or None: control characters (NUL included), a line
    break in a single-line field, more than `max_length` characters."""
    found = _CONTROL.search(value)
    if found:
        return _("contains the control character U+%(code)04X, which is not allowed") % {
            "code": ord(found.group())
        }
    if not multiline and _LINE_BREAK.search(value):
        return _("contains a line break; this field is a single line")
    if max_length is not None and len(value) > max_length:
        return _("is %(length)d characters long; at most %(max)d are allowed") % {
            "length": len(value),
            "max": max_length,
        }
    return None
