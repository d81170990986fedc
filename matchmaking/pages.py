"""What higher apps add to a match's page (the quotes, the conversation).

The matcher does not know the apps above it: an app that shows something on the match page
registers a section in its `AppConfig.ready()` (as the matcher does on the catalogue's
producer page, `catalogue.pages`); the page includes each section's template with the context its
provider returns as `data`, in the order registered. A provider takes the request and the match
(already checked visible to the viewer) and returns None when it has nothing to show.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

    from matchmaking.models import Match

SectionContext = Callable[["HttpRequest", "Match"], Mapping[str, Any] | None]


@dataclass(frozen=True)
class Section:
    """One rendered part of the match page: its template and the context it was given."""

    name: str
    template: str
    context: Mapping[str, Any]


_sections: dict[str, tuple[str, SectionContext]] = {}


def register_match_page_section(name: str, template: str, provider: SectionContext) -> None:
    """Show `template` on the match page with what `provider` returns (registering the same
    `name` again replaces it, so a second `ready()` does not add it twice)."""
    _sections[name] = (template, provider)


def match_page_sections(request: HttpRequest, match: Match) -> list[Section]:
    """The sections the registered providers have for `request.user` on `match`'s page."""
    shown = []
    for name, (template, provider) in _sections.items():
        context = provider(request, match)
        if context is not None:
            shown.append(Section(name, template, context))
    return shown
