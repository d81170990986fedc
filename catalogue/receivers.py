"""The catalogue's receivers of the signals of the apps below it (accounts.signals),
connected by `catalogue.hooks` from `CatalogueConfig.ready()`."""

from .search import PRODUCER_INDEXED_FIELDS, refresh_search_index


def reindex_producer_products(sender, *, profile, created: bool, changed, **kwargs) -> None:
    """A producer's name, description and city are part of its products' search text: when
    one was written, rebuild that text in the write's own transaction (a search right after
    the edit finds the new name). A new producer has no products yet."""
    if not created and PRODUCER_INDEXED_FIELDS & changed:
        refresh_search_index(producer_ids=[profile.pk])
