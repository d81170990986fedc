"""Finished export jobs and their files are deleted after EXPORT_RETENTION_DAYS (portal/export_retention.py)."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from portal import export_retention, tasks
from portal.models import ExportJob, ExportStatus
from portal.storage import PrivateFileSystemStorage, private_storage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _job(user, *, status=ExportStatus.DONE, age_days: float | None = 10, with_file: bool = True) -> ExportJob:
    job = ExportJob.objects.create(requester=user, kind="matches", language="fa", status=status)
    if with_file:
        job.file.save(f"retention-{job.pk}.xlsx", ContentFile(b"PK workbook"), save=False)
    finished = None if age_days is None else timezone.now() - timedelta(days=age_days)
    ExportJob.objects.filter(pk=job.pk).update(file=job.file.name if with_file else "", finished_at=finished)
    job.refresh_from_db()
    return job


def test_old_finished_jobs_and_their_files_go_newer_and_unfinished_ones_stay(settings):
    settings.EXPORT_RETENTION_DAYS = 7
    user = UserFactory(role="counsellor")
    old_done = _job(user)
    old_failed = _job(user, status=ExportStatus.FAILED, with_file=False)
    recent = _job(user, age_days=6)
    running = _job(user, status=ExportStatus.RUNNING, age_days=None, with_file=False)
    ExportJob.objects.filter(pk=running.pk).update(created_at=timezone.now() - timedelta(days=30))
    old_name, recent_name = old_done.file.name, recent.file.name
    assert private_storage().exists(old_name)

    result = export_retention.delete_old_exports()

    assert result.as_dict() == {"deleted": 2, "files_deleted": 1, "failed": []}
    assert set(ExportJob.objects.values_list("pk", flat=True)) == {recent.pk, running.pk}
    assert not private_storage().exists(old_name)
    assert private_storage().exists(recent_name)
    assert not ExportJob.objects.filter(pk=old_failed.pk).exists()


def test_the_retention_comes_from_the_setting(settings):
    user = UserFactory(role="counsellor")
    job = _job(user, age_days=3)
    settings.EXPORT_RETENTION_DAYS = 7
    assert export_retention.delete_old_exports().deleted == 0
    settings.EXPORT_RETENTION_DAYS = 2
    assert export_retention.delete_old_exports().deleted == 1
    assert not ExportJob.objects.filter(pk=job.pk).exists()


def test_a_file_that_cannot_be_deleted_keeps_its_job_and_does_not_stop_the_others(settings, monkeypatch):
    settings.EXPORT_RETENTION_DAYS = 7
    user = UserFactory(role="staff")
    stuck, other = _job(user), _job(user)
    storage = PrivateFileSystemStorage
    real_delete = storage.delete

    def delete(self, name):
        if name == stuck.file.name:
            raise OSError("the store did not answer")
        return real_delete(self, name)

    monkeypatch.setattr(storage, "delete", delete)
    result = export_retention.delete_old_exports()

    assert result.failed == [stuck.pk] and result.deleted == 1
    assert ExportJob.objects.filter(pk=stuck.pk).exists()
    assert not ExportJob.objects.filter(pk=other.pk).exists()
    assert not private_storage().exists(other.file.name)
    # The next run, with the store back, finishes the job.
    monkeypatch.setattr(storage, "delete", real_delete)
    assert export_retention.delete_old_exports().as_dict() == {"deleted": 1, "files_deleted": 1, "failed": []}
    assert not ExportJob.objects.exists()


def test_the_daily_task_runs_the_cleanup(settings):
    settings.EXPORT_RETENTION_DAYS = 7
    _job(UserFactory(role="counsellor"))
    assert tasks.delete_old_exports() == {"deleted": 1, "files_deleted": 1, "failed": []}
    assert (
        settings.CELERY_BEAT_SCHEDULE["portal-delete-old-exports"]["task"]
        == "portal.tasks.delete_old_exports"
    )
