"""Bulk registration of producers from a chamber of commerce's member list (CSV or Excel).

The file format is documented in docs/import_producers.md. Every write goes
through the account and catalogue services, one transaction per row: a bad row
is reported by its physical line number (a workbook's row number) and skipped, the
good rows land, and running the same file again updates what the first run made. An
Excel workbook's first sheet is read (portal/xlsxfiles.py) into the same records a CSV
file gives, so both formats go through one parser. `ImportReport.rows` holds each row's
fate, which the staff import page shows. It lives in the catalogue, above accounts,
because it writes producers and their products.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Language, ProducerProfile, Role, User
from accounts.services import producer_profile_create, producer_profile_update, user_create
from portal import content, csvfiles, xlsxfiles
from portal.formatting import year_stored
from portal.normalization import normalize_text

from .invitations import BaseURLError, clean_base_url, send_and_record
from .models import Product
from .services import product_create, product_update

logger = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("email", "company_name")
CSV = "csv"
XLSX = "xlsx"


class ProducerImportError(Exception):
    """The file as a whole cannot be imported (missing, not UTF-8, no usable header)."""


# --- Reading cells -------------------------------------------------------------
# Cells arrive as text typed in Excel by people in Tabriz: Persian or Arabic
# digits, Persian separators, units in Persian. These turn them into what the
# services accept; the services still decide what is valid.

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_LIST_SEPARATORS = re.compile(r"[;|,،؛]")
_BLANK_MARKS = {"-", "–", "—"}
_YES = {normalize_text(word) for word in ("yes", "y", "true", "1", "بله", "بلی", "آری")}
_NO = {normalize_text(word) for word in ("no", "n", "false", "0", "خیر", "نه")}
_UNITS = {
    "units": ("unit", "units", "pc", "pcs", "piece", "pieces", "عدد", "دستگاه", "قطعه"),
    "sets": ("set", "sets", "دست", "ست"),
    "pairs": ("pair", "pairs", "جفت"),
    "kg": ("kg", "kgs", "kilogram", "kilograms", "کیلوگرم", "کیلو"),
    "tonnes": ("t", "ton", "tons", "tonne", "tonnes", "تن"),
    "litres": ("l", "litre", "litres", "liter", "liters", "لیتر"),
    "m2": ("m2", "sqm", "square metres", "square meters", "متر مربع"),
    "m3": ("m3", "cbm", "cubic metres", "cubic meters", "متر مکعب"),
}
_UNIT_ALIASES = {normalize_text(alias): unit for unit, aliases in _UNITS.items() for alias in aliases}
# Each interface language by its code, its English and Persian names and its own name.
_LANGUAGES = {
    "fa": ("fa", "farsi", "persian", "فارسی"),
    "en": ("en", "english", "انگلیسی"),
    "ar": ("ar", "arabic", "عربی", "العربية"),
    "ru": ("ru", "russian", "روسی", "русский"),
    "tr": ("tr", "turkish", "ترکی", "ترکی استانبولی", "türkçe", "turkce"),
}
_LANGUAGE_ALIASES = {normalize_text(alias): code for code, aliases in _LANGUAGES.items() for alias in aliases}
# Solar hijri years (۱۳۸۵) as Iranian registers write them; 1385 began in March 2006
# (portal.formatting.year_stored has the rule).
_SOLAR_HIJRI_YEARS = range(1200, 1500)


def _text(value: str) -> str:
    return value


def _number(value: str) -> str:
    """ASCII digits, Persian separators folded, thousands separators dropped: '۱۲٬۵۰۰' → '12500'."""
    text = normalize_text(value).replace(" ", "")
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    return text


_ISO_DATE = re.compile(r"^(\d{4})-\d{1,2}-\d{1,2}$")


def _year(value: str) -> str:
    """A year; a date's year (a spreadsheet's date cell arrives as 1999-03-21)."""
    text = _number(value)
    date = _ISO_DATE.match(text)
    if date:
        text = date.group(1)
    if text.isdigit() and int(text) in _SOLAR_HIJRI_YEARS:
        return str(year_stored(int(text), "fa"))
    return text


def _phone(value: str) -> str:
    return normalize_text(value)


def _list(value: str) -> list[str]:
    return [part for part in (p.strip() for p in _LIST_SEPARATORS.split(value)) if part]


def _unit(value: str) -> str:
    text = normalize_text(value)
    return _UNIT_ALIASES.get(text, text)


def _language(value: str) -> str:
    text = normalize_text(value)
    return _LANGUAGE_ALIASES.get(text, text)


def _yes_no(value: str) -> bool:
    text = normalize_text(value)
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValidationError(_("Enter yes or no."))


@dataclass(frozen=True)
class Column:
    """One CSV column: the service field it feeds, how its cell is read, its other spellings."""

    name: str
    step: str  # "account", "profile" or "product"
    field: str
    read: Callable[[str], Any] = _text
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("email", "account", "email", aliases=("email address", "login", "ایمیل", "پست الکترونیک")),
    Column("preferred_language", "account", "preferred_language", _language, aliases=("language", "زبان")),
    Column("company_name", "profile", "name", aliases=("company", "نام شرکت", "شرکت", "نام واحد")),
    Column(
        "contact_name", "profile", "contact_name", aliases=("contact", "contact person", "نام رابط", "رابط")
    ),
    Column("contact_email", "profile", "email", aliases=("ایمیل رابط",)),
    Column("phone", "profile", "phone", _phone, aliases=("telephone", "tel", "mobile", "تلفن", "شماره تماس")),
    Column("website", "profile", "website", aliases=("web", "url", "site", "وب‌سایت", "سایت")),
    Column("city", "profile", "city", aliases=("شهر",)),
    Column("province", "profile", "province", aliases=("state", "استان")),
    Column("description", "profile", "description", aliases=("about", "توضیحات", "معرفی")),
    Column("sectors", "profile", "sectors", _list, aliases=("hs_codes", "declared_sectors", "کدهای تعرفه")),
    Column(
        "target_markets", "profile", "target_markets", _list, aliases=("markets", "بازارهای هدف", "بازار هدف")
    ),
    Column(
        "export_experience", "profile", "export_experience", _list, aliases=("exported_to", "سوابق صادرات")
    ),
    Column("open_to_any_market", "profile", "open_to_any_market", _yes_no, aliases=("any_market",)),
    Column("certifications", "profile", "certifications", _list, aliases=("certificates", "گواهینامه‌ها")),
    Column("languages", "profile", "languages", _list, aliases=("languages_spoken", "زبان‌ها")),
    Column(
        "employees", "profile", "employees", _number, aliases=("employee_count", "تعداد کارکنان", "کارکنان")
    ),
    Column("founded", "profile", "founded", _year, aliases=("year_founded", "established", "سال تأسیس")),
    Column("product_name", "product", "name", aliases=("product", "نام محصول", "محصول")),
    Column("product_description", "product", "description", aliases=("توضیحات محصول",)),
    Column("hs_code", "product", "hs_code", aliases=("hs", "tariff_code", "کد تعرفه", "کد hs")),
    Column("annual_capacity", "product", "annual_capacity", _number, aliases=("capacity", "ظرفیت سالانه")),
    Column("capacity_unit", "product", "capacity_unit", _unit, aliases=("unit", "واحد", "واحد ظرفیت")),
    Column(
        "available_capacity",
        "product",
        "available_capacity",
        _number,
        aliases=("export_capacity", "ظرفیت قابل صادرات", "ظرفیت آزاد"),
    ),
    Column("moq", "product", "moq", _number, aliases=("minimum_order", "min_order", "حداقل سفارش")),
    Column("lead_time_days", "product", "lead_time_days", _number, aliases=("lead_time", "زمان تحویل")),
)


def _header_key(text: str) -> str:
    """'Company name', 'company_name' and 'CompanyName' alike; Persian with or without ZWNJ or space."""
    return re.sub(r"[\s_\-]+", "", normalize_text(text))


_MULTILINE = {"description", "product_description"}


def _max_lengths() -> dict[str, int]:
    """Each text column's limit: its model field's max_length (lists and numbers are checked
    item by item by the services)."""
    owners = {"account": User, "profile": ProducerProfile, "product": Product}
    limits = {}
    for column in COLUMNS:
        if column.read not in (_text, _phone):  # read into a code (a unit, a language): a choice
            continue
        try:
            model_field = owners[column.step]._meta.get_field(column.field)
        except Exception:
            continue
        if isinstance(model_field, models.CharField | models.TextField) and model_field.max_length:
            if getattr(model_field, "multiple", False):  # a list of countries
                continue
            limits[column.name] = model_field.max_length
    return limits


_MAX_LENGTHS = _max_lengths()

_COLUMNS_BY_KEY = {
    _header_key(alias): column for column in COLUMNS for alias in (column.name, *column.aliases)
}
# A service's field name → the column a reason names, per step.
_REASON_COLUMNS = {
    step: {column.field: column.name for column in COLUMNS if column.step == step}
    for step in ("account", "profile", "product")
}
_REASON_COLUMNS["account"].update({"full_name": "contact_name"})
_REASON_COLUMNS["profile"].update({"owner": "email"})


# --- The report ------------------------------------------------------------------


@dataclass
class SkippedRow:
    line: int
    reasons: list[str]

    def __str__(self) -> str:
        return _("line %(line)d: %(reasons)s") % {"line": self.line, "reasons": "; ".join(self.reasons)}


class Fate:
    """What became of a row (RowOutcome.fate)."""

    IMPORTED = "imported"  # written (or, in a dry run, would be)
    SKIPPED = "skipped"  # a bad row: nothing of it written
    REFUSED = "refused"  # a producer the import did not make: nothing of it written


CREATED = "created"
UPDATED = "updated"


@dataclass
class RowOutcome:
    """One row's fate, for the import page: by line, with the company it names and what
    happened to its account, profile and product (or why nothing did)."""

    line: int
    email: str = ""
    company: str = ""
    fate: str = Fate.IMPORTED
    user_created: bool = False
    profile: str = ""  # CREATED, UPDATED or "" (unchanged)
    product: str = ""  # CREATED, UPDATED or "" (no product on the row)
    product_name: str = ""
    reasons: list[str] = field(default_factory=list)
    invitation: str = ""  # "queued" (dry run), "sent", "failed" or "" (none for this row)


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would have done)."""

    dry_run: bool = False
    file_format: str = CSV
    rows_read: int = 0
    users_created: int = 0
    profiles_created: int = 0
    profiles_updated: int = 0
    products_created: int = 0
    products_updated: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)
    # Rows naming a producer the import did not make (or who took their profile over): not
    # applied, and listed apart from the bad rows.
    refused: list[SkippedRow] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    invitations_queued: int = 0
    invitations_sent: int = 0
    invitation_failures: list[str] = field(default_factory=list)
    rows: list[RowOutcome] = field(default_factory=list)  # every row read, in file order

    @property
    def rows_skipped(self) -> int:
        return len(self.skipped)

    @property
    def rows_refused(self) -> int:
        return len(self.refused)

    @property
    def rows_imported(self) -> int:
        return sum(1 for row in self.rows if row.fate == Fate.IMPORTED)


