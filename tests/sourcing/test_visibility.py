"""sourcing.policies and the board: who sees which request, and the buyer withheld from
producers until a match on that request is forwarded (the matcher's revealer, registered at
start-up); with nothing registered the buyer stays withheld."""

import pytest

from matchmaking import policies as match_policies
from matchmaking.models import MatchStatus
from sourcing import policies, selectors
from sourcing.models import RequestStatus
from tests.factories import UserFactory, hs_sector

from .support import forward_match, make_buyer, make_producer, make_request

pytestmark = pytest.mark.django_db

ALL_STATUSES = [
    RequestStatus.PENDING,
    RequestStatus.PUBLISHED,
    RequestStatus.REJECTED,
    RequestStatus.CLOSED,
    RequestStatus.AWARDED,
]


@pytest.fixture
def requests(buyer):
    return {status: make_request(buyer, status=status) for status in ALL_STATUSES}


def visible(user) -> set:
    return set(policies.requests_visible_to(user).values_list("status", flat=True))


def test_the_matcher_fills_the_registries_at_start_up():
    assert policies._buyer_revealers == [match_policies.revealed_request_ids]
    assert policies._market_regions == [match_policies.same_region_markets]


def test_who_sees_which_status(requests, buyer, other_buyer, producer, desk, outsider, staff):
    from django.contrib.auth.models import AnonymousUser

    assert visible(buyer.owner) == set(ALL_STATUSES)
    assert visible(desk) == set(ALL_STATUSES)
    assert visible(staff) == set(ALL_STATUSES)
    assert visible(producer.owner) == {RequestStatus.PUBLISHED}
    assert visible(other_buyer.owner) == set()
    assert visible(outsider) == set()
    assert visible(AnonymousUser()) == set()
    for status, request in requests.items():
        assert policies.can_view_request(buyer.owner, request)
        assert policies.can_view_request(desk, request)
        assert not policies.can_view_request(outsider, request)
        assert not policies.can_view_request(other_buyer.owner, request)
        assert policies.can_view_request(producer.owner, request) == (status == RequestStatus.PUBLISHED)
        assert not policies.can_view_request(AnonymousUser(), request)


def test_a_counsellor_without_a_desk_sees_none(requests):
    assert visible(UserFactory(role="counsellor")) == set()


def test_a_forwarded_match_shows_a_producer_the_closed_or_awarded_request_and_its_buyer(requests, producer):
    for status in (RequestStatus.CLOSED, RequestStatus.AWARDED, RequestStatus.PENDING):
        forward_match(requests[status], producer)
    assert visible(producer.owner) == {RequestStatus.PUBLISHED, RequestStatus.CLOSED, RequestStatus.AWARDED}
    assert policies.sees_buyer(producer.owner, requests[RequestStatus.CLOSED])
    assert not policies.sees_buyer(producer.owner, requests[RequestStatus.PUBLISHED])


@pytest.mark.parametrize(
    ("status", "revealed"),
    [
        (MatchStatus.PROPOSED, False),
        (MatchStatus.REJECTED, False),
        (MatchStatus.FORWARDED, True),
        (MatchStatus.CONNECTED, True),
        (MatchStatus.WON, True),
        (MatchStatus.LOST, True),
        (MatchStatus.DECLINED, False),
        (MatchStatus.WITHDRAWN, False),
    ],
)
def test_the_buyer_is_revealed_by_a_forwarded_match_on_that_request_only(buyer, producer, status, revealed):
    request = make_request(buyer, status=RequestStatus.PUBLISHED)
    other = make_request(buyer, status=RequestStatus.PUBLISHED)
    forward_match(request, producer, status=status)
    assert policies.sees_buyer(producer.owner, request) == revealed
    assert not policies.sees_buyer(producer.owner, other)
    # Another producer learns nothing from it.
    assert not policies.sees_buyer(make_producer().owner, request)


def test_a_forwarded_match_without_the_request_reveals_nothing(buyer, producer):
    from tests.matchmaking.lifecycle_support import make_match

    request = make_request(buyer, status=RequestStatus.PUBLISHED)
    make_match(producer=producer, buyer=buyer, status=MatchStatus.FORWARDED)  # the companies' pair
    assert not policies.sees_buyer(producer.owner, request)


