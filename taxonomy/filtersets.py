"""The taxonomy's filter sets and the HS code filter every other filter set uses.

`HSCodeFilter` is how a query names an HS code at any level ('84', '8418', '84.18', Persian
digits, or a section 'XVI'); what such a code matches is `taxonomy.sectors.sector_q`.
`SectorFilterSet` filters the HS tree itself (GET /api/v1/sectors/).
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.validation import MAX_SEARCH_LENGTH
from taxonomy.models import Sector, SectorLevel
from taxonomy.search import filter_sectors
from taxonomy.sectors import SECTION_CODES, clean_hs_code


class HSCodeField(forms.CharField):
    """An HS code at any level ('84', '8418', '84.18', Persian digits) or a section ('XVI')."""

    default_error_messages = {
        "unknown": _("HS code %(code)s does not exist."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value) -> str:
        value = super().clean(value)
        if not value:
            return ""
        section = value.strip().upper()
        if section in SECTION_CODES:
            return section
        code = clean_hs_code(value)
        if not Sector.objects.filter(pk=code).exists():
            raise ValidationError(self.error_messages["unknown"], code="unknown", params={"code": code})
        return code


class HSCodeFilter(django_filters.CharFilter):
    """A filter on an `HSCodeField`; its `method` calls `taxonomy.sectors.sector_q`."""

    field_class = HSCodeField


class SectorFilterSet(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(
        choices=SectorLevel.choices, help_text=_("0 section, 2 chapter, 4 heading, 6 subheading.")
    )
    parent = django_filters.CharFilter(
        method="filter_parent",
        max_length=20,
        help_text=_("The parent's code: a section (“XVI”), chapter or heading."),
    )
    section = django_filters.CharFilter(
        method="filter_section", max_length=20, help_text=_("A section's roman numeral, e.g. “XVI”.")
    )
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=MAX_SEARCH_LENGTH,
        help_text=_(
            "A code prefix (“8418”, “84.18”) or words of the name in any of the portal's languages, "
            "singular or plural, typos forgiven; Persian and Arabic variants (ي/ی, ك/ک, digits, "
            "zero-width non-joiner) match each other."
        ),
    )

    class Meta:
        model = Sector
        fields = ["level", "parent", "section", "search"]

    def filter_parent(self, queryset, name, value):
        return queryset.filter(parent_id=value.strip().upper())

    def filter_section(self, queryset, name, value):
        return queryset.filter(section_id=value.strip().upper())

    def filter_search(self, queryset, name, value):
        return filter_sectors(queryset, value)
