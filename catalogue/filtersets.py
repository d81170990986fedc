"""The catalogue's filter sets, one per resource, shared by the pages and the API (docs/api.md,
"Search"), as NetBox's `filtersets.py`.

`ProductFilterSet` takes exactly the public product-search parameters; invalid
values are form errors (the API answers 400 with them, the page shows them
beside the field), never a server error. `ProducerFilterSet` serves the producer
list (GET /api/v1/producers/); it lives here, not in accounts, because it searches
the producers' listed products. An HS code filters as `taxonomy.sectors.sector_q` says.
Visibility is not decided here: callers pass a queryset already scoped by
`catalogue.policies.products_visible_to` (see `catalogue.selectors`).
"""

from decimal import Decimal
from functools import reduce
from operator import or_

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.lookups import IExact
from django.utils.translation import gettext_lazy as _

from accounts.models import ProducerProfile
from portal import content
from portal import validation as rules
from portal.filters import CountryCodeFilter, IdFilter, country_choices
from taxonomy.filtersets import HSCodeFilter
from taxonomy.models import CapacityUnit, Sector, SectorLevel
from taxonomy.provinces import province_aliases
from taxonomy.search import folded, folded_words_q
from taxonomy.sectors import sector_q, tagged_with
from taxonomy.widgets import HSCodePickerWidget

from .models import Product
from .search import query_words, search_products

MAX_SEARCH_LENGTH = rules.MAX_SEARCH_LENGTH


