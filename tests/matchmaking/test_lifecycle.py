"""The lifecycle services (matchmaking.lifecycle): every transition, every actor, allowed
and refused. Emails go out on commit, which these (rolled back) tests never reach."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from matchmaking import lifecycle
from matchmaking.models import Match, MatchEvent, MatchSource, MatchStatus, PartyResponse
from portal.exceptions import StateConflict as Conflict
from tests.factories import ProductFactory, UserFactory

from .conftest import make_buyer, make_producer
from .lifecycle_support import make_counsellor, make_match

pytestmark = pytest.mark.django_db

P, F, R = MatchStatus.PROPOSED, MatchStatus.FORWARDED, MatchStatus.REJECTED


def reloaded(match: Match) -> Match:
    return Match.objects.get(pk=match.pk)


def events(match: Match) -> list[tuple]:
    return list(
        MatchEvent.objects.filter(match=match).values_list("actor_id", "from_status", "to_status", "note")
    )


def field_of(error: ValidationError) -> set[str]:
    return set(error.value.message_dict)


@pytest.fixture
def desk():
    return make_counsellor("IQ")


@pytest.fixture
def routed(desk):
    return make_match(counsellor=desk)


@pytest.fixture
def pooled():
    return make_match()


@pytest.fixture
def forwarded(desk):
    return make_match(status=F, counsellor=desk)


@pytest.fixture
def connected(desk):
    return make_match(status=MatchStatus.CONNECTED, counsellor=desk)


# --- Forward -----------------------------------------------------------------------------


def test_the_routed_counsellor_forwards(routed, desk):
    match = lifecycle.match_forward(match=routed, actor=desk, note="  Strong fit  ")
    match = reloaded(match)
    assert match.status == F
    assert match.forward_note == "Strong fit"
    assert match.forwarded_at is not None
    assert match.counsellor == desk
    assert events(match) == [(desk.pk, P, F, "Strong fit")]


def test_a_counsellor_takes_a_pooled_match_by_forwarding_it(pooled):
    anyone = make_counsellor("DE")
    lifecycle.match_forward(match=pooled, actor=anyone)
    assert reloaded(pooled).counsellor == anyone
    assert reloaded(pooled).status == F


def test_a_pooled_match_taken_by_a_colleague_is_a_conflict_for_the_second(pooled):
    first, second = make_counsellor("DE"), make_counsellor("FR")
    lifecycle.match_forward(match=pooled, actor=first)
    with pytest.raises(Conflict):  # told it moved on, not refused
        lifecycle.match_forward(match=pooled, actor=second)
    with pytest.raises(Conflict):
        lifecycle.match_reject(match=pooled, actor=second, reason="Not a fit")
    assert len(events(pooled)) == 1


def test_the_parties_are_refused_whatever_the_status(forwarded):
    for party in (forwarded.producer.owner, forwarded.buyer.owner):
        with pytest.raises(PermissionDenied):
            lifecycle.match_forward(match=forwarded, actor=party)
        with pytest.raises(PermissionDenied):
            lifecycle.match_reject(match=forwarded, actor=party, reason="No")


def test_staff_forward_any_match_and_leave_it_where_it_was(routed, pooled, desk, staff):
    lifecycle.match_forward(match=routed, actor=staff)
    lifecycle.match_forward(match=pooled, actor=staff)
    assert reloaded(routed).counsellor == desk
    assert reloaded(pooled).counsellor is None
    assert events(pooled) == [(staff.pk, P, F, "")]


@pytest.mark.parametrize("who", ["other_counsellor", "producer", "buyer", "stranger_buyer"])
def test_others_may_not_forward(routed, who):
    actor = {
        "other_counsellor": lambda: make_counsellor("IQ"),
        "producer": lambda: routed.producer.owner,
        "buyer": lambda: routed.buyer.owner,
        "stranger_buyer": lambda: UserFactory(role="buyer"),
    }[who]()
    with pytest.raises(PermissionDenied):
        lifecycle.match_forward(match=routed, actor=actor)
    with pytest.raises(PermissionDenied):
        lifecycle.match_reject(match=routed, actor=actor, reason="No")
    assert reloaded(routed).status == P
    assert events(routed) == []


@pytest.mark.parametrize("status", [F, R, MatchStatus.WITHDRAWN, MatchStatus.CONNECTED, MatchStatus.WON])
def test_only_a_proposed_match_is_forwarded_or_rejected(desk, status):
    match = make_match(status=status, counsellor=desk)
    with pytest.raises(Conflict):
        lifecycle.match_forward(match=match, actor=desk)
    with pytest.raises(Conflict):
        lifecycle.match_reject(match=match, actor=desk, reason="Too late")
    assert reloaded(match).status == status
    assert events(match) == []


def test_a_note_too_long_is_a_field_error(routed, desk):
    with pytest.raises(ValidationError) as error:
        lifecycle.match_forward(match=routed, actor=desk, note="x" * (lifecycle.NOTE_LENGTH + 1))
    assert field_of(error) == {"note"}
    assert reloaded(routed).status == P


# --- Reject ------------------------------------------------------------------------------


def test_the_routed_counsellor_rejects_with_a_reason(routed, desk):
    lifecycle.match_reject(match=routed, actor=desk, reason="Capacity too small")
    match = reloaded(routed)
    assert match.status == R
    # Remembered: the engine proposes the pair again only once a profile changes.
    assert match.producer_fingerprint and match.buyer_fingerprint
    assert events(match) == [(desk.pk, P, R, "Capacity too small")]


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_rejection_needs_a_reason(routed, desk, reason):
    with pytest.raises(ValidationError) as error:
        lifecycle.match_reject(match=routed, actor=desk, reason=reason)
    assert field_of(error) == {"reason"}
    assert reloaded(routed).status == P


def test_a_pool_counsellor_and_staff_reject(pooled, staff):
    anyone = make_counsellor("DE")
    lifecycle.match_reject(match=pooled, actor=anyone, reason="Not a fit")
    assert reloaded(pooled).counsellor == anyone
    other = make_match()
    lifecycle.match_reject(match=other, actor=staff, reason="Duplicate")
    assert reloaded(other).status == R


# --- Respond -----------------------------------------------------------------------------


def test_both_accepting_connects_the_match(forwarded):
    producer, buyer = forwarded.producer.owner, forwarded.buyer.owner
    match = lifecycle.match_respond(match=forwarded, actor=producer, decision="accept", note="Glad to")
    assert (match.status, match.producer_response, match.buyer_response) == (
        F,
        PartyResponse.ACCEPTED,
        PartyResponse.PENDING,
    )
    assert match.connected_at is None
    match = lifecycle.match_respond(match=forwarded, actor=buyer, decision="accept")
    match = reloaded(match)
    assert match.status == MatchStatus.CONNECTED
    assert match.buyer_response == PartyResponse.ACCEPTED
    assert match.connected_at is not None
    assert match.producer_note == "Glad to"
    log = events(match)
    assert [(actor, frm, to) for actor, frm, to, _ in log] == [
        (producer.pk, F, F),
        (buyer.pk, F, MatchStatus.CONNECTED),
    ]


@pytest.mark.parametrize("side", ["producer", "buyer"])
def test_either_side_declining_declines_the_match(forwarded, side):
    actor = getattr(forwarded, side).owner
    lifecycle.match_respond(match=forwarded, actor=actor, decision="decline", note="Not now")
    match = reloaded(forwarded)
    assert match.status == MatchStatus.DECLINED
    assert getattr(match, f"{side}_response") == PartyResponse.DECLINED
    assert events(match)[0][:3] == (actor.pk, F, MatchStatus.DECLINED)
    other = forwarded.buyer.owner if side == "producer" else forwarded.producer.owner
    with pytest.raises(Conflict):  # declined: nothing left to answer
        lifecycle.match_respond(match=forwarded, actor=other, decision="accept")


def test_responding_twice_is_a_conflict(forwarded):
    producer = forwarded.producer.owner
    lifecycle.match_respond(match=forwarded, actor=producer, decision="accept")
    with pytest.raises(Conflict):
        lifecycle.match_respond(match=forwarded, actor=producer, decision="decline")
    assert reloaded(forwarded).producer_response == PartyResponse.ACCEPTED
    assert len(events(forwarded)) == 1


def test_a_proposed_match_takes_no_response(routed):
    with pytest.raises(Conflict):
        lifecycle.match_respond(match=routed, actor=routed.buyer.owner, decision="accept")
    assert reloaded(routed).buyer_response == PartyResponse.PENDING


def test_strangers_do_not_respond(forwarded, desk, staff):
    strangers = [make_producer().owner, make_buyer().owner, desk, staff]
    for stranger in strangers:
        with pytest.raises(PermissionDenied):
            lifecycle.match_respond(match=forwarded, actor=stranger, decision="accept")
    assert events(forwarded) == []


def test_a_decision_is_accept_or_decline(forwarded):
    with pytest.raises(ValidationError) as error:
        lifecycle.match_respond(match=forwarded, actor=forwarded.buyer.owner, decision="maybe")
    assert field_of(error) == {"decision"}


# --- Reassign ----------------------------------------------------------------------------


def test_staff_reassign_a_match(routed, staff):
    colleague = make_counsellor("TR")
    lifecycle.match_reassign(match=routed, actor=staff, counsellor=colleague, note="Speaks Arabic")
    match = reloaded(routed)
    assert (match.counsellor, match.status) == (colleague, P)
    ((actor, frm, to, note),) = events(match)
    assert (actor, frm, to) == (staff.pk, P, P)
    assert "Speaks Arabic" in note


def test_the_holder_hands_over_a_forwarded_match(forwarded, desk):
    colleague = make_counsellor("TR")
    lifecycle.match_reassign(match=forwarded, actor=desk, counsellor=colleague)
    assert reloaded(forwarded).counsellor == colleague
    assert reloaded(forwarded).status == F


def test_a_pool_counsellor_takes_a_match_by_reassigning_it(pooled):
    anyone = make_counsellor("DE")
    lifecycle.match_reassign(match=pooled, actor=anyone, counsellor=anyone)
    assert reloaded(pooled).counsellor == anyone


def test_another_counsellor_may_not_reassign(routed, desk):
    other = make_counsellor("IQ")
    with pytest.raises(PermissionDenied):
        lifecycle.match_reassign(match=routed, actor=other, counsellor=other)
    for party in (routed.producer.owner, routed.buyer.owner):
        with pytest.raises(PermissionDenied):
            lifecycle.match_reassign(match=routed, actor=party, counsellor=other)
    assert reloaded(routed).counsellor == desk


def test_a_match_goes_only_to_an_active_counsellor_other_than_its_holder(routed, desk, staff):
    for target in (UserFactory(role="producer"), UserFactory(role="staff"), make_counsellor(is_active=False)):
        with pytest.raises(ValidationError) as error:
            lifecycle.match_reassign(match=routed, actor=staff, counsellor=target)
        assert field_of(error) == {"counsellor"}
    with pytest.raises(ValidationError):
        lifecycle.match_reassign(match=routed, actor=staff, counsellor=desk)
    assert reloaded(routed).counsellor == desk


@pytest.mark.parametrize("status", [R, MatchStatus.WITHDRAWN, MatchStatus.DECLINED, MatchStatus.WON])
def test_a_closed_match_is_not_reassigned(desk, staff, status):
    match = make_match(status=status, counsellor=desk)
    with pytest.raises(Conflict):
        lifecycle.match_reassign(match=match, actor=staff, counsellor=make_counsellor("TR"))


# --- Request an introduction ---------------------------------------------------------------


@pytest.fixture
def fridge_maker():
    return make_producer(("841810",), markets=["IQ"])


@pytest.fixture
def iraqi_buyer():
    return make_buyer(("841810",), country="IQ")


def test_a_buyer_requests_an_introduction_to_a_new_producer(fridge_maker, iraqi_buyer):
    product = fridge_maker.products.get()
    buyer = iraqi_buyer.owner
    match = lifecycle.request_introduction(actor=buyer, product=product, message="Need 300 fridges")
    match = reloaded(match)
    assert (match.producer, match.buyer, match.status, match.source) == (
        fridge_maker,
        iraqi_buyer,
        P,
        MatchSource.BUYER_REQUEST,
    )
    assert match.requested_product == product
    assert match.request_message == "Need 300 fridges"
    assert Decimal(0) < match.score <= 1  # scored on current data
    assert events(match) == [(buyer.pk, "", P, "Need 300 fridges")]


def test_a_request_goes_to_the_counsellor_posted_in_the_buyers_country(fridge_maker, iraqi_buyer):
    make_counsellor("TR", covered=["IQ"])
    baghdad = make_counsellor("IQ")
    match = lifecycle.request_introduction(actor=iraqi_buyer.owner, producer=fridge_maker)
    assert match.counsellor == baghdad


def test_a_request_on_a_proposed_engine_match_marks_it_requested(fridge_maker, iraqi_buyer, desk):
    existing = make_match(fridge_maker, iraqi_buyer, counsellor=desk)
    match = lifecycle.request_introduction(actor=iraqi_buyer.owner, producer=fridge_maker, message="Please")
    assert match.pk == existing.pk
    assert Match.objects.filter(producer=fridge_maker, buyer=iraqi_buyer).count() == 1
    match = reloaded(match)
    assert (match.status, match.source, match.counsellor) == (P, MatchSource.BUYER_REQUEST, desk)
    assert match.request_message == "Please"
    assert events(match) == [(iraqi_buyer.owner.pk, P, P, "Please")]


def test_a_rejected_pair_is_proposed_again_on_request(fridge_maker, iraqi_buyer, desk):
    existing = make_match(fridge_maker, iraqi_buyer, status=R, counsellor=desk)
    lifecycle.request_introduction(actor=iraqi_buyer.owner, producer=fridge_maker)
    assert reloaded(existing).status == P


@pytest.mark.parametrize("status", [F, MatchStatus.CONNECTED, MatchStatus.DECLINED, MatchStatus.WON])
def test_a_request_on_a_match_under_way_is_a_conflict(fridge_maker, iraqi_buyer, desk, status):
    existing = make_match(fridge_maker, iraqi_buyer, status=status, counsellor=desk)
    with pytest.raises(Conflict):
        lifecycle.request_introduction(actor=iraqi_buyer.owner, producer=fridge_maker)
    assert reloaded(existing).source == MatchSource.ENGINE
    assert events(existing) == []


@pytest.mark.parametrize("role", ["producer", "counsellor", "staff"])
def test_only_buyers_request_introductions(fridge_maker, role):
    with pytest.raises(PermissionDenied):
        lifecycle.request_introduction(actor=UserFactory(role=role), producer=fridge_maker)
    with pytest.raises(PermissionDenied):
        lifecycle.request_introduction(actor=fridge_maker.owner, producer=fridge_maker)
    assert not Match.objects.exists()


def test_a_request_names_a_listed_product_or_a_producer(fridge_maker, iraqi_buyer):
    buyer = iraqi_buyer.owner
    unlisted = ProductFactory(producer=fridge_maker, is_active=False)
    with pytest.raises(ValidationError) as error:
        lifecycle.request_introduction(actor=buyer, product=unlisted)
    assert field_of(error) == {"product"}
    with pytest.raises(ValidationError) as error:
        lifecycle.request_introduction(actor=buyer)
    assert field_of(error) == {"non_field_errors"}
    with pytest.raises(ValidationError):
        lifecycle.request_introduction(actor=buyer, product=unlisted, producer=fridge_maker)
    assert not Match.objects.exists()


def test_a_buyer_without_a_profile_completes_it_first(fridge_maker):
    with pytest.raises(ValidationError) as error:
        lifecycle.request_introduction(actor=UserFactory(role="buyer"), producer=fridge_maker)
    assert field_of(error) == {"non_field_errors"}
