"""Builders for the counsellors' page tests: desks, matches made by the engine and routed by
counsellors.routing, and the HTML of a page read in English."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from counsellors.models import CounsellorProfile
from matchmaking import services
from matchmaking.models import Match, MatchStatus, PartyResponse
from tests.factories import UserFactory
from tests.matchmaking.conftest import make_buyer, make_producer

__all__ = ["make_buyer", "make_producer", "make_counsellor", "make_match", "age", "html_of"]


def make_counsellor(posted="IQ", covered=(), **user_fields):
    user = UserFactory(role="counsellor", **user_fields)
    CounsellorProfile.objects.create(user=user, posted_country=posted, covered_countries=list(covered))
    return user


def make_match(producer, buyer, *, status=MatchStatus.PROPOSED, counsellor=None, score="0.800", **fields):
    """A match straight from the ORM, with the breakdown the engine writes for a shared
    subheading (so its reasons render)."""
    now = timezone.now()
    if status in (MatchStatus.FORWARDED, MatchStatus.CONNECTED, MatchStatus.WON, MatchStatus.LOST):
        fields.setdefault("forwarded_at", now)
    if status in (MatchStatus.CONNECTED, MatchStatus.WON, MatchStatus.LOST):
        fields.setdefault("connected_at", now)
        fields.setdefault("producer_response", PartyResponse.ACCEPTED)
        fields.setdefault("buyer_response", PartyResponse.ACCEPTED)
    value = Decimal(score)
    fields.setdefault(
        "breakdown",
        {
            "sector": {"code": "same_subheading", "hs": "841810", "score": 1.0, "weight": 0.4},
            "market": {"code": "target_market", "country": buyer.country.code, "score": 1.0, "weight": 0.2},
        },
    )
    return Match.objects.create(
        producer=producer,
        buyer=buyer,
        status=status,
        counsellor=counsellor,
        score=value,
        sector_score=value,
        capacity_score=value,
        market_score=value,
        certifications_score=value,
        **fields,
    )


def age(match: Match, days: float) -> Match:
    """Make `match` `days` old."""
    Match.objects.filter(pk=match.pk).update(created_at=timezone.now() - datetime.timedelta(days=days))
    match.refresh_from_db()
    return match


def rematch() -> None:
    services.rematch_all()


def html_of(client, url: str, user=None, **params):
    """The page at `url` in English: (response, html)."""
    if user is not None:
        client.force_login(user)
    client.cookies["django_language"] = "en"
    response = client.get(url, params)
    return response, response.content.decode()
