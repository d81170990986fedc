"""API shapes of matches (API.md, "Match"): output per the public contract, input for rematch."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from accounts.api.serializers import BuyerOutputSerializer, ProducerOutputSerializer
from accounts.models import BuyerProfile, ProducerProfile
from matchmaking.models import Match, MatchEvent, MatchStatus
from matchmaking.reasons import render_breakdown


class MatchEventSerializer(serializers.ModelSerializer):
    from_status = serializers.SerializerMethodField()

    class Meta:
        model = MatchEvent
        fields = ["at", "actor", "from_status", "to_status", "note"]
        read_only_fields = fields

    def get_from_status(self, obj) -> str | None:
        return obj.from_status or None


_factor = inline_serializer(
    "MatchFactor",
    fields={
        "score": serializers.FloatField(),
        "weight": serializers.FloatField(),
        "reason": serializers.CharField(help_text=_("Why, in the request's language.")),
    },
)
_breakdown = inline_serializer(
    "MatchBreakdown",
    fields={"sector": _factor, "capacity": _factor, "market": _factor, "certifications": _factor},
)
_outcome = inline_serializer(
    "MatchOutcome",
    fields={
        "result": serializers.ChoiceField(choices=[MatchStatus.WON, MatchStatus.LOST]),
        "value": serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True),
        "currency": serializers.CharField(allow_blank=True),
    },
)


class MatchOutputSerializer(serializers.ModelSerializer):
    """A match; `sector_names` in the context names the HS codes its reasons mention."""

    producer = ProducerOutputSerializer(read_only=True)
    buyer = BuyerOutputSerializer(read_only=True)
    score = serializers.DecimalField(max_digits=4, decimal_places=3, coerce_to_string=False, read_only=True)
    breakdown = serializers.SerializerMethodField()
    outcome = serializers.SerializerMethodField()
    events = MatchEventSerializer(many=True, read_only=True)

    class Meta:
        model = Match
        fields = [
            "id",
            "producer",
            "buyer",
            "score",
            "breakdown",
            "status",
            "source",
            "counsellor",
            "producer_response",
            "buyer_response",
            "outcome",
            "created_at",
            "updated_at",
            "events",
        ]
        read_only_fields = fields

    @extend_schema_field(_breakdown)
    def get_breakdown(self, obj) -> dict:
        return render_breakdown(obj.breakdown, self.context.get("sector_names") or {})

    @extend_schema_field(_outcome)
    def get_outcome(self, obj) -> dict | None:
        if obj.status not in (MatchStatus.WON, MatchStatus.LOST):
            return None
        value = obj.outcome_value
        return {
            "result": obj.status,
            "value": None if value is None else str(value),
            "currency": obj.outcome_currency,
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
