"""Email digests: each user's preference, and one delivery row per user and period.

A delivery row is claimed (inserted, unique per user, frequency and period) before the
message is handed to the mail server and marked sent after; its Message-ID is derived from
the row, so a send repeated after a crash between the two is the same message to the
receiving side (RFC 5322 Message-ID), and a row marked sent is never sent again.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    OFF = "off", _("Off")


class DigestPreference(models.Model):
    """How often a user wants a digest and in which language ("" = the user's preferred one)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="digest_preference",
    )
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices)
    language = models.CharField(_("language"), max_length=5, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("digest preference")
        verbose_name_plural = _("digest preferences")

    def __str__(self) -> str:
        return f"{self.user} ({self.frequency})"


class DeliveryStatus(models.TextChoices):
    CLAIMED = "claimed", _("Claimed")
    SENT = "sent", _("Sent")
    EMPTY = "empty", _("Nothing new")
    FAILED = "failed", _("Failed")


class DigestDelivery(models.Model):
    """One digest of one user for one period ("2026-12-02" daily, "2026-W49" weekly)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="digests"
    )
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices)
    period = models.CharField(_("period"), max_length=10)
    # What the digest covers: changes after `since`, up to `until`.
    since = models.DateTimeField(_("since"))
    until = models.DateTimeField(_("until"))
    status = models.CharField(
        _("status"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.CLAIMED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    items = models.PositiveIntegerField(_("items"), default=0)
    error = models.TextField(_("last error"), blank=True)
    claimed_at = models.DateTimeField(_("claimed"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("digest delivery")
        verbose_name_plural = _("digest deliveries")
        ordering = ["-claimed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "frequency", "period"], name="digests_one_delivery_per_period"
            )
        ]
        indexes = [models.Index(fields=["status", "claimed_at"], name="digest_status_idx")]

    def __str__(self) -> str:
        return f"{self.user} {self.frequency} {self.period} ({self.status})"
