"""Bulk registration of producers from a chamber of commerce's member list (CSV).

The file format is documented in docs/import_producers.md. Every write goes
through the account and catalogue services, one transaction per row: a bad row
is reported by its physical line number and skipped, the good rows land, and
running the same file again updates what the first run made. It lives in the
catalogue, above accounts, because it writes producers and their products.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from allauth.account.adapter import get_adapter
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Language, ProducerProfile, Role, User
from accounts.services import producer_profile_create, producer_profile_update, user_create
from portal import content, csvfiles, languages
from portal.formatting import year_stored
from portal.normalization import normalize_text

from .models import Product
from .services import product_create, product_update

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
INVITATION_TEMPLATE_PREFIX = "account/email/producer_invitation"
REQUIRED_COLUMNS = ("email", "company_name")


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


def _year(value: str) -> str:
    text = _number(value)
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


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would have done)."""

    dry_run: bool = False
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

    @property
    def rows_skipped(self) -> int:
        return len(self.skipped)

    @property
    def rows_refused(self) -> int:
        return len(self.refused)


# --- Invitations -----------------------------------------------------------------


def default_base_url() -> str:
    return getattr(settings, "PORTAL_BASE_URL", "") or DEFAULT_BASE_URL


def _clean_base_url(value: str | None) -> str:
    url = str(value or default_base_url()).strip().rstrip("/")
    if not re.match(r"^https?://[^/\s]+(/\S*)?$", url):
        raise ProducerImportError(
            _("The base URL must start with http:// or https://, e.g. https://exportbridge.example.")
        )
    return url


def producer_invitation_link(*, user: User, base_url: str) -> str:
    """An absolute link to allauth's set-password page, valid until the password changes or it expires."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )
    return _clean_base_url(base_url) + path


def send_producer_invitation(*, user: User, base_url: str) -> None:
    """Email an imported producer, in the user's language, a link to choose a password."""
    base_url = _clean_base_url(base_url)
    language = languages.supported_or_default(user.preferred_language)
    company = ProducerProfile.objects.filter(owner=user).values_list("name", flat=True).first() or ""
    with translation.override(language):
        context = {
            "user": user,
            "company_name": company,
            "set_password_url": producer_invitation_link(user=user, base_url=base_url),
            "password_reset_url": base_url + reverse("account_reset_password"),
            "base_url": base_url,
            "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        }
        get_adapter().send_mail(INVITATION_TEMPLATE_PREFIX, user.email, context)


# --- Reading the file ------------------------------------------------------------


def _read_text(*, path: str | Path | None, file: IO | None) -> str:
    try:
        raw = csvfiles.read_bytes(path) if path is not None else file.read()
        return csvfiles.decode(raw)
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


def _rows(text: str) -> tuple[_Header, Iterator[tuple[int, list[str] | str]]]:
    """The header, then (physical line where the record starts, its cells or why it cannot be read)."""
    records = csvfiles.records(text, delimiter=csvfiles.delimiter_of(text))
    header_record = next(records, None)
    if header_record is not None and header_record.error:
        raise ProducerImportError(_("Line 1 is not valid CSV: %(error)s") % {"error": header_record.error})
    if header_record is None or not any(cell.strip() for cell in header_record.cells):
        raise ProducerImportError(_("The file is empty: line 1 must be a header naming the columns."))
    header = _read_header(header_record.cells)

    def rows() -> Iterator[tuple[int, list[str] | str]]:
        for record in records:
            yield record.line, record.error if record.error else record.cells

    return header, rows()


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
    def __init__(self, *, base_url: str, send_invitations: bool, dry_run: bool) -> None:
        self.base_url = base_url
        self.send_invitations = send_invitations
        self.report = ImportReport(dry_run=dry_run)
        self._profiles_created: set[int] = set()
        self._profiles_updated: set[int] = set()
        self._products_created: set[int] = set()
        self._products_updated: set[int] = set()

    def run(self, header: _Header, records: Iterator[tuple[int, list[str] | str]]) -> ImportReport:
        self.report.ignored_columns = header.ignored
        for line, cells in records:
            if isinstance(cells, str):
                self.report.rows_read += 1
                self._skip(line, [cells])
                continue
            if not any(cell.strip() for cell in cells):
                continue  # blank lines, as spreadsheets leave at the end
            self.report.rows_read += 1
            self._import_record(line, header, cells)
        report = self.report
        report.profiles_created = len(self._profiles_created)
        report.profiles_updated = len(self._profiles_updated - self._profiles_created)
        report.products_created = len(self._products_created)
        report.products_updated = len(self._products_updated - self._products_created)
        return report

    def _skip(self, line: int, reasons: list[str]) -> None:
        self.report.skipped.append(SkippedRow(line=line, reasons=reasons))

    def _import_record(self, line: int, header: _Header, cells: list[str]) -> None:
        if any(cell.strip() for cell in cells[header.width :]):
            self._skip(
                line,
                [
                    _("the row has %(cells)d cells but the header only %(columns)d columns")
                    % {"cells": len(cells), "columns": header.width}
                ],
            )
            return
        try:
            values = _read_cells(header, cells)
            with transaction.atomic():
                result = self._write(line, values)
        except _RowRejected as rejected:
            self._skip(line, rejected.reasons)
            return
        except _RowRefused as refused:
            self.report.refused.append(SkippedRow(line=line, reasons=[refused.reason]))
            return
        except (DatabaseError, ValueError) as error:
            # A concurrent write (say, the same email registered meanwhile), or a value the
            # checks let through and the database (or its driver: a NUL) does not: the row
            # alone rolled back.
            logger.warning("import_producers: line %d refused by the database: %s", line, error)
            self._skip(line, [_("the database refused the row: %(error)s") % {"error": error}])
            return
        self._count(result)

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

    def _write(self, line: int, values: dict[str, dict[str, Any]]) -> _RowResult:
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

        if result.user_created and self.send_invitations:
            result.invited = True
            if not self.report.dry_run:
                transaction.on_commit(self._invitation(user.pk, user.email, line))
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

    def _invitation(self, user_pk: int, email: str, line: int) -> Callable[[], None]:
        def send() -> None:
            try:
                send_producer_invitation(user=User.objects.get(pk=user_pk), base_url=self.base_url)
            except Exception as error:
                # The account is committed; a mail server that is down must not stop the other rows.
                logger.exception("Invitation to %s (line %d) failed", email, line)
                self.report.invitation_failures.append(
                    _("line %(line)d: the invitation to %(email)s was not sent: %(error)s")
                    % {"line": line, "email": email, "error": error}
                )
            else:
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
) -> ImportReport:
    """Register or update producers, their profiles and products from a CSV member list.

    Give `path` or an open `file` (bytes or text). Each row is one transaction;
    bad rows are skipped and listed in the report. New users get an invitation
    to set their password once their row commits; `dry_run` writes nothing.
    """
    if (path is None) == (file is None):
        raise TypeError("Give exactly one of path or file.")
    base = _clean_base_url(base_url)
    header, records = _rows(_read_text(path=path, file=file))
    importer = _Importer(base_url=base, send_invitations=send_invitations, dry_run=dry_run)
    if not dry_run:
        return importer.run(header, records)
    try:
        with transaction.atomic():
            report = importer.run(header, records)
            raise _DryRunRollback
    except _DryRunRollback:
        pass
    return report
