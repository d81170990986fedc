"""API shapes of quotes (docs/api.md "Buying requests, quotes and messages"): the quote as read (with
its files), the producer's input (typed only: deals.quotes rules on it; multipart adds `files`),
and the buyer's decision."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from deals.models import Quote
from deals.quotes import NOTE_LENGTH
from portal import content
from portal.validation import MAX_NUMBER_LENGTH
from sourcing.api.serializers import DateInputField
from taxonomy.models import CapacityUnit, Incoterm

from .attachments import AttachmentOutputSerializer, attachment_files_field

CENT = Decimal("0.01")

_producer = inline_serializer(
    "QuoteProducer",
    fields={
        "id": serializers.IntegerField(),
        "name": serializers.CharField(help_text=_("In the request's language where translated.")),
    },
)


class QuoteOutputSerializer(serializers.ModelSerializer):
    """A quote; `total` is the unit price times the quantity, in the quote's currency."""

    total = serializers.SerializerMethodField()
    producer = serializers.SerializerMethodField()
    attachments = AttachmentOutputSerializer(
        many=True, read_only=True, help_text=_("The quote's documents (price list, specification, photos).")
    )

    class Meta:
        model = Quote
        fields = [
            "id",
            "match",
            "request",
            "line",
            "producer",
            "unit_price",
            "currency",
            "quantity",
            "unit",
            "incoterm",
            "lead_time_days",
            "valid_until",
            "note",
            "status",
            "total",
            "created_at",
            "decided_at",
            "decision_note",
            "attachments",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=28, decimal_places=2))
    def get_total(self, obj) -> str:
        return str(obj.total.quantize(CENT, rounding=ROUND_HALF_UP))

    @extend_schema_field(_producer)
    def get_producer(self, obj) -> dict:
        producer = obj.match.producer
        return {"id": producer.pk, "name": content.shown_text(producer, "name")}


class QuoteInputSerializer(serializers.Serializer):
    """A new quote. Left out: `quantity` and `unit` are the request line's, `currency` and
    `incoterm` the request's (when the match has them)."""

    unit_price = serializers.CharField(max_length=MAX_NUMBER_LENGTH, help_text=_("Per unit, above 0."))
    currency = serializers.CharField(required=False, max_length=3, help_text=_("ISO 4217, e.g. USD."))
    quantity = serializers.CharField(required=False, max_length=MAX_NUMBER_LENGTH)
    unit = serializers.ChoiceField(choices=CapacityUnit.choices, required=False)
    incoterm = serializers.ChoiceField(choices=Incoterm.choices, required=False)
    lead_time_days = serializers.IntegerField(min_value=0, max_value=730)
    valid_until = DateInputField(help_text=_("From today to a year on."))
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_LENGTH)


class QuoteFilesInputSerializer(QuoteInputSerializer):
    """A new quote as multipart: its fields and up to five files (its documents)."""

    files = attachment_files_field()


class QuoteDecisionInputSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=NOTE_LENGTH, help_text=_("Optional, to the producer.")
    )
