"""The HS tree's API shape."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from portal import content
from taxonomy.models import Sector


class SectorSerializer(serializers.ModelSerializer):
    """A node of the Harmonized System tree; `parent` and `section` are codes."""

    parent = serializers.CharField(
        source="parent_id",
        read_only=True,
        allow_null=True,
        help_text=_("The parent's code: the section of a chapter, the chapter of a heading, and so on."),
    )
    section = serializers.CharField(
        source="section_id",
        read_only=True,
        allow_null=True,
        help_text=_("The section's roman numeral; null for a section itself."),
    )

    name = serializers.SerializerMethodField(
        help_text=_("The name in the language asked (Accept-Language), else the nomenclature's English.")
    )
    language = serializers.SerializerMethodField(help_text=_("The language of `name`."))
    names = serializers.SerializerMethodField(help_text=_("The name in every portal language it has."))

    class Meta:
        model = Sector
        fields = ["code", "level", "name", "language", "names", "name_fa", "parent", "section"]
        read_only_fields = fields

    def get_name(self, obj) -> str:
        return content.shown_text(obj, "name")

    def get_language(self, obj) -> str:
        return content.shown(obj, "name").language

    def get_names(self, obj) -> dict[str, str]:
        return {
            language: text
            for language in content.portal_languages()
            if (text := getattr(obj, content.localized_name("name", language)))
        }
