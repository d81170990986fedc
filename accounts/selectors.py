"""Reads of users and profiles, with their related rows fetched up front."""

from django.db.models import Prefetch, QuerySet

from catalogue.models import Product

from .models import BuyerProfile, ProducerProfile


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


def buyers_for_listing() -> QuerySet[BuyerProfile]:
    return BuyerProfile.objects.prefetch_related("sought_sectors")