class CertificationField(forms.CharField):
    """A certification name as stored: upper case, no spaces ('iso 9001' → 'ISO9001')."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def clean(self, value) -> str:
        value = super().clean(value)
        return rules.certification_codes([value])[0] if value else ""


class CertificationFilter(django_filters.CharFilter):
    field_class = CertificationField


def _section_choices() -> list[tuple[str, str]]:
    sections = Sector.objects.filter(level=SectorLevel.SECTION).only("code", *content.columns("name"))
    return [(section.code, f"{section.code} — {section.display_name}") for section in sections]


# --- Filters shared by products and producers -------------------------------------------


def province_q(value: str, field: str) -> Q:
    """Rows whose province (`field`, free text) is the one `value` names, in whichever of its
    names (`taxonomy.provinces`) either is written, Persian letter variants folded."""
    aliases = province_aliases(value)
    return reduce(or_, (Q(IExact(folded(field), alias)) for alias in aliases), Q(pk__in=[]))


def certification_condition(code: str, field: str = "certifications") -> Q:
    # A JSON list of codes: the quoted code matches one element exactly, on every database.
    return Q(**{f"{field}__icontains": f'"{code}"'})


def _hs_filter(label):
    return HSCodeFilter(
        label=label,
        method="filter_hs",
        widget=HSCodePickerWidget,
        help_text=_("A chapter, heading or subheading (84, 8418, 841810) or a section (XVI)."),
    )


def _section_filter():
    return django_filters.ChoiceFilter(
        label=_("HS section"), choices=_section_choices, empty_label=_("Any section"), method="filter_hs"
    )


def _target_market_filter():
    return CountryCodeFilter(
        label=_("Target market"),
        choices=country_choices,
        method="filter_target_market",
    )


class _CatalogueFilterSet(django_filters.FilterSet):
    """What products and producers filter alike; `ordering` is applied last, by `ORDERINGS`."""

    ORDERINGS: dict[str, tuple[str, ...]] = {}
    # How the model reaches the producer's fields ("producer__" from a product).
    producer_prefix = ""

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        data = self.form.cleaned_data
        for name, value in data.items():
            if name != "ordering":
                queryset = self.filters[name].filter(queryset, value)
        return queryset.order_by(*self.ORDERINGS[self.ordering_for(queryset, data.get("ordering"))])

    def ordering_for(self, queryset: QuerySet, requested: str | None) -> str:
        return requested or next(iter(self.ORDERINGS))

    def filter_province(self, queryset, name, value: str):
        # Any name of the province (Persian or Latin, its capital), whichever one the profile holds.
        return queryset.filter(province_q(value, f"{self.producer_prefix}province"))

    def filter_target_market(self, queryset, name, value: str):
        # Stored as "IQ,TR,AM": two-letter codes between commas, so a substring is one code.
        return queryset.filter(**{f"{self.producer_prefix}target_markets__contains": value})

    def filter_noop(self, queryset, name, value):
        return queryset


# --- Products ------------------------------------------------------------------------------


class ProductFilterSet(_CatalogueFilterSet):
    """GET /api/v1/products/ and the catalogue page: search plus the docs/api.md filters.

    `ordering` is `relevance` (the default when `search` is given), `annual_capacity`
    or `created_at` (the default otherwise), each also negated with a leading '-'.
    """

    search = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        max_length=MAX_SEARCH_LENGTH,
        help_text=_("Words in Persian or English: product, producer or HS description."),
    )
    hs = _hs_filter(_("HS code"))
    section = _section_filter()
    province = django_filters.CharFilter(label=_("Province"), method="filter_province", max_length=100)
    certification = CertificationFilter(label=_("Certification"), method="filter_certification")
    target_market = _target_market_filter()
    min_capacity = django_filters.NumberFilter(
        label=_("Available capacity at least"),
        field_name="available_capacity",
        lookup_expr="gte",
        min_value=0,
        max_value=rules.MAX_QUANTITY,
    )
    capacity_unit = django_filters.ChoiceFilter(
        label=_("Capacity unit"), choices=CapacityUnit.choices, empty_label=_("Any unit")
    )
    max_moq = django_filters.NumberFilter(
        label=_("Minimum order at most"),
        method="filter_max_moq",
        min_value=0,
        max_value=rules.MAX_QUANTITY,
    )
    producer = IdFilter(label=_("Producer"), field_name="producer_id", min_value=1, max_value=rules.MAX_ID)
    ordering = django_filters.ChoiceFilter(
        label=_("Sort by"),
        method="filter_noop",
        empty_label=_("Default order"),
        choices=[
            ("relevance", _("Most relevant first")),
            ("-relevance", _("Least relevant first")),
            ("-created_at", _("Newest first")),
            ("created_at", _("Oldest first")),
            ("-annual_capacity", _("Largest capacity first")),
            ("annual_capacity", _("Smallest capacity first")),
        ],
    )

    ORDERINGS = {
        "-created_at": ("-created_at", "-id"),
        "created_at": ("created_at", "id"),
        "relevance": ("-relevance", "-created_at", "-id"),
        "-relevance": ("relevance", "created_at", "id"),
        "-annual_capacity": ("-annual_capacity", "-id"),
        "annual_capacity": ("annual_capacity", "id"),
    }
    producer_prefix = "producer__"

    class Meta:
        model = Product
        fields: list[str] = []

    def ordering_for(self, queryset, requested):
        searched = "relevance" in queryset.query.annotations
        if requested in ("relevance", "-relevance") and not searched:
            requested = None  # nothing to rank by without a search
        return requested or ("relevance" if searched else "-created_at")

    def filter_search(self, queryset, name, value: str):
        # The results and their facets (catalogue.facets) search the same products: the
        # search's lookups (typo corrections, matching HS codes) run once for all of them.
        key = (value, str(queryset.query))
        cached = getattr(self, "_searched", None)
        if cached is None or cached[0] != key:
            self._searched = cached = (key, search_products(queryset, value))
        return cached[1]._chain()

    def filter_hs(self, queryset, name, value: str):
        return queryset.filter(sector_q(value, "hs_code"))

    def filter_certification(self, queryset, name, value: str):
        # Held by the product itself or by its producer (ISO 9001 is usually the company's).
        return queryset.filter(
            certification_condition(value) | certification_condition(value, "producer__certifications")
        )

    def filter_max_moq(self, queryset, name, value: Decimal):
        return queryset.filter(Q(moq__isnull=True) | Q(moq__lte=value))


# --- Producers -----------------------------------------------------------------------------


class ProducerFilterSet(_CatalogueFilterSet):
    """The producer list: search over names (and their listed products), sector, place, markets."""

    search = django_filters.CharFilter(
        label=_("Search"), method="filter_search", max_length=MAX_SEARCH_LENGTH
    )
    hs = _hs_filter(_("Sector (HS code)"))
    sector = HSCodeFilter(method="filter_hs", label=_("Sector (HS code)"))
    section = _section_filter()
    province = django_filters.CharFilter(label=_("Province"), method="filter_province", max_length=100)
    target_market = _target_market_filter()
    certification = CertificationFilter(label=_("Certification"), method="filter_certification")
    verified = django_filters.BooleanFilter(label=_("Verified by staff"))
    ordering = django_filters.ChoiceFilter(
        label=_("Sort by"),
        method="filter_noop",
        empty_label=_("Default order"),
        choices=[
            ("name", _("Name")),
            ("-name", _("Name, reversed")),
            ("-created_at", _("Newest first")),
            ("created_at", _("Oldest first")),
        ],
    )

    ORDERINGS = {
        "name": ("name", "id"),
        "-name": ("-name", "-id"),
        "-created_at": ("-created_at", "-id"),
        "created_at": ("created_at", "id"),
    }

    class Meta:
        model = ProducerProfile
        fields: list[str] = []

    def filter_search(self, queryset, name, value: str):
        words = query_words(value)
        if not words:
            return queryset
        by_name = folded_words_q(words, ("name", "description"))
        listed = search_products(Product.objects.filter(is_active=True), value).values("producer_id")
        return queryset.filter(by_name | Q(pk__in=listed))

    def filter_hs(self, queryset, name, value: str):
        products = Product.objects.filter(sector_q(value, "hs_code"), producer=OuterRef("pk"), is_active=True)
        return queryset.filter(Exists(products) | tagged_with(ProducerProfile.declared_sectors, value))

    def filter_certification(self, queryset, name, value: str):
        return queryset.filter(certification_condition(value))
