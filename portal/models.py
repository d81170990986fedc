"""The outbox: Celery tasks that could not be published, kept until the broker answers again."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .storage import private_storage


class PendingTask(models.Model):
    """One task whose publishing failed (broker down), sent again by `portal.outbox.resend_pending`.

    `task_id` is the id the task was first given and is sent again under, so whoever holds it
    (the rematch API's caller) can follow the task once it runs.
    """

    task_id = models.CharField(_("task id"), max_length=64, unique=True)
    name = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    eta = models.DateTimeField(_("not before"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("pending task")
        verbose_name_plural = _("pending tasks")

    def __str__(self) -> str:
        return f"{self.name}{tuple(self.args)!r}"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Being built")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """A large export (portal.exports) built by a task into the private store: who asked, for
    what (the export's name and its filters), how far it got, and the file once done. Only
    the requester and staff see it (`portal.exports.jobs_visible_to`)."""

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="export_jobs",
    )
    kind = models.CharField(_("export"), max_length=40)
    file_format = models.CharField(_("format"), max_length=4, default="xlsx")
    params = models.JSONField(_("filters"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10)
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    total = models.PositiveIntegerField(_("rows in all"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(
        _("file"), storage=private_storage, upload_to="exports/", blank=True, max_length=200
    )
    filename = models.CharField(_("file name"), max_length=100, blank=True)
    error = models.CharField(_("error"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return f"{self.kind}.{self.file_format} #{self.pk}"

    @property
    def percent(self) -> int:
        """How far the file is built, 0 to 100."""
        if self.status == ExportStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, self.rows_done * 100 // self.total)
