"""The HS tree's API shape."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

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

    class Meta:
        model = Sector
        fields = ["code", "level", "name", "name_fa", "parent", "section"]
        read_only_fields = fields
