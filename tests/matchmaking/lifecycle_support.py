"""Builders for the lifecycle, routing and API tests: matches in any status, counsellors
with a desk. Straight from the ORM (no services), so no rematch or routing runs by itself."""

from decimal import Decimal

from django.utils import timezone

from counsellors.models import CounsellorProfile
from matchmaking.models import Match, MatchStatus, PartyResponse
from tests.factories import UserFactory

from .conftest import make_buyer, make_producer


def make_counsellor(posted="IQ", covered=(), *, active=True, **user_fields):
    """A counsellor user with a desk posted in `posted`."""
    user = UserFactory(role="counsellor", **user_fields)
    CounsellorProfile.objects.create(
        user=user, posted_country=posted, covered_countries=list(covered), is_active=active
    )
    return user


def make_match(producer=None, buyer=None, *, status=MatchStatus.PROPOSED, counsellor=None, **fields):
    """A match between two ready profiles (new ones by default) in `status`, with what that
    status implies (forwarded_at, both responses accepted once connected)."""
    producer = producer or make_producer()
    buyer = buyer or make_buyer()
    now = timezone.now()
    if status in (MatchStatus.FORWARDED, MatchStatus.CONNECTED, MatchStatus.WON, MatchStatus.LOST):
        fields.setdefault("forwarded_at", now)
    if status in (MatchStatus.CONNECTED, MatchStatus.WON, MatchStatus.LOST):
        fields.setdefault("connected_at", now)
        fields.setdefault("producer_response", PartyResponse.ACCEPTED)
        fields.setdefault("buyer_response", PartyResponse.ACCEPTED)
    score = Decimal("0.800")
    return Match.objects.create(
        producer=producer,
        buyer=buyer,
        status=status,
        counsellor=counsellor,
        score=score,
        sector_score=score,
        capacity_score=score,
        market_score=score,
        certifications_score=score,
        **fields,
    )
