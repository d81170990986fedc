"""Exports of the portal's lists as CSV and Excel (docs/api.md "Operations"; README "Exports").

Each app says what its export is, next to its list: `matchmaking.exports` (matches),
`catalogue.exports` (producers), `accounts.exports` (buyers), `sourcing.exports` (buying
requests) and `counsellors.exports` (the review queue with the queue page's filters). An
`Export` names its columns (stable keys, human headers translated when written), the
queryset a user may export (the app's own scoping policy: never a second copy of it), the
filter set of the list it mirrors, and who may export at all. The apps register their exports
here from `AppConfig.ready()`, so a task below them can build one by name.

What is shared, and why:

- One function, `neutralise`, for both writers: a text cell that starts with `=`, `+`, `-`,
  `@`, a tab or a carriage return is prefixed with `'` (OWASP, "CSV Injection"), so neither
  Excel nor LibreOffice reads it as a formula. Numbers stay numbers (a negative one is not
  text); a phone number written `+98…` gains the quote, the price of the rule.
- CSV is always streamed (`StreamingHttpResponse` over a generator of rows read with
  `.iterator(chunk_size=…)`, prefetches per chunk, so memory and queries stay bounded
  whatever the size), UTF-8 with a byte-order mark so that Excel opens Persian text as such.
- XLSX is written by openpyxl's write-only workbook (rows go straight to the zip). Up to
  `EXPORT_XLSX_INLINE_MAX_ROWS` rows (settings; 2,000 by default: a second or two of work)
  it is built in the request; above that an `ExportJob` is queued and built by a Celery task
  into the private store, with a progress figure the page polls and a download link for the
  requester and staff. A workbook must be complete before its first byte is useful (the zip's
  directory comes last), so it cannot simply be streamed like the CSV; a task keeps a large
  one from holding a web worker.
- Values: dates and times in ISO 8601, countries as a code column beside a name column, HS
  codes as text (a text cell in XLSX keeps a leading zero), money as an amount column beside
  its ISO 4217 currency, lists joined with "; ", yes/no in the reader's language.
"""

from __future__ import annotations

import csv
import datetime
import re
import secrets
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from .models import ExportJob, ExportStatus
from .storage import serve_private
from .tasks import TransactionAwareTask

CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)
CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BOM = "\ufeff"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CHUNK_SIZE = 500
# How often (rows) a task writes its progress: a few writes per export, not one per row.
PROGRESS_EVERY = 500
# What an XLSX cell cannot hold (openpyxl refuses it): C0 controls but tab, LF and CR.
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
LIST_SEPARATOR = "; "


def neutralise(value: str) -> str:
    """`value` made inert for a spreadsheet: prefixed with `'` when it starts like a formula."""
    if value and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    """One column: a stable `key` (documented; never renamed), a translatable `header`, and
    `value(obj, user)`. `text=True` keeps a value that looks like a number as text (HS codes)."""

    key: str
    header: str | Promise
    value: Callable[[Any, Any], Any]
    text: bool = False


@dataclass(frozen=True)
class Export:
    """What one list exports: `queryset(user)` is already scoped by the owning app's policy
    and fetches what the columns read; `filterset_class` is the list's own filter set."""

    name: str
    title: str | Promise
    columns: Sequence[Column]
    queryset: Callable[[Any], QuerySet]
    filterset_class: type
    may_export: Callable[[Any], bool] = field(default=lambda user: can_export(user))

    def filename(self, file_format: str) -> str:
        return f"{self.name}-{timezone.localdate().isoformat()}.{file_format}"


class InvalidFilters(Exception):
    """The filters do not validate; `errors` is the filter form's {field: [messages]}."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


# --- Who may export, and the registry ----------------------------------------------------


def can_export(user) -> bool:
    """Exports are for the trade counsellors (each their own scope) and staff (everything)."""
    return bool(user and user.is_authenticated and (user.is_portal_staff or user.is_counsellor))


_registry: dict[str, Export] = {}


def register(export: Export) -> None:
    """Called from the owning app's `AppConfig.ready()` (again in tests: the last one wins)."""
    _registry[export.name] = export


def get(name: str) -> Export | None:
    return _registry.get(name)


# --- Rows ----------------------------------------------------------------------------------


def selected(export: Export, user, params) -> QuerySet:
    """The objects `user` exports with `params` (a QueryDict or {name: [values]}) as the list's
    filter set reads them; InvalidFilters when they do not validate."""
    filterset = export.filterset_class(
        params, queryset=export.queryset(user), request=SimpleNamespace(user=user, GET=params)
    )
    if not filterset.is_valid():
        raise InvalidFilters({name: list(errors) for name, errors in filterset.errors.items()})
    try:
        return filterset.qs
    except ValidationError as error:  # a filter method's refusal (sourcing's `buyer`)
        raise InvalidFilters(getattr(error, "message_dict", {"filters": error.messages})) from None