# --- Invitations -----------------------------------------------------------------


def _clean_base_url(value: str | None) -> str:
    try:
        return clean_base_url(value)
    except BaseURLError as error:
        raise ProducerImportError(str(error)) from None


# --- Reading the file ------------------------------------------------------------


@dataclass
class _Table:
    file_format: str
    records: list[csvfiles.Record]


def _read_table(*, path: str | Path | None, file: IO | None) -> _Table:
    """The file's records, CSV or the first sheet of an Excel workbook, told apart by their
    content (a zip is a workbook) and by the name for a file that claims to be one."""
    try:
        if path is not None:
            raw, name = csvfiles.read_bytes(path), str(path)
        else:
            raw, name = file.read(csvfiles.MAX_FILE_BYTES + 1), str(getattr(file, "name", "") or "")
        if isinstance(raw, bytes) and (
            xlsxfiles.looks_like_xlsx(raw)
            or xlsxfiles.looks_like_ole(raw)
            or name.lower().endswith(xlsxfiles.XLSX_SUFFIXES)
        ):
            return _Table(XLSX, xlsxfiles.records(raw))
        text = csvfiles.decode(raw)
        return _Table(CSV, list(csvfiles.records(text, delimiter=csvfiles.delimiter_of(text))))
    except csvfiles.CSVFileError as error:
        raise ProducerImportError(str(error)) from None


