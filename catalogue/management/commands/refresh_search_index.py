"""`python manage.py refresh_search_index`: rebuild every product's stored search text.

Saving a product or its producer keeps its text current; run this once after an upgrade that
changes how the text is made (as issue 19 did: words only, a name's two scripts split), so the
products saved before it are found as the new ones are."""

from django.core.management.base import BaseCommand

from catalogue.search import refresh_search_index


class Command(BaseCommand):
    help = "Rebuild the catalogue's search text (and PostgreSQL's tsvector) of every product, in batches."

    def handle(self, *args, **options) -> None:
        count = refresh_search_index()
        self.stdout.write(self.style.SUCCESS(f"Re-indexed {count} products."))
