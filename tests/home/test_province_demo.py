"""The province demo at scale (`seed_demo --scale province`), made small: the same generator
with a smaller `ProvinceSize`, so the suite can afford it.

The pages a counsellor, staff and a producer open every day answer with the same number of
queries whatever the province's size; the seed is idempotent and refuses production."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import two_factor
from accounts.models import BuyerProfile, ProducerProfile, User
from counsellors.models import CounsellorProfile, MarketBrief
from home.demo import DEMO_PASSWORD, STAFF, _upsert_user
from home.demo_province import seed_province
from home.demo_province_data import MARKETS, SECTOR_BY_KEY, ProvinceSize, counsellor_email, producer_email
from matchmaking.models import Match, MatchEvent, MatchStatus
from tests.factories import enrol_two_factor

pytestmark = pytest.mark.django_db

SMALL, LARGER = ProvinceSize(0.05), ProvinceSize(0.12)
IRAQ_DESK = counsellor_email(next(m for m in MARKETS if m.code == "IQ"))
FIRST_APPLIANCE_MAKER = producer_email(SECTOR_BY_KEY["appliances"], 0)
PAGES = {
    "counsellor queue": ("counsellor", "/counsellor/queue/"),
    "counsellor dashboard": ("counsellor", "/counsellor/dashboard/"),
    "province dashboard": ("staff", "/counsellor/province/"),
    "catalogue list": ("producer", reverse("catalogue:product-list")),
    "producer dashboard": ("producer", reverse("dashboard")),
}


def seed(size: ProvinceSize):
    staff = _upsert_user(STAFF)
    if not two_factor.is_enrolled(staff):  # as the demo's staff do at their first sign-in
        enrol_two_factor(staff)
    return seed_province(staff=staff, password=DEMO_PASSWORD, size=size)


def page_queries(client) -> dict[str, int]:
    users = {
        "counsellor": User.objects.get(email=IRAQ_DESK),
        "staff": User.objects.get(email=STAFF.email),
        "producer": User.objects.get(email=FIRST_APPLIANCE_MAKER),
    }
    counts = {}
    for page, (role, url) in PAGES.items():
        client.force_login(users[role])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, page
        counts[page] = len(queries)
    return counts


def totals() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "producers": ProducerProfile.objects.count(),
        "buyers": BuyerProfile.objects.count(),
        "matches": Match.objects.count(),
        "events": MatchEvent.objects.count(),
        "briefs": MarketBrief.objects.count(),
    }


def test_pages_take_the_same_number_of_queries_at_two_sizes_of_the_province(client):
    seed(SMALL)
    small, small_matches = page_queries(client), Match.objects.count()
    seed(LARGER)
    larger, larger_matches = page_queries(client), Match.objects.count()
    assert larger_matches > 2 * small_matches
    # A counsellor's page asks once (cached on the user, accounts.policies) for the producers of
    # the counsellor's matches when a producer it shows does not target the desk's markets:
    # present or not by the data on the page, never more than once, whatever the size.
    for page in PAGES:
        allowed = 1 if page.startswith("counsellor") else 0
        assert abs(larger[page] - small[page]) <= allowed, (page, small[page], larger[page])


def test_the_province_has_a_desk_per_market_a_queue_and_a_year_of_history():
    report = seed(SMALL)
    desks = dict(CounsellorProfile.objects.values_list("posted_country", "user__email"))
    assert len(MARKETS) == 21 and set(desks) == {m.code for m in MARKETS}
    assert [row[1] for row in report.queues] == sorted(desks)
    assert sum(row[2] for row in report.queues) + report.pool == report.by_status[MatchStatus.PROPOSED]
    assert {MatchStatus.PROPOSED, MatchStatus.FORWARDED, MatchStatus.WON, MatchStatus.REJECTED} <= set(
        report.by_status
    )
    # Every match came from the engine, its history from the lifecycle: one event per step.
    assert not Match.objects.exclude(events__from_status="").exists()
    won = Match.objects.filter(status=MatchStatus.WON)
    assert won.exists() and not won.filter(outcome_value__isnull=True).exists()
    # The stamps moved back in order: proposed, then forwarded, then connected.
    assert not won.filter(forwarded_at__lte=F("created_at")).exists()
    assert not won.filter(connected_at__lte=F("forwarded_at")).exists()
    # Spread over the year: the oldest match is months old, an overdue one was escalated.
    oldest = Match.objects.order_by("created_at").first()
    assert (Match.objects.latest("created_at").created_at - oldest.created_at).days > 90
    assert report.history.escalated and Match.objects.filter(escalated_at__isnull=False).exists()
    assert MarketBrief.objects.dates("published_at", "month").count() >= 6


def test_seeding_the_province_twice_changes_nothing():
    seed(SMALL)
    before = totals()
    stamps = list(Match.objects.order_by("pk").values_list("pk", "status", "created_at", "updated_at"))
    report = seed(SMALL)
    assert totals() == before
    assert (
        list(Match.objects.order_by("pk").values_list("pk", "status", "created_at", "updated_at")) == stamps
    )
    assert report.created_users == 0 and report.history.played == 0


def test_the_province_scale_refuses_production_unless_told(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--allow-production"):
        call_command("seed_demo", "--scale", "province")
    assert not User.objects.exists()