def test_with_nothing_registered_the_buyer_stays_withheld(monkeypatch, buyer, producer):
    monkeypatch.setattr(policies, "_buyer_revealers", [])
    request = make_request(buyer, status=RequestStatus.PUBLISHED)
    closed = make_request(buyer, status=RequestStatus.CLOSED)
    forward_match(request, producer)
    forward_match(closed, producer)
    assert not policies.sees_buyer(producer.owner, request)
    assert visible(producer.owner) == {RequestStatus.PUBLISHED}


def test_the_buyer_the_counsellor_and_staff_see_the_buyer(buyer, desk, staff, producer):
    request = make_request(buyer, status=RequestStatus.PUBLISHED)
    assert policies.sees_buyer(buyer.owner, request)
    assert policies.sees_buyer(desk, request)
    assert policies.sees_buyer(staff, request)
    assert not policies.sees_history(producer.owner, request)
    assert policies.sees_history(desk, request) and policies.sees_history(buyer.owner, request)


@pytest.mark.parametrize(
    ("port", "hidden"),
    [
        ("Umm Qasr", False),
        ("Basra Water Works' own wharf", True),
        ("basra  water works depot", True),
        ("", False),
    ],
)
def test_a_port_naming_the_company_is_withheld_with_it(buyer, port, hidden):
    request = make_request(buyer, status=RequestStatus.PUBLISHED, destination_port=port)
    assert policies.shown_port(request, withheld=True) == (None if hidden else port)
    assert policies.shown_port(request, withheld=False) == port


# --- The board ----------------------------------------------------------------------------


def board_titles(user, **kwargs) -> set:
    return {item.__dict__["title"] for item in selectors.board(user, **kwargs)}


@pytest.fixture
def board_world(db):
    for code in ("84", "8413", "841370", "8481", "7307", "9403"):
        hs_sector(code)
    iraqi = make_buyer(country="IQ")

    def post(title, code, country="IQ"):
        return make_request(
            iraqi,
            status=RequestStatus.PUBLISHED,
            title=title,
            destination_country=country,
            lines=[{"hs_code": code, "quantity": "5", "unit": "units"}],
        )

    post("pumps to Iraq", "841370")
    post("pump heading to Iraq", "8413")
    post("machinery chapter to Iraq", "84")
    post("pumps to Kuwait", "841370", "KW")
    post("pumps to Brazil", "841370", "BR")
    post("furniture to Iraq", "9403")
    make_request(
        iraqi, title="pending pumps", lines=[{"hs_code": "841370", "quantity": "5", "unit": "units"}]
    )


def test_the_board_shows_requests_in_the_producers_sectors_and_markets(board_world):
    producer = make_producer(("841370",), markets=("IQ",))
    # Its code and the lines' under one another; Iraq, and Kuwait in its region (Western Asia).
    assert board_titles(producer.owner) == {
        "pumps to Iraq",
        "pump heading to Iraq",
        "machinery chapter to Iraq",
        "pumps to Kuwait",
    }
    assert len(board_titles(producer.owner, everything=True)) == 6


def test_a_declared_chapter_reaches_every_line_under_it(board_world):
    producer = make_producer((), markets=("IQ",), declared=("84",))
    assert board_titles(producer.owner) == {
        "pumps to Iraq",
        "pump heading to Iraq",
        "machinery chapter to Iraq",
        "pumps to Kuwait",
    }


def test_a_producer_open_to_any_market_sees_every_destination(board_world):
    producer = make_producer(("8413",), markets=(), open_to_any_market=True)
    assert "pumps to Brazil" in board_titles(producer.owner)
    assert "furniture to Iraq" not in board_titles(producer.owner)


def test_without_the_regions_registered_the_board_keeps_to_the_target_markets(board_world, monkeypatch):
    monkeypatch.setattr(policies, "_market_regions", [])
    producer = make_producer(("841370",), markets=("IQ",))
    assert "pumps to Kuwait" not in board_titles(producer.owner)


def test_a_producer_without_products_or_profile_has_an_empty_board(board_world):
    assert board_titles(make_producer((), markets=("IQ",)).owner) == set()
    lonely = UserFactory(role="producer")
    assert board_titles(lonely) == set()
    assert len(board_titles(lonely, everything=True)) == 6