@dataclass
class _Header:
    columns: dict[int, Column]  # cell index → column
    ignored: list[str]
    width: int


def _read_header(cells: list[str]) -> _Header:
    columns: dict[int, Column] = {}
    ignored: list[str] = []
    seen: dict[str, str] = {}
    for index, cell in enumerate(cells):
        title = cell.strip().removeprefix("\ufeff")
        if not title:
            continue
        column = _COLUMNS_BY_KEY.get(_header_key(title))
        if column is None:
            ignored.append(title)
            continue
        if column.name in seen:
            raise ProducerImportError(
                _("The header names the column %(column)s twice (“%(first)s” and “%(second)s”).")
                % {"column": column.name, "first": seen[column.name], "second": title}
            )
        seen[column.name] = title
        columns[index] = column
    missing = [name for name in REQUIRED_COLUMNS if name not in seen]
    if missing:
        raise ProducerImportError(
            _(
                "Line 1 must be a header naming the columns; it lacks the required column(s) %(missing)s. "
                "See docs/import_producers.md for the columns."
            )
            % {"missing": ", ".join(missing)}
        )
    return _Header(columns=columns, ignored=ignored, width=len(cells))


def _rows(table: _Table) -> tuple[_Header, list[tuple[int, list[str] | str]]]:
    """The header, then (line where the record starts, its cells or why it cannot be read):
    the physical line of a CSV file, the row number of a sheet."""
    records = iter(table.records)
    header_record = next(records, None)
    if header_record is not None and header_record.error:
        if table.file_format == XLSX:
            raise ProducerImportError(_("Row 1 cannot be read: %(error)s") % {"error": header_record.error})
        raise ProducerImportError(_("Line 1 is not valid CSV: %(error)s") % {"error": header_record.error})
    if header_record is None or not any(cell.strip() for cell in header_record.cells):
        raise ProducerImportError(_("The file is empty: line 1 must be a header naming the columns."))
    header = _read_header(header_record.cells)
    return header, [(record.line, record.error if record.error else record.cells) for record in records]


