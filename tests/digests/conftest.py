"""Shared data for the digest tests: a window around "now", and matches and products in any
state, timestamps moved before, inside or after that window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from matchmaking.models import Match, MatchEvent
from tests.factories import ProductFactory
from tests.matchmaking.conftest import make_buyer, make_producer
from tests.matchmaking.lifecycle_support import make_counsellor, make_match


@dataclass(frozen=True)
class Window:
    """A digest's window (since, until]: the last day, up to a minute from now, so what a
    test makes now falls inside it."""

    since: datetime
    until: datetime

    @property
    def before(self) -> datetime:
        """A moment before the window."""
        return self.since - timedelta(hours=1)

    def days_ago(self, days: float) -> datetime:
        """`days` before the end of the window."""
        return self.until - timedelta(days=days)


@pytest.fixture
def window() -> Window:
    now = timezone.now()
    return Window(since=now - timedelta(days=1), until=now + timedelta(minutes=1))


def move(obj, **fields) -> None:
    """Set timestamps (auto_now_add ones too) straight in the database."""
    type(obj).objects.filter(pk=obj.pk).update(**fields)
    obj.refresh_from_db()


def move_events(match: Match, at: datetime) -> None:
    MatchEvent.objects.filter(match=match).update(at=at)


def section(digest, key: str):
    """The digest's section `key`, or None."""
    return next((s for s in digest.sections if s.key == key), None)


def shown(text: str) -> str:
    """A digest line as read: the names' bidi isolates (portal.bidi.isolate) are invisible."""
    return text.replace("\u2068", "").replace("\u2069", "")


def titles(digest, key: str) -> list[str]:
    found = section(digest, key)
    return [shown(item.title) for item in found.items] if found else []


def item(digest, key: str, title: str):
    found = section(digest, key)
    assert found is not None, f"no section {key!r} in {[s.key for s in digest.sections]}"
    return next(i for i in found.items if shown(i.title) == title)


@pytest.fixture
def make_product(db):
    """A listed product of a new producer (or `producer`) under `code`."""

    def make(code: str = "841810", **fields):
        return ProductFactory(hs_code=code, **fields)

    return make


__all__ = [
    "Window",
    "item",
    "make_buyer",
    "make_counsellor",
    "make_match",
    "make_producer",
    "move",
    "move_events",
    "section",
    "titles",
]
