"""The outbox: Celery tasks that could not be published, kept until the broker answers again."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
