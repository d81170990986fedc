"""What happens on a forwarded match: the producer's quotes and the conversation
(docs/design.md "From match to deal"). The outcome itself is the match's (matchmaking)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.storage import private_storage
from taxonomy.models import CapacityUnit, Incoterm


class QuoteStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Quote(models.Model):
    """A producer's offer on a forwarded (or connected) match, for its request when it has one."""

    match = models.ForeignKey(
        "matchmaking.Match", verbose_name=_("match"), on_delete=models.CASCADE, related_name="quotes"
    )
    # The match's request and line, kept on the quote: the buyer compares a request's quotes.
    request = models.ForeignKey(
        "sourcing.BuyingRequest",
        verbose_name=_("buying request"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="quotes",
    )
    line = models.ForeignKey(
        "sourcing.RequestLine",
        verbose_name=_("request line"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quotes",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unit_price = models.DecimalField(_("unit price"), max_digits=16, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    quantity = models.DecimalField(_("quantity"), max_digits=16, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=10, choices=CapacityUnit.choices)
    incoterm = models.CharField(_("Incoterm 2020"), max_length=3, choices=Incoterm.choices)
    lead_time_days = models.PositiveIntegerField(
        _("lead time (days)"), validators=[MinValueValidator(0), MaxValueValidator(730)]
    )
    valid_until = models.DateField(_("valid until"))
    note = models.TextField(_("note"), max_length=2000, blank=True, default="")
    status = models.CharField(
        _("status"), max_length=10, choices=QuoteStatus.choices, default=QuoteStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("buyer's note"), max_length=2000, blank=True, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "valid_until"], name="deals_quote_status_idx"),
            models.Index(fields=["request", "status"], name="deals_quote_request_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(unit_price__gt=0), name="deals_quote_price_positive"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="deals_quote_quantity_positive"),
            # One accepted quote per request: the database's last word when two buyers' tabs race.
            models.UniqueConstraint(
                fields=["request"],
                condition=models.Q(status="accepted", request__isnull=False),
                name="deals_quote_one_accepted_per_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_price} {self.currency} × {self.quantity} {self.unit}"

    @property
    def total(self):
        return self.unit_price * self.quantity


class Message(models.Model):
    """One message in a forwarded match's conversation among producer, buyer and counsellor."""

    match = models.ForeignKey(
        "matchmaking.Match", verbose_name=_("match"), on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("message"), max_length=5000)
    # The language it is written in (guessed from its letters unless the writer says).
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["match", "id"], name="deals_message_match_idx")]

    def __str__(self) -> str:
        return f"{self.match_id}: {self.body[:40]}"


class ConversationState(models.Model):
    """Where one participant is in one conversation: the last message read, and the last one
    an email already told them about (the notice is batched: one mail for what piled up)."""

    match = models.ForeignKey(
        "matchmaking.Match", verbose_name=_("match"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    last_read = models.PositiveBigIntegerField(_("last message read"), default=0)
    last_notified = models.PositiveBigIntegerField(_("last message emailed"), default=0)
    notified_at = models.DateTimeField(_("last emailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("conversation state")
        verbose_name_plural = _("conversation states")
        constraints = [
            models.UniqueConstraint(fields=["match", "user"], name="deals_conversation_state_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.match_id}: {self.last_read}"


def _attachment_path(instance: Attachment, filename: str) -> str:
    # Never the uploader's name on disk: a random name under the match (the name is kept apart).
    return f"deals/{instance.match_id}/{instance.token}"


class Attachment(models.Model):
    """A file on a quote or a message: private, served only to who may see the match."""

    match = models.ForeignKey(
        "matchmaking.Match", verbose_name=_("match"), on_delete=models.CASCADE, related_name="attachments"
    )
    quote = models.ForeignKey(
        Quote,
        verbose_name=_("quote"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    message = models.ForeignKey(
        Message,
        verbose_name=_("message"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    token = models.CharField(max_length=32, unique=True, editable=False)
    file = models.FileField(_("file"), upload_to=_attachment_path, storage=private_storage, max_length=200)
    name = models.CharField(_("file name"), max_length=150)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quote__isnull=True) | models.Q(message__isnull=True),
                name="deals_attachment_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.name
