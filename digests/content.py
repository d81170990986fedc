"""What a digest holds, independent of how it is mailed: sections of items, each a line a
person reads with a link to the page where they act on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class DigestItem:
    """One line: what happened (already in the reader's language) and where to see it."""

    title: str
    url: str  # absolute
    detail: str = ""
    badge: str = ""  # a short status word ("ageing", "won"…), or ""


@dataclass
class DigestSection:
    """A heading and its items; `more` counts the items left out (with `more_url` to see all)."""

    key: str
    title: str
    items: list[DigestItem] = field(default_factory=list)
    more: int = 0
    more_url: str = ""

    @property
    def count(self) -> int:
        return len(self.items) + self.more


@dataclass
class Digest:
    """A user's digest for the changes after `since` up to `until`."""

    user: object
    since: datetime
    until: datetime
    sections: list[DigestSection] = field(default_factory=list)

    @property
    def items(self) -> int:
        return sum(section.count for section in self.sections)

    @property
    def is_empty(self) -> bool:
        return self.items == 0
