"""Old export files do not pile up: a finished export job (portal.exports) and its file in the
private store are deleted `EXPORT_RETENTION_DAYS` days after it finished (settings; daily, by
`portal.tasks.delete_old_exports`). A job still waiting or being built is never touched.

Each job goes on its own: the file first, then the row (a row without its file would offer a
download that fails; a file without its row is found by nobody). A file that cannot be
deleted (the store down, a permission) keeps its row for the next run and does not stop the
others.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import ExportJob, ExportStatus

logger = logging.getLogger(__name__)

FINISHED = (ExportStatus.DONE, ExportStatus.FAILED)


@dataclass
class Cleanup:
    deleted: int = 0
    files_deleted: int = 0
    failed: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"deleted": self.deleted, "files_deleted": self.files_deleted, "failed": self.failed}


def retention_days() -> int:
    return max(0, int(getattr(settings, "EXPORT_RETENTION_DAYS", 7)))


def expired_jobs(now=None):
    """The finished jobs whose retention has run out."""
    cutoff = (now or timezone.now()) - timedelta(days=retention_days())
    return ExportJob.objects.filter(status__in=FINISHED, finished_at__lt=cutoff)


def delete_old_exports(now=None) -> Cleanup:
    """Delete the expired jobs and their files; what was done, and the ids that failed."""
    result = Cleanup()
    for job_id in list(expired_jobs(now).order_by("pk").values_list("pk", flat=True)):
        try:
            had_file = _delete_job(job_id)
        except Exception:  # one job's store error must not stop the others
            logger.exception("export job %s: its file could not be deleted; kept for the next run", job_id)
            result.failed.append(job_id)
            continue
        if had_file is None:
            continue  # deleted meanwhile, or no longer expired
        result.deleted += 1
        result.files_deleted += int(had_file)
    return result


@transaction.atomic
def _delete_job(job_id: int) -> bool | None:
    """Delete one job and its file; whether it had one, None when it is gone or not finished."""
    job = ExportJob.objects.select_for_update().filter(pk=job_id, status__in=FINISHED).first()
    if job is None:
        return None
    had_file = bool(job.file)
    if had_file:
        job.file.delete(save=False)
    job.delete()
    return had_file
