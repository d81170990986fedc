"""What the catalogue announces about its writes, for the apps above it to follow.

The catalogue may not import the matcher (docs/design.md "Layout"), yet a product's capacity or
HS code decides its producer's matches. Its services send this signal instead, inside the
write's transaction; matchmaking connects its receiver in `MatchmakingConfig.ready()` (the
NetBox/pretix way) and defers its task to the commit itself.
"""

from django.dispatch import Signal

product_changed = Signal()
"""Sent by `catalogue.services` when a product was created, updated or deleted.

Arguments: `sender` the Product model, `product` the product (after a deletion its pk is
None, its `producer_id` still set), `deleted` whether it was deleted, `changed` the fields
written (a frozenset; None when it was created or deleted: all of it changed).

matchmaking rematches the product's producer when a field the matching reads changed."""
