"""Reads of users and profiles, with their related rows fetched up front.

A producer's sectors are its declared sectors united with what the apps above
add (the catalogue: the codes of its listed products). Such an app registers a
`ProducerSectorSource` in its `AppConfig.ready()`: the prefetch that
`producers_for_listing` adds, and how to read the codes from the prefetched rows.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from .models import BuyerProfile, ProducerProfile


@dataclass(frozen=True)
class ProducerSectorSource:
    """HS codes a higher app adds to a producer's sectors."""

    # What `producers_for_listing` fetches alongside, so that `codes` costs no query.
    prefetch: Callable[[], Prefetch | str]
    codes: Callable[[ProducerProfile], Iterable[str]]


_SECTOR_SOURCES: list[ProducerSectorSource] = []


def register_producer_sector_source(source: ProducerSectorSource) -> None:
    """Add `source` to every producer's sectors (from an `AppConfig.ready()`)."""
    if source not in _SECTOR_SOURCES:
        _SECTOR_SOURCES.append(source)


def producers_for_listing() -> QuerySet[ProducerProfile]:
    """Producers with declared sectors and the registered sources' rows prefetched (for `sectors`)."""
    return ProducerProfile.objects.prefetch_related(
        "declared_sectors", *(source.prefetch() for source in _SECTOR_SOURCES)
    )


def producer_sector_codes(producer: ProducerProfile) -> list[str]:
    """Declared HS codes united with those the registered sources add (listed products), sorted."""
    codes = {sector.code for sector in producer.declared_sectors.all()}
    for source in _SECTOR_SOURCES:
        codes.update(source.codes(producer))
    return sorted(codes)


def buyers_for_listing() -> QuerySet[BuyerProfile]:
    return BuyerProfile.objects.prefetch_related("sought_sectors")
