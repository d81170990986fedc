"""Buying requests: what a buyer wants to order, line by line (docs/design.md "From match to deal").

A request is written by a buyer, approved by the counsellor of the buyer's market and then
published on the producers' board with the buyer withheld; the matcher (one floor up) matches
its open lines against products and keys those matches on (producer, request).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from portal.content import OriginalTextManager, OriginalTexts, language_field
from taxonomy.models import CapacityUnit, Incoterm, SectorLevel


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the counsellor")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Returned by the counsellor")
    CLOSED = "closed", _("Closed")
    AWARDED = "awarded", _("Awarded")


# The buyer may edit a request until it is closed or awarded; an edit of a published request
# keeps it published (the counsellor approved the buyer, not each word).
EDITABLE = (RequestStatus.PENDING, RequestStatus.PUBLISHED, RequestStatus.REJECTED)
# Producers see it on the board, the matcher matches its lines, quotes may be accepted.
OPEN = (RequestStatus.PUBLISHED,)


class BuyingRequest(OriginalTexts, models.Model):
    """One order a buyer wants to place: its header (terms, destination, deadline) and lines."""

    buyer = models.ForeignKey(
        "accounts.BuyerProfile",
        verbose_name=_("buyer"),
        on_delete=models.CASCADE,
        related_name="buying_requests",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True, default="")
    original_language = language_field()
    currency = models.CharField(_("currency of the target prices"), max_length=3, default="USD")
    incoterm = models.CharField(_("Incoterm 2020"), max_length=3, choices=Incoterm.choices, blank=True)
    destination_country = CountryField(_("destination country"))
    destination_port = models.CharField(_("destination port or city"), max_length=100, blank=True)
    deadline = models.DateField(_("deadline"), help_text=_("When the goods must be delivered."))
    required_certifications = models.JSONField(_("required certifications"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    # The counsellor's last decision: who, when, and the note (the reason when returned).
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviewed_requests",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.TextField(_("counsellor's note"), max_length=2000, blank=True, default="")
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed or awarded"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OriginalTextManager()

    class Meta:
        verbose_name = _("buying request")
        verbose_name_plural = _("buying requests")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="sourcing_request_status_idx"),
            models.Index(fields=["buyer", "status"], name="sourcing_request_buyer_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class RequestLine(models.Model):
    """One product of a request: an HS code, how much, in which unit, at what target price."""

    request = models.ForeignKey(
        BuyingRequest, verbose_name=_("buying request"), on_delete=models.CASCADE, related_name="lines"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    sector = models.ForeignKey(
        "taxonomy.Sector",
        verbose_name=_("HS code"),
        on_delete=models.PROTECT,
        related_name="request_lines",
        limit_choices_to={"level__gte": SectorLevel.CHAPTER},
    )
    quantity = models.DecimalField(
        _("quantity"), max_digits=16, decimal_places=2, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(_("unit"), max_length=10, choices=CapacityUnit.choices)
    target_price = models.DecimalField(
        _("target unit price"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    specification = models.CharField(_("specification"), max_length=500, blank=True, default="")

    class Meta:
        verbose_name = _("request line")
        verbose_name_plural = _("request lines")
        ordering = ["request", "position", "id"]

    def __str__(self) -> str:
        return f"{self.sector_id} × {self.quantity} {self.unit}"


class RequestEvent(models.Model):
    """One transition of a request: who (None: the portal, e.g. the deadline), when, from, to."""

    request = models.ForeignKey(
        BuyingRequest, verbose_name=_("buying request"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_status = models.CharField(_("from"), max_length=10, choices=RequestStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=RequestStatus.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("request event")
        verbose_name_plural = _("request events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"
