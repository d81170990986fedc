"""The API's side of texts in several languages (docs/api.md "Languages").

Output: each translated field in the language asked (`Accept-Language`, else the user's
preference), else English, else the original (portal/content.py), with `language` (the
language of the texts returned), `original_language`, and `translations` for who may edit
them (null for everyone else). Input: `language` (the original's) and `translations`,
typed here and ruled on by the services (portal/translations_input.py).
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal import content

TEXT_LENGTH = 20000  # longer than any translated column; the services check each column's own


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "additionalProperties": {"type": "object", "additionalProperties": {"type": "string"}},
        "example": {"en": {"name": "Two-door refrigerator"}},
    }
)
class TranslationsField(serializers.SerializerMethodField):
    """Every translation other than the original: {"en": {"name": …, "description": …}, …}."""


class TranslatedTextsOutputMixin(serializers.Serializer):
    language = serializers.SerializerMethodField(help_text=_("The language of the texts returned."))
    original_language = serializers.SerializerMethodField(
        help_text=_("The language the texts were written in.")
    )
    translations = TranslationsField(
        help_text=_("The translations, for who may edit them (null for everyone else).")
    )

    def may_see_translations(self, user, obj) -> bool:
        """Staff, and who may write the texts (the subclass says)."""
        return bool(user and getattr(user, "is_portal_staff", False))

    def _fields(self, obj) -> tuple[str, ...]:
        return content.translated_fields(type(obj))

    def get_language(self, obj) -> str:
        return content.shown(obj, self._fields(obj)[0]).language

    def get_original_language(self, obj) -> str:
        return content.original_language(obj)

    def get_translations(self, obj) -> dict | None:
        request = self.context.get("request")
        if self.may_see_translations(getattr(request, "user", None), obj):
            return content.translations_of(obj)
        return None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for field in self._fields(instance):
            if field in data:
                data[field] = content.shown_text(instance, field)
        return data


class TranslatedTextsInputMixin(serializers.Serializer):
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        help_text=_("The language of the original texts (default: as they look, else the request's)."),
    )
    translations = serializers.DictField(
        child=serializers.DictField(
            child=serializers.CharField(
                allow_blank=True, allow_null=True, trim_whitespace=False, max_length=TEXT_LENGTH
            )
        ),
        required=False,
        help_text=_('Texts in other languages, e.g. {"en": {"name": "…"}}; an empty text removes one.'),
    )
