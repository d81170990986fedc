"""API shapes of buying requests: input serializers type the data, sourcing.services rules on it.

A request's buyer is withheld from a producer until a match on it is forwarded
(`sourcing.policies.sees_buyer`): `buyer` and `buyer_name` are then null, the port too where
it names the company, and the history is empty. The views pass the ids a forwarded match
reveals (`revealed_request_ids`, asked once per list) in the context.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import CODE_LENGTH
from accounts.companies import company_q
from accounts.models import BuyerProfile
from portal.api.fields import BoundedListField, ScopedPrimaryKeyRelatedField
from portal.api.texts import TranslatedTextsInputMixin, TranslatedTextsOutputMixin
from portal.content import shown_text
from portal.validation import MAX_NUMBER_LENGTH, max_length
from sourcing.models import BuyingRequest, RequestEvent, RequestLine
from sourcing.policies import can_edit_request, sees_buyer, sees_history, shown_port
from sourcing.services import MAX_LINES, NOTE_LENGTH
from taxonomy.models import Incoterm

# --- Output -------------------------------------------------------------------------------


class RequestLineOutputSerializer(serializers.ModelSerializer):
    hs_code = serializers.CharField(source="sector_id")
    hs_name = serializers.CharField(source="sector.display_name")

    class Meta:
        model = RequestLine
        fields = ["id", "position", "hs_code", "hs_name", "quantity", "unit", "target_price", "specification"]
        read_only_fields = fields


class RequestEventOutputSerializer(serializers.ModelSerializer):
    from_status = serializers.SerializerMethodField()

    class Meta:
        model = RequestEvent
        fields = ["at", "actor", "from_status", "to_status", "note"]
        read_only_fields = fields

    def get_from_status(self, obj) -> str | None:
        return obj.from_status or None


def _first_line(obj: BuyingRequest) -> RequestLine | None:
    lines = obj.lines.all()
    return lines[0] if lines else None


class RequestOutputSerializer(TranslatedTextsOutputMixin, serializers.ModelSerializer):
    buyer = serializers.SerializerMethodField(help_text=_("The buyer's id; null while withheld from you."))
    buyer_name = serializers.SerializerMethodField(
        help_text=_("The buyer's company name in the language asked; null while withheld from you.")
    )
    hs_code = serializers.SerializerMethodField(help_text=_("The first line's HS code."))
    quantity = serializers.SerializerMethodField(help_text=_("The first line's quantity."))
    unit = serializers.SerializerMethodField(help_text=_("The first line's unit."))
    target_price = serializers.SerializerMethodField(help_text=_("The first line's target unit price."))
    incoterm = serializers.ChoiceField(
        choices=Incoterm.choices, allow_blank=True, read_only=True, help_text=_("Blank when not stated.")
    )
    destination_country = serializers.CharField(source="destination_country.code")
    destination_port = serializers.SerializerMethodField(
        help_text=_("Null while the buyer is withheld from you and the port names the company.")
    )
    lines = RequestLineOutputSerializer(many=True, read_only=True)
    review_note = serializers.SerializerMethodField(
        help_text=_("The counsellor's last note (why it was returned); for the buyer, counsellors and staff.")
    )
    events = serializers.SerializerMethodField()

    class Meta:
        model = BuyingRequest
        fields = [
            "id",
            "buyer",
            "buyer_name",
            "title",
            "hs_code",
            "quantity",
            "unit",
            "target_price",
            "currency",
            "incoterm",
            "destination_country",
            "destination_port",
            "deadline",
            "required_certifications",
            "description",
            "status",
            "lines",
            "review_note",
            "published_at",
            "closed_at",
            "created_at",
            "updated_at",
            "events",
            "language",
            "original_language",
            "translations",
        ]
        read_only_fields = fields

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def _sees_buyer(self, obj) -> bool:
        return sees_buyer(self._user(), obj, self.context.get("revealed_request_ids"))

    def may_see_translations(self, user, obj) -> bool:
        return super().may_see_translations(user, obj) or can_edit_request(user, obj)

    def get_buyer(self, obj) -> int | None:
        return obj.buyer_id if self._sees_buyer(obj) else None

    def get_buyer_name(self, obj) -> str | None:
        return shown_text(obj.buyer, "company_name") if self._sees_buyer(obj) else None

    def get_hs_code(self, obj) -> str | None:
        line = _first_line(obj)
        return line.sector_id if line else None

    @extend_schema_field(serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True))
    def get_quantity(self, obj):
        line = _first_line(obj)
        return (
            None
            if line is None
            else serializers.DecimalField(max_digits=16, decimal_places=2).to_representation(line.quantity)
        )

    def get_unit(self, obj) -> str | None:
        line = _first_line(obj)
        return line.unit if line else None

    @extend_schema_field(serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True))
    def get_target_price(self, obj):
        line = _first_line(obj)
        if line is None or line.target_price is None:
            return None
        return serializers.DecimalField(max_digits=16, decimal_places=2).to_representation(line.target_price)

    def get_destination_port(self, obj) -> str | None:
        return shown_port(obj, withheld=not self._sees_buyer(obj))

    def get_review_note(self, obj) -> str | None:
        return obj.review_note if sees_history(self._user(), obj) else None

    @extend_schema_field(RequestEventOutputSerializer(many=True))
    def get_events(self, obj) -> list[dict]:
        """The history for the buyer, counsellors in scope and staff; empty for producers."""
        if not sees_history(self._user(), obj):
            return []
        return RequestEventOutputSerializer(obj.events.all(), many=True).data


# --- Input --------------------------------------------------------------------------------

NUMBER = {"max_length": MAX_NUMBER_LENGTH}
DATE_LENGTH = 20


@extend_schema_field({"type": "string", "format": "date", "maxLength": DATE_LENGTH})
class DateInputField(serializers.DateField):
    """An ISO 8601 date (2027-03-20), its text bounded like every input string."""

    def to_internal_value(self, value):
        if isinstance(value, str) and len(value) > DATE_LENGTH:
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


class RequestLineInputSerializer(serializers.Serializer):
    """Types only; sourcing.services decides what is valid."""

    hs_code = serializers.CharField(max_length=CODE_LENGTH, help_text=_("2, 4 or 6 digits, e.g. 8413."))
    quantity = serializers.CharField(**NUMBER, help_text=_("Greater than zero, at most two decimals."))
    unit = serializers.CharField(
        max_length=max_length(RequestLine, "unit"),
        help_text=_("units, sets, pairs, kg, tonnes, litres, m2 or m3."),
    )
    target_price = serializers.CharField(
        **NUMBER, required=False, allow_null=True, allow_blank=True, help_text=_("Per unit, in `currency`.")
    )
    specification = serializers.CharField(
        max_length=max_length(RequestLine, "specification"), required=False, allow_blank=True
    )


def nameable_buyers(user, queryset):
    """Staff name any buyer; a buyer only its own company (another's id "does not exist")."""
    return queryset if user.is_portal_staff else queryset.filter(company_q(user))


class LinesField(BoundedListField):
    """The lines: their errors come as one object per line given (`{}` for a good one), as the
    service's do, not keyed by position."""

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            if isinstance(error.detail, dict) and isinstance(data, list | tuple):
                raise serializers.ValidationError(
                    [error.detail.get(index, {}) for index in range(len(data))]
                ) from None
            raise


class RequestInputSerializer(TranslatedTextsInputMixin, serializers.Serializer):
    """Types only; sourcing.services decides what is valid. A one-line request may give its
    line's `hs_code`, `quantity`, `unit` and `target_price` at the top instead of `lines`."""

    buyer = ScopedPrimaryKeyRelatedField(
        queryset=BuyerProfile.objects.all(),
        scope=nameable_buyers,
        required=False,
        help_text=_("Staff only, on creation: whose request this is."),
    )

    title = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length(BuyingRequest, "title")
    )
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length(BuyingRequest, "description")
    )
    hs_code = serializers.CharField(required=False, max_length=CODE_LENGTH, help_text=_("The first line's."))
    quantity = serializers.CharField(**NUMBER, required=False, help_text=_("The first line's."))
    unit = serializers.CharField(
        required=False, max_length=max_length(RequestLine, "unit"), help_text=_("The first line's.")
    )
    target_price = serializers.CharField(
        **NUMBER, required=False, allow_null=True, allow_blank=True, help_text=_("The first line's.")
    )
    currency = serializers.CharField(
        required=False, max_length=CODE_LENGTH, help_text=_("ISO 4217, e.g. USD.")
    )
    incoterm = serializers.CharField(
        required=False, allow_blank=True, max_length=CODE_LENGTH, help_text=_("Incoterms 2020, e.g. CIF.")
    )
    destination_country = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=CODE_LENGTH,
        help_text=_("ISO 3166-1 alpha-2; default: the buyer's country."),
    )
    destination_port = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length(BuyingRequest, "destination_port")
    )
    deadline = DateInputField(
        required=False,
        help_text=_("When the goods must be delivered: a future date, at most two years ahead."),
    )
    required_certifications = BoundedListField(max_length=20, item_length=40, required=False)
    lines = LinesField(
        child=RequestLineInputSerializer(),
        max_length=MAX_LINES,
        required=False,
        help_text=_("The whole set of lines (1 to 20); on a change it replaces the lines there were."),
    )


class NoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_LENGTH, default="")


class ReturnInputSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=NOTE_LENGTH, help_text=_("What the buyer should change (required).")
    )