def _data_rows(rows: list[tuple[int, list[str] | str]]) -> int:
    return sum(1 for _line, cells in rows if isinstance(cells, str) or any(cell.strip() for cell in cells))


# --- Importing -------------------------------------------------------------------


class _RowRejected(Exception):
    def __init__(self, reasons: list[str]) -> None:
        super().__init__(reasons)
        self.reasons = reasons


class _RowRefused(Exception):
    """The row names a producer the import may not change: said apart from the bad rows."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _DryRunRollback(Exception):
    pass


@contextmanager
def _step(name: str) -> Iterator[None]:
    """Turn a service's refusal into the row's reasons, named by CSV column."""
    columns = _REASON_COLUMNS[name]
    try:
        yield
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            reasons = [
                f"{columns.get(field, field)}: {message}"
                for field, messages in error.message_dict.items()
                for message in messages
            ]
        else:
            reasons = [f"{name}: {message}" for message in error.messages]
        raise _RowRejected(reasons) from error
    except PermissionDenied as error:
        raise _RowRejected([f"{name}: {error}"]) from error


@dataclass
class _RowResult:
    user_created: bool = False
    profile_id: int | None = None
    profile_created: bool = False
    profile_updated: bool = False
    product_id: int | None = None
    product_created: bool = False
    product_updated: bool = False
    invited: bool = False


class _Importer:
    def __init__(self, *, base_url: str, send_invitations: bool, dry_run: bool, file_format: str) -> None:
        self.base_url = base_url
        self.send_invitations = send_invitations
        self.report = ImportReport(dry_run=dry_run, file_format=file_format)
        self._profiles_created: set[int] = set()
        self._profiles_updated: set[int] = set()
        self._products_created: set[int] = set()
        self._products_updated: set[int] = set()

    def run(self, header: _Header, records: list[tuple[int, list[str] | str]]) -> ImportReport:
        self.report.ignored_columns = header.ignored
        for line, cells in records:
            if isinstance(cells, str):
                self.report.rows_read += 1
                outcome = RowOutcome(line=line)
                self.report.rows.append(outcome)
                self._skip(outcome, [cells])
                continue
            if not any(cell.strip() for cell in cells):
                continue  # blank lines, as spreadsheets leave at the end
            self.report.rows_read += 1
            outcome = RowOutcome(line=line, **_identity(header, cells))
            self.report.rows.append(outcome)
            self._import_record(outcome, header, cells)
        report = self.report
        report.profiles_created = len(self._profiles_created)
        report.profiles_updated = len(self._profiles_updated - self._profiles_created)
        report.products_created = len(self._products_created)
        report.products_updated = len(self._products_updated - self._products_created)
        return report

    def _skip(self, outcome: RowOutcome, reasons: list[str]) -> None:
        outcome.fate, outcome.reasons = Fate.SKIPPED, reasons
        self.report.skipped.append(SkippedRow(line=outcome.line, reasons=reasons))

    def _import_record(self, outcome: RowOutcome, header: _Header, cells: list[str]) -> None:
        line = outcome.line
        if any(cell.strip() for cell in cells[header.width :]):
            self._skip(
                outcome,
                [
                    _("the row has %(cells)d cells but the header only %(columns)d columns")
                    % {"cells": len(cells), "columns": header.width}
                ],
            )
            return
        try:
            values = _read_cells(header, cells)
            with transaction.atomic():
                result = self._write(outcome, values)
        except _RowRejected as rejected:
            self._skip(outcome, rejected.reasons)
            return
        except _RowRefused as refused:
            outcome.fate, outcome.reasons = Fate.REFUSED, [refused.reason]
            self.report.refused.append(SkippedRow(line=line, reasons=[refused.reason]))
            return
        except (DatabaseError, ValueError) as error:
            # A concurrent write (say, the same email registered meanwhile), or a value the
            # checks let through and the database (or its driver: a NUL) does not: the row
            # alone rolled back.
            logger.warning("import_producers: line %d refused by the database: %s", line, error)
            self._skip(outcome, [_("the database refused the row: %(error)s") % {"error": error}])
            return
        self._count(result)
        outcome.user_created = result.user_created
        outcome.profile = CREATED if result.profile_created else UPDATED if result.profile_updated else ""
        outcome.product = CREATED if result.product_created else UPDATED if result.product_updated else ""
        if result.invited and self.report.dry_run:
            outcome.invitation = "queued"

    def _count(self, result: _RowResult) -> None:
        if result.user_created:
            self.report.users_created += 1
        if result.invited:
            self.report.invitations_queued += 1
        if result.profile_created:
            self._profiles_created.add(result.profile_id)
        elif result.profile_updated:
            self._profiles_updated.add(result.profile_id)
        if result.product_created:
            self._products_created.add(result.product_id)
        elif result.product_updated:
            self._products_updated.add(result.product_id)

    def _write(self, outcome: RowOutcome, values: dict[str, dict[str, Any]]) -> _RowResult:
        result = _RowResult()
        account, profile_data, product_data = values["account"], values["profile"], values["product"]
        email = str(account.get("email", "")).strip().lower()
        if not email:
            raise _RowRejected([f"email: {_('This field is required.')}"])
        if product_data and "name" not in product_data:
            raise _RowRejected([f"product_name: {_('This field is required.')}"])

        user = User.objects.filter(email__iexact=email).first()
        if user is not None and user.role != Role.PRODUCER:
            raise _RowRejected(
                [
                    "email: "
                    + _(
                        "%(email)s already has an account as %(role)s; only producer accounts can be imported."
                    )
                    % {"email": user.email, "role": Role(user.role).label}
                ]
            )
        if user is None:
            with _step("account"):
                user = user_create(
                    email=email,
                    password=None,
                    role=Role.PRODUCER,
                    full_name=profile_data.get("contact_name", ""),
                    preferred_language=account.get("preferred_language") or Language.PERSIAN,
                    verified=True,
                )
            result.user_created = True

        # The import acts as each producer: the same policies as the producer's own edits
        # apply, and no staff account is needed to run it.
        profile = ProducerProfile.objects.filter(owner=user).first()
        if not result.user_created:
            _refuse_unless_imported(user, profile)
        with _step("profile"):
            if profile is None:
                # The login doubles as the public contact address unless the file gives another.
                profile_data.setdefault("email", user.email)
                profile = producer_profile_create(actor=user, data=profile_data)
                ProducerProfile.objects.filter(pk=profile.pk).update(imported_at=timezone.now())
                result.profile_created = True
            elif profile_data:
                profile = producer_profile_update(profile=profile, actor=user, data=profile_data)
                result.profile_updated = True
        result.profile_id = profile.pk
        outcome.company = outcome.company or profile.name

        if product_data:
            product = self._product_named(profile, product_data["name"])
            with _step("product"):
                if product is None:
                    product = product_create(producer=profile, actor=user, data=product_data)
                    result.product_created = True
                else:
                    product = product_update(product=product, actor=user, data=product_data)
                    result.product_updated = True
            result.product_id = product.pk
            outcome.product_name = content.original_text(product, "name")

        if result.user_created and self.send_invitations:
            result.invited = True
            if not self.report.dry_run:
                transaction.on_commit(self._invitation(user, outcome))
        return result

    @staticmethod
    def _product_named(profile: ProducerProfile, name: str) -> Product | None:
        """The producer's product of this name, Persian spelling variants and case aside."""
        wanted = normalize_text(name)
        same = [
            p
            for p in Product.objects.filter(producer=profile).only("id", "name")
            if normalize_text(content.original_text(p, "name")) == wanted
        ]
        if len(same) > 1:
            raise _RowRejected(
                [
                    "product_name: "
                    + _(
                        "this producer has %(n)d products named “%(name)s”; rename all but one in the portal."
                    )
                    % {"n": len(same), "name": name}
                ]
            )
        return same[0] if same else None

    def _invitation(self, user: User, outcome: RowOutcome) -> Callable[[], None]:
        def send() -> None:
            # The account is committed; a mail server that is down must not stop the other
            # rows: the failure is recorded (catalogue.invitations) for staff to send again.
            error = send_and_record(user=user, base_url=self.base_url)
            if error:
                outcome.invitation = "failed"
                self.report.invitation_failures.append(
                    _("line %(line)d: the invitation to %(email)s was not sent: %(error)s")
                    % {"line": outcome.line, "email": user.email, "error": error}
                )
            else:
                outcome.invitation = "sent"
                self.report.invitations_sent += 1

        return send


