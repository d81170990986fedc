"""The accounts' filter sets, one per resource, shared by the pages and the API.

`BuyerFilterSet` filters GET /api/v1/buyers/ (counsellors and staff). The producers' filter
set is `catalogue.filtersets.ProducerFilterSet`: it searches their listed products.
"""

import django_filters
from django_countries import countries

from taxonomy.filtersets import HSCodeFilter
from taxonomy.search import folded_words_q, query_words
from taxonomy.sectors import tagged_with

from .models import BuyerProfile


class BuyerFilterSet(django_filters.FilterSet):
    """Buyers for counsellors and staff: by country, sought sector (any HS level), text."""

    country = django_filters.ChoiceFilter(choices=list(countries))
    sector = HSCodeFilter(method="filter_sector", label="HS code (any level)", max_length=20)
    search = django_filters.CharFilter(method="filter_search", label="Search", max_length=200)

    class Meta:
        model = BuyerProfile
        fields = ["country", "sector", "search"]

    def filter_sector(self, queryset, name, value):
        return queryset.filter(tagged_with(BuyerProfile.sought_sectors, value))

    def filter_search(self, queryset, name, value):
        # Each word, in any order, with Persian variants folded: "Tabriz Machinery" and
        # «ماشین سازی» find «ماشین‌سازی تبریز (Tabriz Machinery Co.)».
        words = query_words(value)
        if not words:
            return queryset
        return queryset.filter(folded_words_q(words, ("company_name", "description", "city")))
