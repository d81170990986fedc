"""What higher apps add to the catalogue's public pages of a producer and of a product.

The catalogue does not know the apps above it: an app that shows something on these pages
(matchmaking: the "request an introduction" box and the buyer's match with the producer)
registers a provider in its `AppConfig.ready()`; the page's view asks every provider for its
context. A provider takes the viewer and the producer and returns template variables; it
reads what it needs in a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accounts.models import ProducerProfile

ProducerPageContext = Callable[[Any, "ProducerProfile"], Mapping[str, Any]]

_providers: dict[str, ProducerPageContext] = {}


def register_producer_page_context(name: str, provider: ProducerPageContext) -> None:
    """Add `provider` to the producer's and product's pages (again under the same `name`:
    replaced, so a second `ready()` does not add it twice)."""
    _providers[name] = provider


def producer_page_context(user, producer: ProducerProfile) -> dict[str, Any]:
    """The registered providers' template variables for `user` viewing `producer`'s pages."""
    context: dict[str, Any] = {}
    for provider in _providers.values():
        context.update(provider(user, producer))
    return context