def _refuse_unless_imported(user: User, profile: ProducerProfile | None) -> None:
    """An import changes only what an import made, and only until its producer takes it over:
    not a self-registered producer's (or staff's) account or profile, nor an imported one
    whose producer has signed in since."""
    if profile is None or profile.imported_at is None:
        raise _RowRefused(
            _(
                "%(email)s registered on the portal themselves; the import changes nothing of "
                "theirs (their company profile and contacts are their own)."
            )
            % {"email": user.email}
        )
    if user.last_login is not None:
        raise _RowRefused(
            _(
                "%(email)s has signed in since the import made their profile; they keep it up to "
                "date themselves, and the import no longer changes it."
            )
            % {"email": user.email}
        )


def _identity(header: _Header, cells: list[str]) -> dict[str, str]:
    """The row's email and company name as written, to name the row on the page."""
    found = {"email": "", "company": ""}
    for index, column in header.columns.items():
        if column.name in ("email", "company_name") and index < len(cells):
            found["email" if column.name == "email" else "company"] = cells[index].strip()[:200]
    return found


def _read_cells(header: _Header, cells: list[str]) -> dict[str, dict[str, Any]]:
    """The row's non-blank cells, read per column and grouped by step; a blank cell changes nothing.
    Every cell is first checked against what its field can hold (no control characters, no
    line break in a single line, not too long), so nothing of a bad row reaches the database."""
    values: dict[str, dict[str, Any]] = {"account": {}, "profile": {}, "product": {}}
    reasons: list[str] = []
    for index, column in header.columns.items():
        cell = cells[index].strip() if index < len(cells) else ""
        if not cell or cell in _BLANK_MARKS:
            continue
        problem = csvfiles.cell_problem(
            cell, max_length=_MAX_LENGTHS.get(column.name), multiline=column.name in _MULTILINE
        )
        if problem:
            reasons.append(f"{column.name}: {problem}")
            continue
        try:
            values[column.step][column.field] = column.read(cell)
        except ValidationError as error:
            reasons += [f"{column.name}: {message}" for message in error.messages]
    if reasons:
        raise _RowRejected(reasons)
    return values


