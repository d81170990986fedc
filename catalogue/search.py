"""Catalogue search: the indexed text of each product, and the queries over it.

Each product stores a normalised document (its name and description, its
producer's, and its HS code with the chapter and heading above it, in English
and Persian). PostgreSQL also keeps a tsvector of it (English stemming plus a
language-neutral copy for Persian) under a GIN index, and a trigram index for
typos; SQLite matches the normalised words.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import connection

from .models import Product, Sector
from .normalization import normalize_text


def build_search_document(product: Product, sectors: dict[str, Sector]) -> str:
    producer = product.producer
    parts = [product.name, product.description, producer.name, producer.description, producer.city]
    for code in [*product.hs_code.ancestor_codes(), product.hs_code_id]:
        sector = sectors.get(code)
        if sector is not None:
            parts += [sector.code, sector.name, sector.name_fa]
    return normalize_text(" ".join(part for part in parts if part))


def refresh_search_index(
    *, product_ids: Iterable[int] | None = None, producer_ids: Iterable[int] | None = None
) -> int:
    """Rebuild the stored search text (and tsvector) of these products; return how many."""
    products = Product.objects.select_related("producer", "hs_code")
    if product_ids is not None:
        products = products.filter(pk__in=list(product_ids))
    if producer_ids is not None:
        products = products.filter(producer_id__in=list(producer_ids))
    products = list(products.only("id", "name", "description", "hs_code", "producer__name",
                                  "producer__description", "producer__city"))
    if not products:
        return 0
    codes = {code for p in products for code in [*p.hs_code.ancestor_codes(), p.hs_code_id]}
    sectors = Sector.objects.in_bulk(codes)
    for product in products:
        product.search_document = build_search_document(product, sectors)
    Product.objects.bulk_update(products, ["search_document"], batch_size=1000)
    if settings.USING_POSTGRES:
        update_search_vectors([p.pk for p in products])
    return len(products)


def update_search_vectors(product_ids: list[int]) -> None:
    """PostgreSQL: the tsvector from the stored document, English-stemmed and plain."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE catalogue_product SET search_vector ="
            " to_tsvector('english', search_document) || to_tsvector('simple', search_document)"
            " WHERE id = ANY(%s)",
            [product_ids],
        )
