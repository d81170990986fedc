"""Matches between producers and buyers, their event log, and the matching knobs."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from matchmaking import engine

_DEFAULTS = engine.MatchingConfig()
FACTORS = ("sector", "capacity", "market", "certifications")


def _decimal(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.001"))


class MatchingConfig(models.Model):
    """The one row of matching knobs, edited in admin; defaults are the engine's."""

    SINGLETON_ID = 1

    weight_sector = models.DecimalField(
        _("weight of the sector factor"),
        max_digits=5,
        decimal_places=3,
        default=_decimal(_DEFAULTS.weight_sector),
        validators=[MinValueValidator(0)],
    )
    weight_capacity = models.DecimalField(
        _("weight of the capacity factor"),
        max_digits=5,
        decimal_places=3,
        default=_decimal(_DEFAULTS.weight_capacity),
        validators=[MinValueValidator(0)],
    )
    weight_market = models.DecimalField(
        _("weight of the market factor"),
        max_digits=5,
        decimal_places=3,
        default=_decimal(_DEFAULTS.weight_market),
        validators=[MinValueValidator(0)],
    )
    weight_certifications = models.DecimalField(
        _("weight of the certifications factor"),
        max_digits=5,
        decimal_places=3,
        default=_decimal(_DEFAULTS.weight_certifications),
        validators=[MinValueValidator(0)],
    )
    weight_deadline = models.DecimalField(
        _("weight of the deadline factor"),
        max_digits=5,
        decimal_places=3,
        default=_decimal(_DEFAULTS.weight_deadline),
        validators=[MinValueValidator(0)],
        help_text=_("Buying requests only: a product's lead time against the request's deadline."),
    )
    min_score = models.DecimalField(
        _("minimum score"),
        max_digits=4,
        decimal_places=3,
        default=_decimal(_DEFAULTS.min_score),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("Pairs scoring below this are not proposed."),
    )
    top_k_per_buyer = models.PositiveSmallIntegerField(
        _("best matches kept per buyer"), default=_DEFAULTS.top_k_per_buyer, validators=[MinValueValidator(1)]
    )
    top_k_per_producer = models.PositiveSmallIntegerField(
        _("best matches kept per producer"),
        default=_DEFAULTS.top_k_per_producer,
        validators=[MinValueValidator(1)],
    )
    min_per_buyer = models.PositiveSmallIntegerField(
        _("matches every buyer gets at least"),
        default=_DEFAULTS.min_per_buyer,
        help_text=_("When it has that many candidates above the minimum score."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("matching configuration")
        verbose_name_plural = _("matching configuration")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="matchmaking_config_singleton")]

    def __str__(self) -> str:
        return str(_("Matching configuration"))

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON_ID
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        try:
            self.as_engine_config()
        except (ValueError, TypeError) as error:
            raise ValidationError(str(error)) from error

    def as_engine_config(self) -> engine.MatchingConfig:
        return engine.MatchingConfig(
            weight_sector=float(self.weight_sector),
            weight_capacity=float(self.weight_capacity),
            weight_market=float(self.weight_market),
            weight_certifications=float(self.weight_certifications),
            weight_deadline=float(self.weight_deadline),
            min_score=float(self.min_score),
            top_k_per_buyer=int(self.top_k_per_buyer),
            top_k_per_producer=int(self.top_k_per_producer),
            min_per_buyer=int(self.min_per_buyer),
        )


def get_matching_config() -> engine.MatchingConfig:
    """The engine's config: the admin-edited row where there is one, else the code's defaults."""
    row = MatchingConfig.objects.filter(pk=MatchingConfig.SINGLETON_ID).first()
    return row.as_engine_config() if row is not None else engine.MatchingConfig()


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    FORWARDED = "forwarded", _("Forwarded")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DECLINED = "declined", _("Declined")
    CONNECTED = "connected", _("Connected")
    WON = "won", _("Deal won")
    LOST = "lost", _("Deal lost")


