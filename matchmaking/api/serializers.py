"""API shapes of matches (docs/api.md, "Match"): output per the public contract, input for rematch."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from accounts.api.serializers import BuyerOutputSerializer
from accounts.models import BuyerProfile, ProducerProfile, Role, User
from catalogue.api.serializers import ProducerOutputSerializer
from catalogue.models import Product
from catalogue.policies import products_visible_to
from matchmaking.lifecycle import NOTE_LENGTH
from matchmaking.models import Match, MatchEvent, MatchStatus, RejectReason
from matchmaking.outcomes import declarer_role, is_confirmed
from matchmaking.policies import events_visible_to
from matchmaking.reasons import render_breakdown
from portal.api.fields import ScopedPrimaryKeyRelatedField

# How a connected match ends (one name in the schema for the output and the input).
OUTCOME_CHOICES = [
    (MatchStatus.WON.value, MatchStatus.WON.label),
    (MatchStatus.LOST.value, MatchStatus.LOST.label),
]


# Who declared an outcome, as the API names them (never who by email or id).
DECLARERS = [
    ("producer", _("The producer")),
    ("buyer", _("The buyer")),
    ("counsellor", _("The trade counsellor")),
    ("staff", _("Export Bridge staff")),
]


class MatchEventSerializer(serializers.ModelSerializer):
    from_status = serializers.SerializerMethodField()
    details = serializers.JSONField(
        read_only=True,
        help_text=_(
            'What the event changed beyond the status. An outcome\'s: {"outcome": "declared", '
            '"recorded", "corrected" or "confirmed", "before": {"result", "value", "currency", '
            '"note"} or null, "after": {...}, "confirmed": true or false}.'
        ),
    )

    class Meta:
        model = MatchEvent
        fields = ["at", "actor", "from_status", "to_status", "note", "details"]
        read_only_fields = fields

    def get_from_status(self, obj) -> str | None:
        return obj.from_status or None


class MatchFactorSerializer(serializers.Serializer):
    """One factor of the breakdown; absent where the match was not scored on it (a buyer's
    request is not scored at all). One class, so the schema has one MatchFactor component."""

    score = serializers.FloatField()
    weight = serializers.FloatField()
    reason = serializers.CharField(help_text=_("Why, in the request's language."))


def _factor() -> MatchFactorSerializer:
    return MatchFactorSerializer(required=False)


_breakdown = inline_serializer(
    "MatchBreakdown",
    fields={
        "sector": _factor(),
        "capacity": _factor(),
        "market": _factor(),
        "certifications": _factor(),
        # A buying request's match only: the product's lead time against the deadline.
        "deadline": _factor(),
    },
)
# null until the match is won or lost.
_outcome = inline_serializer(
    "MatchOutcome",
    fields={
        "result": serializers.ChoiceField(choices=OUTCOME_CHOICES),
        "value": serializers.DecimalField(
            max_digits=16, decimal_places=2, allow_null=True, help_text=_("The deal's value, when won.")
        ),
        "currency": serializers.CharField(allow_blank=True, help_text=_("ISO 4217, when won.")),
        "note": serializers.CharField(
            allow_blank=True, help_text=_("What was agreed, or why the deal was lost.")
        ),
        "declared_by": serializers.ChoiceField(
            choices=DECLARERS,
            allow_null=True,
            help_text=_(
                "Who declared or last corrected it: the producer, the buyer, the counsellor or staff; "
                "null for an outcome recorded before declarations were kept."
            ),
        ),
        "declared_at": serializers.DateTimeField(allow_null=True),
        "confirmed": serializers.BooleanField(
            help_text=_(
                "False while a company's declaration awaits the other company's confirmation; "
                "what the counsellor or staff record is confirmed at once."
            )
        ),
        "confirmed_at": serializers.DateTimeField(allow_null=True),
    },
    allow_null=True,
)


class MatchOutputSerializer(serializers.ModelSerializer):
    """A match; `sector_names` in the context names the HS codes its reasons mention."""

    producer = ProducerOutputSerializer(read_only=True)
    buyer = BuyerOutputSerializer(read_only=True)
    score = serializers.DecimalField(max_digits=4, decimal_places=3, coerce_to_string=False, read_only=True)
    breakdown = serializers.SerializerMethodField()
    outcome = serializers.SerializerMethodField()
    counsellor_note = serializers.CharField(
        source="forward_note", read_only=True, help_text=_("The counsellor's note when forwarding.")
    )
    request_message = serializers.CharField(
        read_only=True,
        help_text=_(
            "The buyer's message with an introduction request, or the producer's with its interest in a "
            "buying request."
        ),
    )
    requested_product = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text=_(
            "The product an introduction was requested from, or the one a buying request's match offers."
        ),
    )
    request = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("The buying request the match answers; null for none.")
    )
    request_line = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("The line of the buying request the product answers.")
    )
    reason_code = serializers.ChoiceField(
        choices=RejectReason.choices,
        read_only=True,
        allow_null=True,
        help_text=_("Why the match was rejected, while it is rejected; null otherwise."),
    )
    events = serializers.SerializerMethodField()

    class Meta:
        model = Match
        fields = [
            "id",
            "producer",
            "buyer",
            "score",
            "breakdown",
            "status",
            "reason_code",
            "source",
            "counsellor",
            "producer_response",
            "buyer_response",
            "outcome",
            "counsellor_note",
            "request_message",
            "requested_product",
            "request",
            "request_line",
            "created_at",
            "updated_at",
            "events",
        ]
        read_only_fields = fields

    @extend_schema_field(MatchEventSerializer(many=True))
    def get_events(self, obj) -> list[dict]:
        """The log as the caller may see it (parties: from the forward on, no handovers)."""
        request = self.context.get("request")
        events = obj.events.all()
        if request is not None:
            events = events_visible_to(request.user, obj, events)
        return MatchEventSerializer(events, many=True).data

    @extend_schema_field(_breakdown)
    def get_breakdown(self, obj) -> dict:
        return render_breakdown(obj.breakdown, self.context.get("sector_names") or {})

    @extend_schema_field(_outcome)
    def get_outcome(self, obj) -> dict | None:
        if obj.status not in (MatchStatus.WON, MatchStatus.LOST):
            return None
        value = obj.outcome_value
        field = serializers.DateTimeField()
        confirmed = is_confirmed(obj)
        return {
            "result": obj.status,
            "value": None if value is None else str(value),
            "currency": obj.outcome_currency,
            "note": obj.outcome_note,
            "declared_by": declarer_role(obj),
            "declared_at": field.to_representation(obj.outcome_declared_at)
            if obj.outcome_declared_at
            else None,
            "confirmed": confirmed,
            "confirmed_at": (
                field.to_representation(obj.outcome_confirmed_at)
                if confirmed and obj.outcome_confirmed_at
                else None
            ),
        }


class RematchInputSerializer(serializers.Serializer):
    """`{}` rematches everything (the sweep), or one producer, or one buyer."""

    producer = serializers.PrimaryKeyRelatedField(queryset=ProducerProfile.objects.all(), required=False)
    buyer = serializers.PrimaryKeyRelatedField(queryset=BuyerProfile.objects.all(), required=False)

    def validate(self, attrs):
        if "producer" in attrs and "buyer" in attrs:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Give a producer or a buyer, not both.")]}
            )
        return attrs


class RematchOutputSerializer(serializers.Serializer):
    task_id = serializers.CharField(read_only=True)
    # Only when the broker is down and the task waits in the outbox (portal/outbox.py).
    queued = serializers.BooleanField(required=False)
    detail = serializers.CharField(required=False)


class SweepRunningSerializer(serializers.Serializer):
    """409 of a sweep asked for while one runs: which, and since when."""

    detail = serializers.CharField(read_only=True)
    sweep = serializers.CharField(read_only=True)
    started_at = serializers.DateTimeField(read_only=True)


# --- Transitions (types only: matchmaking.lifecycle decides who may do what, and when) ----


def _note(help_text=None):
    return serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=True,
        max_length=NOTE_LENGTH,
        help_text=help_text,
    )


class ForwardInputSerializer(serializers.Serializer):
    note = _note(_("To both parties, with the introduction."))


class RejectInputSerializer(serializers.Serializer):
    """A reason code and a free text (required for `other`); without a code, `other` (docs/api.md:
    clients sending `{"reason"}` alone keep working). matchmaking.lifecycle holds the rule."""

    reason_code = serializers.ChoiceField(
        choices=RejectReason.choices,
        required=False,
        help_text=_("Why: wrong_product, too_small, not_exporting or other (the default)."),
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=NOTE_LENGTH,
        help_text=_("Why the match is rejected, in words (kept in the match's log); required for other."),
    )


class RespondInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])
    note = _note()


class OutcomeInputSerializer(serializers.Serializer):
    """matchmaking.outcomes holds the rules (a won deal's value and currency, a lost one's reason)."""

    outcome = serializers.ChoiceField(choices=OUTCOME_CHOICES)
    value = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The deal's value: required for won (above zero), dropped for lost."),
    )
    currency = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=3,
        help_text=_("ISO 4217, e.g. USD: required for won."),
    )
    note = _note(_("What was agreed; for lost, why (required)."))


class ConfirmOutcomeInputSerializer(serializers.Serializer):
    note = _note(_("Optional, kept in the match's log."))
    # Text with a bound (every request string has one), read as a date-time below.
    declared_at = serializers.CharField(
        required=False,
        allow_null=True,
        default=None,
        max_length=64,
        help_text=_(
            "Optional: the outcome's `declared_at` (ISO 8601) as the caller read it; if the outcome "
            "was corrected since, 409 and nothing is confirmed."
        ),
    )

    def validate_declared_at(self, value):
        if value in (None, ""):
            return None
        return serializers.DateTimeField().to_internal_value(value)


class ReassignInputSerializer(serializers.Serializer):
    counsellor = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(role=Role.COUNSELLOR, is_active=True),
        help_text=_("The user id of an active counsellor taking the match."),
    )
    note = _note()


class IntroductionInputSerializer(serializers.Serializer):
    """A product or a producer (one of the two), and the buyer's message to the counsellor."""

    product = ScopedPrimaryKeyRelatedField(
        queryset=Product.objects.all(),
        scope=lambda user, queryset: products_visible_to(user, queryset),
        required=False,
        help_text=_("A listed product's id."),
    )
    producer = serializers.PrimaryKeyRelatedField(
        queryset=ProducerProfile.objects.all(), required=False, help_text=_("A producer's id.")
    )
    message = serializers.CharField(required=False, allow_blank=True, default="", max_length=NOTE_LENGTH)


class InterestInputSerializer(serializers.Serializer):
    """One of the producer's listed products, and its message to the counsellor."""

    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.all(), help_text=_("One of your listed products' ids.")
    )
    message = serializers.CharField(required=False, allow_blank=True, default="", max_length=NOTE_LENGTH)


class InterestReceiptSerializer(MatchOutputSerializer):
    """A producer's interest as the producer sees it until the counsellor forwards it: the
    buyer withheld (null)."""

    buyer = serializers.SerializerMethodField()

    @extend_schema_field(BuyerOutputSerializer(allow_null=True))
    def get_buyer(self, obj) -> None:
        return None