def import_producers(
    *,
    path: str | Path | None = None,
    file: IO | None = None,
    base_url: str | None = None,
    send_invitations: bool = True,
    dry_run: bool = False,
    max_rows: int | None = None,
) -> ImportReport:
    """Register or update producers, their profiles and products from a member list: a CSV
    file or an Excel workbook's first sheet (told apart by content).

    Give `path` or an open `file` (bytes or text; an upload's `name` says .xlsx). Each row is
    one transaction; bad rows are skipped and listed in the report, and `report.rows` says
    each row's fate. New users get an invitation to set their password once their row
    commits; `dry_run` writes nothing. With `max_rows`, a file of more rows (the header and
    blank lines aside) is refused as a whole before any row is read.
    """
    if (path is None) == (file is None):
        raise TypeError("Give exactly one of path or file.")
    base = _clean_base_url(base_url)
    table = _read_table(path=path, file=file)
    header, records = _rows(table)
    if max_rows is not None and _data_rows(records) > max_rows:
        raise ProducerImportError(
            _("The file has %(rows)s rows; at most %(max)s can be imported here at once: split it.")
            % {"rows": f"{_data_rows(records):,}", "max": f"{max_rows:,}"}
        )
    importer = _Importer(
        base_url=base, send_invitations=send_invitations, dry_run=dry_run, file_format=table.file_format
    )
    if not dry_run:
        return importer.run(header, records)
    try:
        with transaction.atomic():
            report = importer.run(header, records)
            raise _DryRunRollback
    except _DryRunRollback:
        pass
    return report
