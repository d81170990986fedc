"""API serializers of the catalogue, one section per resource."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import ProducerProfile
from catalogue.models import Product
from catalogue.services import PRODUCT_FIELDS
from portal.api.fields import BoundedListField
from portal.validation import MAX_NUMBER_LENGTH, max_length

# --- Products ---------------------------------------------------------------


class ProductOutputSerializer(serializers.ModelSerializer):
    hs_code = serializers.CharField(source="hs_code_id")
    hs_name = serializers.CharField(source="hs_code.display_name", read_only=True)
    producer_name = serializers.CharField(source="producer.name", read_only=True)

    class Meta:
        model = Product
        # The writable fields, each HS code followed by its name.
        fields = [
            "id",
            "producer",
            "producer_name",
            *(
                name
                for field in PRODUCT_FIELDS
                for name in ((field, "hs_name") if field == "hs_code" else (field,))
            ),
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ProductInputSerializer(serializers.Serializer):
    """Types only; catalogue.services decides what is valid and who may set what."""

    producer = serializers.PrimaryKeyRelatedField(
        queryset=ProducerProfile.objects.all(), required=False, help_text=_("Staff only: the producer.")
    )
    name = serializers.CharField(required=False, allow_blank=True, max_length=max_length(Product, "name"))
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length(Product, "description")
    )
    hs_code = serializers.CharField(required=False, max_length=20)
    annual_capacity = serializers.CharField(required=False, max_length=MAX_NUMBER_LENGTH)
    available_capacity = serializers.CharField(required=False, allow_null=True, max_length=MAX_NUMBER_LENGTH)
    capacity_unit = serializers.CharField(required=False, max_length=max_length(Product, "capacity_unit"))
    moq = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=MAX_NUMBER_LENGTH
    )
    lead_time_days = serializers.IntegerField(required=False, allow_null=True)
    price_min = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=MAX_NUMBER_LENGTH
    )
    price_max = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=MAX_NUMBER_LENGTH
    )
    currency = serializers.CharField(required=False, max_length=max_length(Product, "currency"))
    incoterms = BoundedListField(max_length=11, item_length=10, required=False)
    certifications = BoundedListField(max_length=20, item_length=40, required=False)
    is_active = serializers.BooleanField(required=False)
