"""Reading an Excel workbook (.xlsx) as the table the CSV importers read (portal/csvfiles.py).

The first worksheet becomes the same `csvfiles.Record`s a CSV file gives: each row with its
number in the sheet (the header is row 1, as Excel shows it) and its cells as text, so the
importers keep one parser for both formats. Excel's values become the text a person would
have typed: a whole number stored as 1998.0 is "1998", a long number (a phone number) is
written out in full, never in scientific notation, and keeps the leading zeros of a
zero-padded number format ("00000000000"); a date is "YYYY-MM-DD"; yes/no cells are
"true"/"false"; a formula gives the value Excel last computed.

A workbook is a zip of XML files, so what it costs to read is not its size on disk. Before
openpyxl parses anything (`check_workbook`), the file is refused, with a message saying why:

- when it is larger than `csvfiles.MAX_FILE_BYTES`;
- when it is not a zip at all (another file renamed .xlsx), when it is an OLE file (an Excel
  97-2003 .xls, or any password-protected Office file: both must be saved again as .xlsx),
  when the zip is damaged or truncated, when an entry is encrypted, and when it lacks the
  workbook's own parts (`[Content_Types].xml`, `xl/workbook.xml`: an .ods or .docx renamed);
- when its entries are too many or would unpack to more than `MAX_UNCOMPRESSED_BYTES` (a zip
  bomb); Python's zipfile never inflates an entry beyond the size its directory declares.

Then openpyxl reads it in read-only mode (row by row, not the whole tree; expat refuses
entity expansion bombs), and the sheet is refused when it has more than `MAX_ROWS` rows with
content; a row's cells beyond `MAX_COLUMNS` make that row an error, as a too-long CSV cell does.
The rows are all read before the first is returned, so a sheet refused for its size is refused
before anything of it is imported.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from decimal import Decimal
from typing import IO

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from .csvfiles import MAX_CELL_CHARS, MAX_FILE_BYTES, CSVFileError, Record

MAX_ROWS = 20_000  # rows with content, the header aside: a province's member list is far below
MAX_COLUMNS = 200
EXCEL_MAX_ROWS = 1_048_576
MAX_ENTRIES = 1_000
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
XLSX_SUFFIXES = (".xlsx", ".xlsm")
_REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
_ZERO_PADDED = re.compile(r"^0+$")


class XLSXFileError(CSVFileError):
    """The workbook as a whole cannot be read as a table."""


def looks_like_xlsx(head: bytes) -> bool:
    """Whether the file's first bytes are a zip's (what an .xlsx is), whatever its name."""
    return head.startswith(ZIP_MAGIC)


def looks_like_ole(head: bytes) -> bool:
    """An OLE compound file: an Excel 97-2003 workbook, or an encrypted (password) Office file."""
    return head.startswith(OLE_MAGIC)


def ole_message() -> str:
    return _(
        "This file is an Excel 97-2003 workbook (.xls) or is protected by a password. Open it in "
        "Excel or LibreOffice, remove the password if it has one, and save it as an Excel "
        "workbook (.xlsx) or as CSV UTF-8."
    )


def not_xlsx_message() -> str:
    return _(
        "This file is named as an Excel workbook (.xlsx) but is not one. Save the member list "
        "from Excel or LibreOffice as an Excel workbook (.xlsx) or as CSV UTF-8."
    )


def check_workbook(raw: bytes) -> None:
    """Refuse, before any XML is parsed, a file that is not a workbook or would cost too much."""
    if len(raw) > MAX_FILE_BYTES:
        raise XLSXFileError(
            _("The file is larger than %(max)d MB: split it.") % {"max": MAX_FILE_BYTES // 2**20}
        )
    if looks_like_ole(raw):
        raise XLSXFileError(ole_message())
    if not looks_like_xlsx(raw):
        raise XLSXFileError(not_xlsx_message())
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise XLSXFileError(_damaged_message()) from None
    if len(entries) > MAX_ENTRIES:
        raise XLSXFileError(_too_large_message())
    if any(entry.flag_bits & 0x1 for entry in entries):
        raise XLSXFileError(ole_message())
    if sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED_BYTES:
        raise XLSXFileError(_too_large_message())
    names = {entry.filename for entry in entries}
    if not all(part in names for part in _REQUIRED_PARTS):
        raise XLSXFileError(not_xlsx_message())


def records(source: bytes | IO[bytes]) -> list[Record]:
    """The first worksheet's rows, the header included (row 1), as CSV records. XLSXFileError
    when the workbook cannot be read or is too large (see the module's docstring)."""
    raw = source if isinstance(source, bytes) else source.read(MAX_FILE_BYTES + 1)
    check_workbook(raw)
    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # openpyxl's refusals are of many kinds (KeyError, XML errors, zip errors)
        raise XLSXFileError(_damaged_message()) from None
    try:
        if not workbook.worksheets:
            raise XLSXFileError(_("The workbook has no worksheet."))
        return _sheet_records(workbook.worksheets[0])
    except XLSXFileError:
        raise
    except Exception:  # a part that fails to parse only once its rows are read
        raise XLSXFileError(_damaged_message()) from None
    finally:
        workbook.close()


def _sheet_records(sheet) -> list[Record]:
    """The rows with content (blank rows are left out: the importers skip them anyway), and
    row 1 whatever it holds (the header: a blank one is refused as in a CSV file)."""
    sheet.reset_dimensions()  # the stored dimension may be wrong: read every row there is
    found: list[Record] = []
    blank = None
    for number, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS + 1), start=1):
        if number > EXCEL_MAX_ROWS:
            raise XLSXFileError(_damaged_message())
        if row is blank:  # openpyxl fills a gap in the rows with one and the same blank row
            continue
        cells = [cell_text(cell) for cell in row]
        while cells and not cells[-1].strip():
            cells.pop()
        if not cells:
            blank = row
            if number == 1:  # the header rule is the CSV's: row 1 names the columns
                found.append(Record(1, []))
            continue
        if len(found) > MAX_ROWS:  # the header is the first row with content
            raise XLSXFileError(
                _("The sheet has more than %(max)s rows: split it.") % {"max": f"{MAX_ROWS:,}"}
            )
        if len(cells) > MAX_COLUMNS:
            found.append(Record(number, [], _("the row has more than %(n)d columns") % {"n": MAX_COLUMNS}))
        elif any(len(cell) > MAX_CELL_CHARS for cell in cells):
            found.append(
                Record(number, [], _("a cell is longer than %(n)d characters") % {"n": MAX_CELL_CHARS})
            )
        else:
            found.append(Record(number, cells))
    return found


def cell_text(cell) -> str:
    """A cell's value as the text a person would have typed in a CSV file."""
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        text = number_text(value)
        number_format = getattr(cell, "number_format", "") or ""
        if _ZERO_PADDED.match(number_format) and text.isdigit():
            text = text.zfill(len(number_format))
        return text
    return str(value)


def number_text(value: int | float | Decimal) -> str:
    """1998.0 → "1998", 9.14123456e9 → "9141234560", 0.5 → "0.5": never an exponent."""
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        if value.is_integer():
            return str(int(value))
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


def _damaged_message() -> str:
    return _(
        "The Excel file cannot be read: it is damaged or incomplete (was the upload or the "
        "download cut short?). Open it in Excel or LibreOffice and save it again as .xlsx."
    )


def _too_large_message() -> str:
    return _(
        "The Excel file is too large to import once unpacked (at most %(max)d MB of content): "
        "split it, or save it as CSV UTF-8."
    ) % {"max": MAX_UNCOMPRESSED_BYTES // 2**20}
