"""Reads of the catalogue for pages and the API: querysets with their joins already right.

Visibility comes from `catalogue.policies`; every list here costs a constant
number of queries however many rows it returns.
"""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.models import ProducerProfile
from portal import content
from taxonomy.models import Sector

from .filtersets import ProductFilterSet
from .models import Product
from .policies import products_visible_to

# Large search columns a list never shows.
_SEARCH_COLUMNS = ("search_document", "search_vector", "search_name")


def catalogue_products(*, user) -> QuerySet[Product]:
    """The products `user` may see, newest first, their producers and HS codes fetched alongside.

    Prefetched rather than joined: a search ranks thousands of matches to keep
    a page of them, and joins would run for every match, not for the page.
    """
    producers = ProducerProfile.objects.select_related("company__standing__reviewer")  # the badge
    queryset = Product.objects.prefetch_related(
        Prefetch("producer", queryset=producers), "hs_code", "images"
    ).defer(*_SEARCH_COLUMNS)
    return products_visible_to(user, queryset)


def product_search(*, user, params: Mapping[str, Any]) -> QuerySet[Product]:
    """The visible products filtered by the docs/api.md search parameters; ValidationError for bad ones."""
    filterset = ProductFilterSet(params, queryset=catalogue_products(user=user))
    if not filterset.is_valid():
        raise ValidationError(filterset.errors.as_data())
    return filterset.qs


def product_detail(*, user, pk: int) -> Product:
    """One visible product with its producer and HS code joined in, its photos fetched alongside;
    Product.DoesNotExist otherwise."""
    queryset = (
        Product.objects.select_related("producer", "hs_code")
        .prefetch_related("images")
        .defer(*_SEARCH_COLUMNS)
    )
    return products_visible_to(user, queryset).get(pk=pk)


def sector_path(sector: Sector) -> list[Sector]:
    """The section, chapter and heading above `sector`, then `sector` itself (one query)."""
    codes = [code for code in (sector.section_id, *sector.ancestor_codes()) if code]
    above = Sector.objects.in_bulk(codes)
    return [above[code] for code in codes if code in above] + [sector]


def catalogue_producers() -> QuerySet[ProducerProfile]:
    """Producer profiles, which are public, with their declared sectors and listed products counted."""
    return ProducerProfile.objects.prefetch_related(
        Prefetch("declared_sectors", queryset=Sector.objects.order_by("code"))
    ).annotate(listed_products=Count("products", filter=Q(products__is_active=True)))


def producer_detail(*, pk: int) -> ProducerProfile:
    """One producer with its declared sectors; ProducerProfile.DoesNotExist otherwise."""
    return ProducerProfile.objects.prefetch_related(
        Prefetch("declared_sectors", queryset=Sector.objects.order_by("code"))
    ).get(pk=pk)


def producer_products(*, user, producer: ProducerProfile) -> QuerySet[Product]:
    """The producer's products `user` may see, newest first, for its page."""
    return catalogue_products(user=user).filter(producer=producer)


def products_of_producer(producer: ProducerProfile) -> QuerySet[Product]:
    """A producer's own products, listed or not, with their HS code for display."""
    return (
        Product.objects.filter(producer=producer)
        .select_related("hs_code")
        .only(
            "id",
            *content.columns("name"),
            "hs_code__code",
            *content.columns("name", prefix="hs_code__"),
            "annual_capacity",
            "available_capacity",
            "capacity_unit",
            "is_active",
            "updated_at",
        )
        .order_by("name", "id")
    )


# --- Producers over the API ----------------------------------------------------------


def producers_for_listing() -> QuerySet[ProducerProfile]:
    """Producers with declared sectors and product codes prefetched (for `sectors`)."""
    return ProducerProfile.objects.prefetch_related(
        "declared_sectors",
        Prefetch("products", queryset=Product.objects.only("id", "producer_id", "hs_code_id", "is_active")),
    )


def producer_sector_codes(producer: ProducerProfile) -> list[str]:
    """Declared HS codes united with those of the producer's listed products, sorted."""
    codes = {sector.code for sector in producer.declared_sectors.all()}
    codes.update(product.hs_code_id for product in producer.products.all() if product.is_active)
    return sorted(codes)
