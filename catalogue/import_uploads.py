"""The staff import page's two steps: a dry run of an uploaded member list, then its commit.

`dry_run_upload` reads the upload (CSV or Excel) through `catalogue.imports.import_producers`
with `dry_run=True` and, when the file can be read at all, keeps it in the private store as a
`ProducerImportUpload`: a random token, bound to the staff user who uploaded it, with its
SHA-256 and an expiry. `commit_upload` imports that stored file for real, given the token: the
browser never sends the file again, so what is committed is what the dry run read; the
stored file's hash is checked again before it is read, each upload commits once (a
conditional update claims it, so a double click imports nothing twice), and the file is
deleted once imported. Expired uploads are deleted whenever a new one is kept.

The page runs the import in the request, so it takes at most
`PRODUCER_IMPORT_PAGE_MAX_ROWS` rows and `PRODUCER_IMPORT_PAGE_MAX_BYTES` (settings); a longer
list is split or goes through `manage.py import_producers`.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .imports import ImportReport, ProducerImportError, import_producers
from .models import ProducerImportUpload
from .policies import can_import_producers

logger = logging.getLogger(__name__)


def page_max_rows() -> int:
    return int(getattr(settings, "PRODUCER_IMPORT_PAGE_MAX_ROWS", 500))


def page_max_bytes() -> int:
    return int(getattr(settings, "PRODUCER_IMPORT_PAGE_MAX_BYTES", 5 * 1024 * 1024))


def upload_ttl() -> datetime.timedelta:
    return datetime.timedelta(minutes=int(getattr(settings, "PRODUCER_IMPORT_UPLOAD_TTL_MINUTES", 60)))


@dataclass
class DryRun:
    upload: ProducerImportUpload | None  # None: nothing of the file would be imported
    report: ImportReport


class _NamedBytes(io.BytesIO):
    """The upload's bytes with its name (which says .xlsx for a workbook claiming to be one)."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name


def _check_actor(actor) -> None:
    if not can_import_producers(actor):
        raise PermissionDenied(_("Only staff may import producers."))


def _read_upload(upload) -> bytes:
    limit = page_max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(_too_large(limit), code="too_large")
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(_too_large(limit), code="too_large")
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    return data


def _too_large(limit: int) -> str:
    return _(
        "The file is larger than %(max)s MB, the most this page takes: split it, or ask the "
        "operator to run manage.py import_producers."
    ) % {"max": f"{limit / 2**20:g}"}


def _run(data: bytes, name: str, *, base_url: str, send_invitations: bool, dry_run: bool) -> ImportReport:
    try:
        return import_producers(
            file=_NamedBytes(data, name),
            base_url=base_url,
            send_invitations=send_invitations,
            dry_run=dry_run,
            max_rows=page_max_rows(),
        )
    except ProducerImportError as error:
        raise ValidationError(str(error), code="unreadable") from None


def dry_run_upload(*, actor, upload, base_url: str, send_invitations: bool = True) -> DryRun:
    """Check every row of `upload` as a real import would, writing nothing of it, and keep the
    file for `commit_upload` when some row would be imported. ValidationError when the file
    cannot be read as a whole (its message says why), PermissionDenied for a non-staff actor."""
    _check_actor(actor)
    data = _read_upload(upload)
    name = str(getattr(upload, "name", "") or "members")[:200]
    report = _run(data, name, base_url=base_url, send_invitations=send_invitations, dry_run=True)
    if not report.rows_imported:
        return DryRun(None, report)
    purge_expired_uploads()
    token = secrets.token_urlsafe(32)
    staged = ProducerImportUpload(
        token=token,
        uploaded_by=actor,
        original_name=name,
        file_format=report.file_format,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        send_invitations=send_invitations,
        expires_at=timezone.now() + upload_ttl(),
    )
    # A random name of its own: the uploader's file name is kept only as a label.
    staged.file.save(f"{secrets.token_urlsafe(24)}.{report.file_format}", ContentFile(data), save=False)
    try:
        staged.save()
    except Exception:
        staged.file.delete(save=False)
        raise
    return DryRun(staged, report)


def commit_upload(*, actor, token: str, base_url: str) -> tuple[ProducerImportUpload, ImportReport]:
    """Import for real the file `actor` dry-ran under `token`: once, before it expires, and
    only while the stored file is the one the dry run read. ValidationError otherwise."""
    _check_actor(actor)
    staged = ProducerImportUpload.objects.filter(token=str(token)[:64], uploaded_by=actor).first()
    if staged is None:
        raise ValidationError(
            _("This dry run is not on record (or not yours): upload the file again."), code="unknown"
        )
    now = timezone.now()
    claimed = ProducerImportUpload.objects.filter(
        pk=staged.pk, committed_at__isnull=True, expires_at__gt=now
    ).update(committed_at=now)
    if not claimed:
        staged.refresh_from_db()
        if staged.committed_at is not None:
            raise ValidationError(_("This file has already been imported."), code="committed")
        _discard(staged)
        raise ValidationError(
            _("This dry run has expired: upload the file again to check it anew."), code="expired"
        )
    try:
        with staged.file.open("rb") as handle:
            data = handle.read(page_max_bytes() + 1)
    except OSError:
        _discard(staged)
        raise ValidationError(
            _("The uploaded file is no longer stored: upload it again."), code="missing"
        ) from None
    if hashlib.sha256(data).hexdigest() != staged.sha256:
        logger.warning("Producer import upload %s changed in the store since its dry run", staged.pk)
        _discard(staged)
        raise ValidationError(
            _("The stored file is not the one the dry run read; nothing was imported. Upload it again."),
            code="changed",
        )
    report = _run(
        data,
        staged.original_name,
        base_url=base_url,
        send_invitations=staged.send_invitations,
        dry_run=False,
    )
    staged.file.delete(save=False)
    ProducerImportUpload.objects.filter(pk=staged.pk).update(file="")
    return staged, report


def active_upload(*, actor, token: str) -> ProducerImportUpload | None:
    """`actor`'s upload under `token`, not yet committed nor expired."""
    return ProducerImportUpload.objects.filter(
        token=str(token)[:64], uploaded_by=actor, committed_at__isnull=True, expires_at__gt=timezone.now()
    ).first()


def _discard(staged: ProducerImportUpload) -> None:
    staged.file.delete(save=False)
    staged.delete()


def purge_expired_uploads() -> int:
    """Delete the uploads whose time is up, and those imported, with their files."""
    now = timezone.now()
    old = list(ProducerImportUpload.objects.filter(expires_at__lte=now)) + list(
        ProducerImportUpload.objects.filter(committed_at__isnull=False, expires_at__gt=now)
    )
    for staged in old:
        with transaction.atomic():
            _discard(staged)
    return len(old)
