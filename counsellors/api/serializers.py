"""API shapes of counsellor profiles and market briefs: output per docs/api.md, input types only
(counsellors.services and counsellors.briefs decide what is valid and who may set what)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import User
from counsellors.briefs import brief_html
from counsellors.models import CounsellorProfile, MarketBrief
from counsellors.policies import can_view_counsellor_contacts
from portal.api.fields import BoundedListField
from portal.api.texts import TranslatedTextsInputMixin, TranslatedTextsOutputMixin
from portal.validation import max_length

CODE_LENGTH = 20

# --- Counsellor profiles ---------------------------------------------------------------


class CounsellorOutputSerializer(serializers.ModelSerializer):
    """A counsellor's desk; `email` and `phone` are null for anonymous callers."""

    name = serializers.CharField(source="user.get_full_name", read_only=True)
    posted_country = serializers.CharField(source="posted_country.code", read_only=True)
    covered_countries = serializers.SerializerMethodField()
    sectors = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True, allow_null=True)
    phone = serializers.CharField(read_only=True, allow_null=True)
    languages = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = CounsellorProfile
        fields = [
            "id",
            "user",
            "name",
            "posted_country",
            "covered_countries",
            "sectors",
            "email",
            "phone",
            "languages",
            "is_active",
        ]
        read_only_fields = fields

    def get_covered_countries(self, obj) -> list[str]:
        return [country.code for country in obj.covered_countries]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if not can_view_counsellor_contacts(getattr(request, "user", None)):
            data["email"] = data["phone"] = None
        return data


class CounsellorInputSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), help_text=_("The counsellor's user id (on creation only).")
    )
    posted_country = serializers.CharField(
        max_length=CODE_LENGTH, help_text=_("ISO 3166-1 alpha-2, e.g. IQ.")
    )
    covered_countries = BoundedListField(max_length=60, item_length=CODE_LENGTH, required=False)
    sectors = BoundedListField(
        max_length=100, item_length=CODE_LENGTH, required=False, help_text=_("HS codes.")
    )
    languages = BoundedListField(max_length=20, item_length=CODE_LENGTH, required=False)
    phone = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length(CounsellorProfile, "phone")
    )
    is_active = serializers.BooleanField(required=False, help_text=_("Takes new matches."))


# --- Market briefs ------------------------------------------------------------------------


class BriefOutputSerializer(TranslatedTextsOutputMixin, serializers.ModelSerializer):
    country = serializers.CharField(source="country.code", read_only=True)
    sectors = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    author_name = serializers.CharField(source="author.get_full_name", read_only=True)
    body_html = serializers.SerializerMethodField(help_text=_("The body shown, as sanitised HTML."))

    class Meta:
        model = MarketBrief
        fields = [
            "id",
            "country",
            "title",
            "body",
            "body_html",
            "sectors",
            "author",
            "author_name",
            "language",
            "original_language",
            "translations",
            "published_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_body_html(self, obj) -> str:
        return brief_html(obj)

    def may_see_translations(self, user, obj) -> bool:
        return super().may_see_translations(user, obj) or obj.author_id == getattr(user, "pk", None)


class BriefInputSerializer(TranslatedTextsInputMixin, serializers.Serializer):
    country = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=CODE_LENGTH,
        help_text=_("Defaults to a counsellor's posting."),
    )
    title = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length(MarketBrief, "title")
    )
    body = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=max_length(MarketBrief, "body"),
        help_text=_("Markdown."),
    )
    sectors = BoundedListField(
        max_length=20, item_length=CODE_LENGTH, required=False, help_text=_("HS codes.")
    )