def cell(value) -> Any:
    """A value as a cell holds it: text neutralised, dates ISO, yes/no translated, numbers kept."""
    if value is None:
        return None
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return neutralise(LIST_SEPARATOR.join(str(item) for item in value))
    return neutralise(str(value))


def headers(export: Export) -> list[str]:
    return [neutralise(str(column.header)) for column in export.columns]


def rows(export: Export, user, queryset: QuerySet) -> Iterator[list]:
    """Each object of `queryset` as a row of cells, read a chunk at a time (prefetches too)."""
    for obj in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield [cell(column.value(obj, user)) for column in export.columns]


# --- CSV -------------------------------------------------------------------------------------


class _Echo:
    """A file that hands back what is written, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(export: Export, user, queryset: QuerySet, language: str | None = None) -> Iterator[bytes]:
    """The CSV file piece by piece: the BOM and the header, then a row at a time. Read after
    the view has returned, so in `language` (the request's) whatever is active by then."""
    writer = csv.writer(_Echo())
    with translation.override(language or translation.get_language()):
        yield (BOM + writer.writerow(headers(export))).encode("utf-8")
        for row in rows(export, user, queryset):
            yield writer.writerow(["" if value is None else value for value in row]).encode("utf-8")


def csv_response(export: Export, user, queryset: QuerySet) -> StreamingHttpResponse:
    chunks = csv_chunks(export, user, queryset, translation.get_language())
    response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[CSV])
    return _as_download(response, export.filename(CSV))


# --- XLSX ------------------------------------------------------------------------------------


def write_xlsx(
    export: Export, user, queryset: QuerySet, target, progress: Callable[[int], None] | None = None
) -> int:
    """Write the workbook to `target` (a path or a binary file); return the rows written.
    `progress(rows_so_far)` is called every PROGRESS_EVERY rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(export))
    if translation.get_language_bidi():
        sheet.sheet_view.rightToLeft = True
    sheet.freeze_panes = "A2"
    sheet.append([_xlsx_value(value) for value in headers(export)])
    text_columns = [index for index, column in enumerate(export.columns) if column.text]
    count = 0
    for row in rows(export, user, queryset):
        values: list = [_xlsx_value(value) for value in row]
        for index in text_columns:
            if values[index] is not None:
                text_cell = WriteOnlyCell(sheet, value=str(values[index]))
                text_cell.number_format = "@"
                values[index] = text_cell
        sheet.append(values)
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    workbook.save(target)
    return count


def _sheet_title(export: Export) -> str:
    # 31 characters at most, none of []:*?/\ (Excel's rules).
    title = re.sub(r"[\[\]:*?/\\]", " ", str(export.title)).strip()
    return title[:31] or export.name


def _xlsx_value(value):
    if isinstance(value, str):
        return _ILLEGAL_XLSX.sub("", value)
    return value


def xlsx_response(export: Export, user, queryset: QuerySet) -> HttpResponse:
    """A workbook built in the request (small exports: `inline_max_rows()` rows at most)."""
    with tempfile.TemporaryFile() as buffer:
        write_xlsx(export, user, queryset, buffer)
        buffer.seek(0)
        response = HttpResponse(buffer.read(), content_type=CONTENT_TYPES[XLSX])
    return _as_download(response, export.filename(XLSX))


def inline_max_rows() -> int:
    return int(getattr(settings, "EXPORT_XLSX_INLINE_MAX_ROWS", 2000))


def _as_download(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Answering a request ---------------------------------------------------------------------


def respond(export: Export, user, params, file_format: str) -> HttpResponse | ExportJob:
    """The export as a download (CSV always; XLSX up to `inline_max_rows()` rows), or the
    queued `ExportJob` building a larger workbook. InvalidFilters for bad filters; the caller
    has checked `export.may_export(user)`."""
    queryset = selected(export, user, params)
    if file_format == CSV:
        return csv_response(export, user, queryset)
    if queryset.count() <= inline_max_rows():
        return xlsx_response(export, user, queryset)
    return export_job_start(requester=user, export=export, params=params, file_format=XLSX)


# --- Large exports: a job built by a task ---------------------------------------------------


def _plain_params(params) -> dict[str, list[str]]:
    if hasattr(params, "lists"):
        return {key: list(values) for key, values in params.lists() if key != "page"}
    return {key: list(values) for key, values in dict(params).items() if key != "page"}


@transaction.atomic
def export_job_start(*, requester, export: Export, params, file_format: str = XLSX) -> ExportJob:
    """Record the export asked for and queue its task (sent once the row is committed)."""
    job = ExportJob.objects.create(
        requester=requester,
        kind=export.name,
        file_format=file_format,
        params=_plain_params(params),
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    build_export_task.delay(job.pk)
    return job


def build_job(job_id: int) -> ExportJob | None:
    """Build a queued job's file into the private store, recording progress as it goes. Run
    by the task; a job already running or finished is left alone (a retried delivery)."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.PENDING).update(
        status=ExportStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    job = ExportJob.objects.select_related("requester").get(pk=job_id)
    export = get(job.kind)
    try:
        if export is None or not export.may_export(job.requester) or not job.requester.is_active:
            raise PermissionError(job.kind)
        with translation.override(job.language):
            queryset = selected(export, job.requester, job.params)
            total = queryset.count()
            ExportJob.objects.filter(pk=job.pk).update(total=total)

            def progress(done: int) -> None:
                ExportJob.objects.filter(pk=job.pk).update(rows_done=done)

            with tempfile.TemporaryFile() as buffer:
                written = write_xlsx(export, job.requester, queryset, buffer, progress)
                buffer.seek(0)
                job.file.save(f"{secrets.token_urlsafe(24)}.{job.file_format}", File(buffer), save=False)
            filename = export.filename(job.file_format)
    except Exception as error:  # recorded on the job for the page, then raised for the logs
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED, finished_at=timezone.now(), error=type(error).__name__
        )
        if isinstance(error, PermissionError | InvalidFilters):
            return None
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.DONE,
        file=job.file.name,
        filename=filename,
        total=written,
        rows_done=written,
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


