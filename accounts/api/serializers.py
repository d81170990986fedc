"""API shapes for users and profiles: input serializers type the data, services rule on it."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.companies import acts_for
from accounts.models import BuyerProfile, CompanyRole, Invitation, Language, Role, User
from accounts.policies import CONTACT_FIELDS, can_view_buyer_contacts, counsellor_markets
from accounts.services import BUYER_FIELDS
from portal.api.fields import BoundedListField, ScopedPrimaryKeyRelatedField, public_file_url
from portal.api.texts import TranslatedTextsInputMixin, TranslatedTextsOutputMixin
from portal.validation import max_length

# Every input string carries its model column's length (a longer one is a 400, not a
# database error); lists their service's limit. Codes may come padded or lower-case.
PASSWORD_LENGTH = 4096
CODE_LENGTH = 20
B = BuyerProfile


def nameable_owners(user, queryset):
    """Staff name any user as a profile's owner; anyone else only themselves (another user's
    id is then "does not exist", as for an id that names nobody)."""
    return queryset if user.is_portal_staff else queryset.filter(pk=user.pk)


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=max_length(User, "email"))
    password = serializers.CharField(
        trim_whitespace=False, max_length=PASSWORD_LENGTH, style={"input_type": "password"}
    )
    code = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        help_text=_(
            "A current code of the account's authenticator app, or one of its recovery codes: "
            "required once two-factor sign-in is on (always for staff)."
        ),
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True, help_text=_("Send as `Authorization: Token <key>`."))
    expires_at = serializers.DateTimeField(
        read_only=True,
        help_text=_("When the token stops working; a password change or DELETE on this path ends it sooner."),
    )


# --- Users ------------------------------------------------------------------


class UserInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=max_length(User, "email"))
    password = serializers.CharField(
        trim_whitespace=False, write_only=True, max_length=PASSWORD_LENGTH, style={"input_type": "password"}
    )
    role = serializers.ChoiceField(choices=Role.choices)
    full_name = serializers.CharField(
        max_length=max_length(User, "full_name"), required=False, allow_blank=True, default=""
    )
    preferred_language = serializers.ChoiceField(choices=Language.choices, required=False, default="fa")


class UserOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "role", "full_name", "preferred_language", "date_joined"]
        read_only_fields = fields


# --- Contacts, hidden where the caller may not see them ---------------------


def _blank_or(format_: str) -> dict:
    return {"anyOf": [{"type": "string", "format": format_}, {"type": "string", "maxLength": 0}]}


@extend_schema_field(_blank_or("uri"))
class ContactURLField(serializers.CharField):
    """A contact URL as stored: a URL, or empty when none was given (null where hidden)."""


@extend_schema_field(_blank_or("email"))
class ContactEmailField(serializers.CharField):
    """A contact email as stored: an address, or empty when none was given (null where hidden)."""


class ContactsPerPolicyMixin(serializers.Serializer):
    """Null the contact fields unless `can_view_contacts(user, obj)` allows them."""

    # Each may be empty as stored, and is null where the caller may not see it (docs/api.md).
    website = ContactURLField(allow_null=True, allow_blank=True, read_only=True)
    email = ContactEmailField(allow_null=True, allow_blank=True, read_only=True)
    phone = serializers.CharField(allow_null=True, allow_blank=True, read_only=True)
    contact_name = serializers.CharField(allow_null=True, allow_blank=True, read_only=True)

    def can_view_contacts(self, user, obj) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if not self.can_view_contacts(user, instance):
            for field in CONTACT_FIELDS:
                if field in data:
                    data[field] = None
        return data


class BuyerOutputSerializer(TranslatedTextsOutputMixin, ContactsPerPolicyMixin, serializers.ModelSerializer):
    country = serializers.CharField(source="country.code")
    sought_sectors = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    logo_url = serializers.SerializerMethodField(help_text=_("The company's logo, if any."))
    company = serializers.IntegerField(
        source="company_id",
        read_only=True,
        help_text=_("The company: its members at /api/v1/companies/{id}/members/."),
    )

    class Meta:
        model = BuyerProfile
        fields = [
            "id",
            "owner",
            "company",
            *BUYER_FIELDS,
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

    def can_view_contacts(self, user, obj) -> bool:
        return can_view_buyer_contacts(user, obj)

    def get_logo_url(self, obj) -> str | None:
        return public_file_url(self.context.get("request"), obj.logo)

    def may_see_translations(self, user, obj) -> bool:
        # Counsellors of the buyer's market add translations for it (counsellors app).
        return (
            super().may_see_translations(user, obj)
            or acts_for(user, obj)
            or (getattr(user, "is_counsellor", False) and obj.country.code in counsellor_markets(user))
        )


class BuyerInputSerializer(TranslatedTextsInputMixin, serializers.Serializer):
    owner = ScopedPrimaryKeyRelatedField(
        queryset=User.objects.all(),
        scope=nameable_owners,
        required=False,
        help_text=_("Staff only: the buyer user."),
    )
    company_name = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length(B, "company_name")
    )
    country = serializers.CharField(required=False, allow_blank=True, max_length=CODE_LENGTH)
    city = serializers.CharField(required=False, allow_blank=True, max_length=max_length(B, "city"))
    website = serializers.CharField(required=False, allow_blank=True, max_length=max_length(B, "website"))
    email = serializers.CharField(required=False, allow_blank=True, max_length=max_length(B, "email"))
    phone = serializers.CharField(required=False, allow_blank=True, max_length=max_length(B, "phone"))
    contact_name = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length(B, "contact_name")
    )
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length(B, "description")
    )
    sought_sectors = BoundedListField(max_length=100, item_length=CODE_LENGTH, required=False)
    seeks_parts = serializers.BooleanField(
        required=False,
        help_text=_("Also propose makers of the parts and components of the sought goods (default false)."),
    )
    annual_demand = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True)
    demand_unit = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length(B, "demand_unit")
    )
    typical_order = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True)
    required_certifications = BoundedListField(max_length=20, item_length=40, required=False)
    languages = BoundedListField(max_length=20, item_length=CODE_LENGTH, required=False)


# --- A company's members -------------------------------------------------------------------


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    full_name = serializers.CharField(read_only=True)
    role = serializers.ChoiceField(source="company_role", choices=CompanyRole.choices, read_only=True)


class InvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    role = serializers.ChoiceField(choices=CompanyRole.choices, read_only=True)
    invited_by = serializers.IntegerField(source="invited_by_id", read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)


class TeamSerializer(serializers.Serializer):
    company = serializers.IntegerField(read_only=True)
    members = MemberSerializer(many=True, read_only=True)
    invitations = InvitationSerializer(many=True, read_only=True)


class InviteInputSerializer(serializers.Serializer):
    """Types only; accounts.teams decides who may be invited (an editor, by email)."""

    email = serializers.CharField(max_length=max_length(Invitation, "email"))
    role = serializers.ChoiceField(choices=CompanyRole.choices, default=CompanyRole.EDITOR)
