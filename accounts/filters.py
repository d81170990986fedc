import django_filters
from django.db.models import Q
from django_countries import countries

from portal.normalization import normalize_text

from .models import BuyerProfile


class BuyerFilter(django_filters.FilterSet):
    """Buyers for counsellors and staff: by country, sought sector (any HS level), text."""

    country = django_filters.ChoiceFilter(choices=list(countries))
    sector = django_filters.CharFilter(method="filter_sector", label="HS code (any level)", max_length=20)
    search = django_filters.CharFilter(method="filter_search", label="Search", max_length=200)

    class Meta:
        model = BuyerProfile
        fields = ["country", "sector", "search"]

    def filter_sector(self, queryset, name, value):
        code = normalize_text(value).replace(".", "")
        return queryset.filter(sought_sectors__code__startswith=code).distinct()

    def filter_search(self, queryset, name, value):
        text = value.strip()
        return queryset.filter(
            Q(company_name__icontains=text) | Q(description__icontains=text) | Q(city__icontains=text)
        )