def jobs_visible_to(user, queryset: QuerySet[ExportJob] | None = None) -> QuerySet[ExportJob]:
    """A job is its requester's; staff see every job; nobody else any."""
    queryset = ExportJob.objects.all() if queryset is None else queryset
    if not (user and user.is_authenticated):
        return queryset.none()
    if user.is_portal_staff:
        return queryset
    return queryset.filter(requester=user)


def job_file_response(job: ExportJob):
    """The finished job's file, served from the private store (404 until it is there)."""
    if job.status != ExportStatus.DONE:
        return None
    return serve_private(
        job.file, filename=job.filename or f"{job.kind}.{job.file_format}", content_type=CONTENT_TYPES[XLSX]
    )


def job_state(job: ExportJob) -> dict:
    """What the status endpoint and the progress page say of a job."""
    return {
        "id": job.pk,
        "kind": job.kind,
        "format": job.file_format,
        "status": job.status,
        "total": job.total,
        "rows_done": job.rows_done,
        "percent": job.percent,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


@shared_task(base=TransactionAwareTask)
def build_export_task(job_id: int) -> bool:
    """Build a large export's file (sent by `export_job_start` once its row is committed)."""
    return build_job(job_id) is not None


# --- Small tables (a dashboard's figures): the same cells, several tables in one file --------


@dataclass(frozen=True)
class Table:
    """A table already computed (not a queryset): its title (the sheet's name in XLSX), the
    header and the rows of values (`cell` writes them as the list exports do)."""

    title: str | Promise
    header: Sequence[str | Promise]
    rows: Sequence[Sequence[Any]]


def tables_csv_response(tables: Sequence[Table], filename: str) -> HttpResponse:
    """The tables one after the other in one CSV (a title line, the header, the rows, a blank
    line), UTF-8 with a byte-order mark, every text cell neutralised."""
    lines: list[str] = []
    writer = csv.writer(_Echo())
    for table in tables:
        lines.append(writer.writerow([neutralise(str(table.title))]))
        lines.append(writer.writerow([neutralise(str(header)) for header in table.header]))
        for row in table.rows:
            lines.append(writer.writerow(["" if (value := cell(item)) is None else value for item in row]))
        lines.append(writer.writerow([]))
    response = HttpResponse((BOM + "".join(lines)).encode("utf-8"), content_type=CONTENT_TYPES[CSV])
    return _as_download(response, filename)


def tables_xlsx_response(tables: Sequence[Table], filename: str) -> HttpResponse:
    """The tables as one workbook, a sheet each (right to left for a right-to-left reader)."""
    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(title=_sheet_title(SimpleNamespace(title=table.title, name="sheet")))
        if translation.get_language_bidi():
            sheet.sheet_view.rightToLeft = True
        sheet.freeze_panes = "A2"
        sheet.append([_xlsx_value(neutralise(str(header))) for header in table.header])
        for row in table.rows:
            sheet.append([_xlsx_value(cell(item)) for item in row])
    with tempfile.TemporaryFile() as buffer:
        workbook.save(buffer)
        buffer.seek(0)
        response = HttpResponse(buffer.read(), content_type=CONTENT_TYPES[XLSX])
    return _as_download(response, filename)
