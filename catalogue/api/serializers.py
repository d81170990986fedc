"""API serializers of the catalogue, one section per resource."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.api.serializers import (
    CODE_LENGTH,
    ContactsPerPolicyMixin,
    nameable_owners,
)
from accounts.companies import acts_for
from accounts.models import ProducerProfile, User
from accounts.policies import can_view_producer_contacts
from accounts.services import PRODUCER_FIELDS
from catalogue.models import Product, ProductImage
from catalogue.selectors import producer_sector_codes
from catalogue.services import PRODUCT_FIELDS
from portal.api.fields import (
    BoundedListField,
    PictureUploadField,
    ScopedPrimaryKeyRelatedField,
    public_file_url,
)
from portal.api.texts import TranslatedTextsInputMixin, TranslatedTextsOutputMixin
from portal.content import shown_text
from portal.validation import MAX_NUMBER_LENGTH, max_length

# --- Products ---------------------------------------------------------------


class ProductImageOutputSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text=_("The photo, at most 1920 pixels on its longer side."))
    thumbnail_url = serializers.SerializerMethodField(
        help_text=_("A copy at most 320 pixels on its longer side.")
    )
    width = serializers.IntegerField(read_only=True, help_text=_("The photo's width in pixels (of `url`)."))
    height = serializers.IntegerField(read_only=True, help_text=_("The photo's height in pixels (of `url`)."))

    class Meta:
        model = ProductImage
        fields = ["id", "url", "thumbnail_url", "width", "height"]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return public_file_url(self.context.get("request"), obj.image)

    def get_thumbnail_url(self, obj) -> str:
        return public_file_url(self.context.get("request"), obj.thumbnail)


class PictureInputSerializer(serializers.Serializer):
    image = PictureUploadField(
        help_text=_("A PNG, JPEG or WebP picture; re-encoded without its metadata (EXIF, GPS).")
    )


class ProductOutputSerializer(TranslatedTextsOutputMixin, serializers.ModelSerializer):
    hs_code = serializers.CharField(source="hs_code_id")
    hs_name = serializers.CharField(source="hs_code.display_name", read_only=True)
    producer_name = serializers.SerializerMethodField(
        help_text=_("The producer's name in the language asked, else English, else the original.")
    )
    images = ProductImageOutputSerializer(many=True, read_only=True, help_text=_("The photos, in order."))
    catalogue_pdf_url = serializers.SerializerMethodField(
        help_text=_("The product's catalogue (PDF), if any.")
    )

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
            "images",
            "catalogue_pdf_url",
            "language",
            "original_language",
            "translations",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_producer_name(self, obj) -> str:
        return shown_text(obj.producer, "name")

    def get_catalogue_pdf_url(self, obj) -> str | None:
        return public_file_url(self.context.get("request"), obj.catalogue_pdf)

    def may_see_translations(self, user, obj) -> bool:
        return super().may_see_translations(user, obj) or acts_for(user, obj.producer)


class ProductInputSerializer(TranslatedTextsInputMixin, serializers.Serializer):
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


# --- Producers ----------------------------------------------------------------

P = ProducerProfile


class ProducerOutputSerializer(
    TranslatedTextsOutputMixin, ContactsPerPolicyMixin, serializers.ModelSerializer
):
    sectors = serializers.SerializerMethodField(help_text=_("Declared HS codes and those of the products."))
    target_markets = serializers.SerializerMethodField()
    export_experience = serializers.SerializerMethodField()
    logo_url = serializers.SerializerMethodField(help_text=_("The company's logo, if any."))
    company = serializers.IntegerField(
        source="company_id",
        read_only=True,
        help_text=_("The company: its members at /api/v1/companies/{id}/members/."),
    )

    class Meta:
        model = ProducerProfile
        fields = [
            "id",
            "owner",
            "company",
            *PRODUCER_FIELDS,
            "verified",
            "verified_at",
            "logo_url",
            "language",
            "original_language",
            "translations",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def may_see_translations(self, user, obj) -> bool:
        return super().may_see_translations(user, obj) or acts_for(user, obj)

    def can_view_contacts(self, user, obj) -> bool:
        return can_view_producer_contacts(user, obj)

    def get_logo_url(self, obj) -> str | None:
        return public_file_url(self.context.get("request"), obj.logo)

    def get_sectors(self, obj) -> list[str]:
        return producer_sector_codes(obj)

    def get_target_markets(self, obj) -> list[str]:
        return [country.code for country in obj.target_markets]

    def get_export_experience(self, obj) -> list[str]:
        return [country.code for country in obj.export_experience]


class ProducerInputSerializer(TranslatedTextsInputMixin, serializers.Serializer):
    """Types only; accounts.services decides what is valid and who may set what."""

    owner = ScopedPrimaryKeyRelatedField(
        queryset=User.objects.all(),
        scope=nameable_owners,
        required=False,
        help_text=_("Staff only: the producer user."),
    )
    verified = serializers.BooleanField(
        required=False,
        help_text=_(
            "Cannot be set (a 400): it follows the review of the company's verification "
            "request (/api/v1/verifications/)."
        ),
    )
    name = serializers.CharField(required=False, allow_blank=True, max_length=max_length(P, "name"))
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length(P, "description")
    )
    province = serializers.CharField(required=False, allow_blank=True, max_length=max_length(P, "province"))
    city = serializers.CharField(required=False, allow_blank=True, max_length=max_length(P, "city"))
    website = serializers.CharField(required=False, allow_blank=True, max_length=max_length(P, "website"))
    email = serializers.CharField(required=False, allow_blank=True, max_length=max_length(P, "email"))
    phone = serializers.CharField(required=False, allow_blank=True, max_length=max_length(P, "phone"))
    contact_name = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length(P, "contact_name")
    )
    sectors = BoundedListField(max_length=100, item_length=CODE_LENGTH, required=False)
    target_markets = BoundedListField(max_length=60, item_length=CODE_LENGTH, required=False)
    open_to_any_market = serializers.BooleanField(required=False)
    export_experience = BoundedListField(max_length=60, item_length=CODE_LENGTH, required=False)
    certifications = BoundedListField(max_length=20, item_length=40, required=False)
    languages = BoundedListField(max_length=20, item_length=CODE_LENGTH, required=False)
    employees = serializers.IntegerField(required=False, allow_null=True)
    founded = serializers.IntegerField(required=False, allow_null=True)


class LogoOutputSerializer(serializers.Serializer):
    logo_url = serializers.SerializerMethodField(
        help_text=_("The logo, at most 512 pixels on its longer side.")
    )
    thumbnail_url = serializers.SerializerMethodField(
        help_text=_("A copy at most 128 pixels on its longer side.")
    )
    width = serializers.IntegerField(source="logo_width", read_only=True)
    height = serializers.IntegerField(source="logo_height", read_only=True)

    def get_logo_url(self, obj) -> str | None:
        return public_file_url(self.context.get("request"), obj.logo)

    def get_thumbnail_url(self, obj) -> str | None:
        return public_file_url(self.context.get("request"), obj.logo_thumbnail)