class RejectReason(models.TextChoices):
    """Why a counsellor rejected a match: evidence the engine learns from (docs/design.md,
    "Matching", what the counsellors taught it)."""

    WRONG_PRODUCT = "wrong_product", _("Wrong product")
    TOO_SMALL = "too_small", _("Too small")
    NOT_EXPORTING = "not_exporting", _("Not exporting")
    OTHER = "other", _("Other")


class MatchSource(models.TextChoices):
    ENGINE = "engine", _("Matching engine")
    BUYER_REQUEST = "buyer_request", _("Buyer's request")
    PRODUCER_INTEREST = "producer_interest", _("Producer's interest in a buying request")


class PartyResponse(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


# The producer and the buyer see a match from the moment it is forwarded.
VISIBLE_TO_PARTIES = (
    MatchStatus.FORWARDED,
    MatchStatus.DECLINED,
    MatchStatus.CONNECTED,
    MatchStatus.WON,
    MatchStatus.LOST,
)
# ... and each other's contacts while it is live (not once either side declined).
REVEALS_CONTACTS = (MatchStatus.FORWARDED, MatchStatus.CONNECTED, MatchStatus.WON, MatchStatus.LOST)
# A match may change hands between counsellors until it is closed.
REASSIGNABLE = (MatchStatus.PROPOSED, MatchStatus.FORWARDED, MatchStatus.CONNECTED)


class Match(models.Model):
    """A producer–buyer pair the engine (or a buyer's request) proposed, and where it stands."""

    producer = models.ForeignKey(
        "accounts.ProducerProfile",
        verbose_name=_("producer"),
        on_delete=models.CASCADE,
        related_name="matches",
    )
    buyer = models.ForeignKey(
        "accounts.BuyerProfile", verbose_name=_("buyer"), on_delete=models.CASCADE, related_name="matches"
    )
    score = models.DecimalField(_("score"), max_digits=4, decimal_places=3)
    sector_score = models.DecimalField(_("sector"), max_digits=4, decimal_places=3)
    capacity_score = models.DecimalField(_("capacity"), max_digits=4, decimal_places=3)
    market_score = models.DecimalField(_("market"), max_digits=4, decimal_places=3)
    certifications_score = models.DecimalField(_("certifications"), max_digits=4, decimal_places=3)
    # The engine's explanation per factor (language-neutral codes and parameters) with the
    # weight each factor had; rendered as text in the reader's language by matchmaking.reasons.
    breakdown = models.JSONField(_("breakdown"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=MatchStatus.choices, default=MatchStatus.PROPOSED
    )
    source = models.CharField(
        _("source"), max_length=20, choices=MatchSource.choices, default=MatchSource.ENGINE
    )
    # A match made for a buying request (by the engine from one of its lines, or by a
    # producer's interest) is keyed on (producer, request); one without is the companies' pair.
    request = models.ForeignKey(
        "sourcing.BuyingRequest",
        verbose_name=_("buying request"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="matches",
    )
    request_line = models.ForeignKey(
        "sourcing.RequestLine",
        verbose_name=_("request line"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="matches",
    )
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("counsellor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="routed_matches",
    )
    producer_response = models.CharField(
        _("producer's response"), max_length=10, choices=PartyResponse.choices, default=PartyResponse.PENDING
    )
    buyer_response = models.CharField(
        _("buyer's response"), max_length=10, choices=PartyResponse.choices, default=PartyResponse.PENDING
    )
    # The buyer's request (source buyer_request): the product it came from and its message.
    requested_product = models.ForeignKey(
        "catalogue.Product",
        verbose_name=_("requested product"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="introduction_requests",
    )
    request_message = models.TextField(
        _("buyer's message"), max_length=2000, blank=True, default="", db_default=""
    )
    forward_note = models.TextField(
        _("counsellor's note"), max_length=2000, blank=True, default="", db_default=""
    )
    producer_note = models.TextField(
        _("producer's note"), max_length=2000, blank=True, default="", db_default=""
    )
    buyer_note = models.TextField(_("buyer's note"), max_length=2000, blank=True, default="", db_default="")
    forwarded_at = models.DateTimeField(_("forwarded"), null=True, blank=True)
    connected_at = models.DateTimeField(_("connected"), null=True, blank=True)
    # Service levels and follow-up: when a still-proposed match was escalated to staff, and
    # when the outcome check-in went to both sides of a connected match.
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    checkin_sent_at = models.DateTimeField(_("outcome check-in sent"), null=True, blank=True)
    outcome_note = models.TextField(_("outcome note"), max_length=2000, blank=True, default="", db_default="")
    outcome_value = models.DecimalField(
        _("deal value"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    outcome_currency = models.CharField(_("deal currency"), max_length=3, blank=True)
    # Who declared the outcome and, when a party declared it, when the other party confirmed it
    # (an outcome the counsellor or staff recorded is confirmed as it is recorded).
    outcome_declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("outcome declared by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outcome_declared_at = models.DateTimeField(_("outcome declared"), null=True, blank=True)
    outcome_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("outcome confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outcome_confirmed_at = models.DateTimeField(_("outcome confirmed"), null=True, blank=True)
    # Why the last rejection was made (the free text is the rejection event's note). It stays
    # when the pair is proposed again; it means something only while the match is rejected
    # (`reason_code`).
    reject_reason = models.CharField(
        _("reason for rejecting"),
        max_length=16,
        choices=RejectReason.choices,
        blank=True,
        default="",
        db_default="",
    )
    # What the engine read of each profile when it last scored the pair (or when the pair was
    # rejected): a rejected pair is proposed again only once one of these changes. A pair
    # rejected as the wrong product keeps only what makes it so, the HS codes of both sides
    # (matchmaking.persistence, "wrong product").
    producer_fingerprint = models.CharField(max_length=16, blank=True, editable=False)
    buyer_fingerprint = models.CharField(max_length=16, blank=True, editable=False)
    # The weights the stored scores were computed with.
    config_fingerprint = models.CharField(max_length=16, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["producer", "buyer"],
                condition=models.Q(request__isnull=True),
                name="matchmaking_match_unique_pair",
            ),
            models.UniqueConstraint(
                fields=["producer", "request"],
                condition=models.Q(request__isnull=False),
                name="matchmaking_match_unique_request_pair",
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=0) & models.Q(score__lte=1),
                name="matchmaking_match_score_range",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-score"], name="match_status_score_idx"),
            models.Index(fields=["buyer", "status"], name="match_buyer_status_idx"),
            models.Index(fields=["producer", "status"], name="match_producer_status_idx"),
            models.Index(fields=["counsellor", "status"], name="match_counsellor_idx"),
            models.Index(fields=["created_at"], name="match_created_idx"),
            # The forwarded matches alone (few beside the proposed and withdrawn ones): what
            # matchmaking.learning reads on every rematch.
            models.Index(
                fields=["forwarded_at", "producer"],
                name="match_forwarded_idx",
                condition=models.Q(forwarded_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.producer_id} ↔ {self.buyer_id} ({self.score})"

    def factor_score(self, factor: str) -> Decimal:
        return getattr(self, f"{factor}_score")

    @property
    def reason_code(self) -> str | None:
        """Why the match was rejected, while it is rejected (None otherwise)."""
        return (self.reject_reason or None) if self.status == MatchStatus.REJECTED else None


class MatchEvent(models.Model):
    """One transition of a match: who (None: the engine), when, from which status to which."""

    match = models.ForeignKey(Match, verbose_name=_("match"), on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Blank: the match did not exist before this event.
    from_status = models.CharField(_("from"), max_length=12, choices=MatchStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=MatchStatus.choices)
    note = models.TextField(_("note"), blank=True)
    # What the event changed beyond the status (an outcome's value before and after a correction).
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("match event")
        verbose_name_plural = _("match events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


class MatchNotice(models.Model):
    """One email about one event of a match, to one person, recorded once it went out.

    A notification task may run twice for the same event: the outbox delivers at least once,
    and a retry after the mail server failed for one recipient runs for all of them. Whoever
    already has a notice for the event is skipped, so each person gets the email once."""

    event = models.ForeignKey(
        MatchEvent, verbose_name=_("event"), on_delete=models.CASCADE, related_name="notices"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("match email")
        verbose_name_plural = _("match emails")
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient", "kind"], name="match_notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id} ({self.event_id})"
