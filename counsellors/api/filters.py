"""Filters of GET /api/v1/counsellors/ and /api/v1/briefs/: bad values are a 400."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts.models import Language
from catalogue.filters import CountryCodeFilter, HSCodeFilter, IdFilter
from counsellors.models import CounsellorProfile, MarketBrief


def _sectors_meeting(code: str) -> Q:
    """Tagged with `code`, a code under it, or one above it (a section by its own key)."""
    if not code.isdigit():
        return Q(sectors__section_id=code) | Q(sectors__code=code)
    above = [code[:n] for n in (2, 4) if n < len(code)]
    return Q(sectors__code__startswith=code) | Q(sectors__code__in=above)


class _SectorFilterMixin:
    def filter_sector(self, queryset, name, value: str):
        return queryset.filter(_sectors_meeting(value)).distinct() if value else queryset


class CounsellorFilter(_SectorFilterMixin, django_filters.FilterSet):
    country = CountryCodeFilter(
        method="filter_country",
        choices=list(countries),
        help_text=_("Posted in or covering this country (ISO 3166-1 alpha-2)."),
    )
    sector = HSCodeFilter(method="filter_sector", help_text=_("An HS code at any level, or a section."))
    is_active = django_filters.BooleanFilter(help_text=_("Takes new matches."))

    class Meta:
        model = CounsellorProfile
        fields: list[str] = []

    def filter_country(self, queryset, name, value: str):
        if not value:
            return queryset
        # Stored comma-separated two-letter codes: a two-letter substring is a whole code.
        return queryset.filter(Q(posted_country=value) | Q(covered_countries__contains=value))


class BriefFilter(_SectorFilterMixin, django_filters.FilterSet):
    country = CountryCodeFilter(
        field_name="country", choices=list(countries), help_text=_("ISO 3166-1 alpha-2.")
    )
    sector = HSCodeFilter(method="filter_sector", help_text=_("An HS code at any level, or a section."))
    language = django_filters.ChoiceFilter(choices=Language.choices)
    author = IdFilter(field_name="author_id", min_value=1, help_text=_("The author's user id."))

    class Meta:
        model = MarketBrief
        fields: list[str] = []
