"""The HS tree's API filter set."""

import django_filters
from django.utils.translation import gettext_lazy as _

from portal.validation import MAX_SEARCH_LENGTH
from taxonomy.hs import filter_sectors
from taxonomy.models import Sector, SectorLevel


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
            "A code prefix (“8418”, “84.18”) or words of the English or Persian name; Persian variants "
            "(ي/ی, ك/ک, digits, zero-width non-joiner) match each other."
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
