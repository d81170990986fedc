"""Outcomes (matchmaking.outcomes): declared by a company and confirmed by the other, or recorded
by the counsellor; corrections kept in the history. Every role on every status, the input rules
(PostgreSQL's too: run this file with DATABASE_URL), the confirmation, the corrections and the
emails they send.

Changed from the counsellor-only rule (the earlier tests in test_lifecycle.py): a won deal now
needs its value and currency, a lost one its reason; a forwarded match takes an outcome too."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from matchmaking import outcomes
from matchmaking.models import Match, MatchEvent, MatchNotice, MatchStatus
from matchmaking.policies import events_visible_to
from portal.exceptions import StateConflict as Conflict
from tests.factories import UserFactory

from .conftest import make_buyer, make_producer
from .lifecycle_support import make_counsellor, make_match

pytestmark = pytest.mark.django_db

F, C, W, L = MatchStatus.FORWARDED, MatchStatus.CONNECTED, MatchStatus.WON, MatchStatus.LOST
WON = {"outcome": "won", "value": "185000", "currency": "usd", "note": "First container shipped."}
LOST = {"outcome": "lost", "note": "Lost on price to a local maker."}


def reloaded(match: Match) -> Match:
    return Match.objects.get(pk=match.pk)


def outcome_events(match: Match) -> list[MatchEvent]:
    return [event for event in MatchEvent.objects.filter(match=match) if "outcome" in event.details]


def fields_of(error) -> set[str]:
    return set(error.value.message_dict)


@pytest.fixture
def desk():
    return make_counsellor("IQ")


@pytest.fixture
def connected(desk):
    return make_match(status=C, counsellor=desk)


@pytest.fixture
def forwarded(desk):
    return make_match(status=F, counsellor=desk)


def producer_of(match):
    return match.producer.owner


def buyer_of(match):
    return match.buyer.owner


def declare(match, actor, **body):
    return outcomes.match_record_outcome(match=match, actor=actor, **(body or WON))


# --- Who, on which status -------------------------------------------------------------------------

# What each role gets posting a won deal, per status: "declared" (unconfirmed), "recorded"
# (confirmed), "conflict" (409), "denied" (403). "won-declared" is a won deal the buyer declared;
# "won-recorded" one the counsellor recorded.
STATUSES = [
    "proposed",
    "forwarded",
    "rejected",
    "withdrawn",
    "declined",
    "connected",
    "won-declared",
    "won-recorded",
    "lost-recorded",
]
EXPECTED = {
    "producer": [
        "conflict",
        "declared",
        "conflict",
        "conflict",
        "conflict",
        "declared",
        "declared",
        "conflict",
        "conflict",
    ],
    "buyer": [
        "conflict",
        "declared",
        "conflict",
        "conflict",
        "conflict",
        "declared",
        "declared",
        "conflict",
        "conflict",
    ],
    "counsellor": [
        "conflict",
        "recorded",
        "conflict",
        "conflict",
        "conflict",
        "recorded",
        "recorded",
        "recorded",
        "recorded",
    ],
    "staff": [
        "conflict",
        "recorded",
        "conflict",
        "conflict",
        "conflict",
        "recorded",
        "recorded",
        "recorded",
        "recorded",
    ],
    "other_counsellor": ["denied"] * 9,
    "other_producer": ["denied"] * 9,
    "other_buyer": ["denied"] * 9,
}


def match_in(state: str, desk) -> Match:
    status = state.split("-")[0]
    match = make_match(status=status, counsellor=desk)
    if state == "won-declared":
        match.outcome_value, match.outcome_currency, match.outcome_note = Decimal("90000"), "EUR", ""
        match.outcome_declared_by, match.outcome_declared_at = buyer_of(match), timezone.now()
        match.save()
    elif state.endswith("-recorded"):
        match.outcome_value = Decimal("90000") if status == W else None
        match.outcome_currency = "EUR" if status == W else ""
        match.outcome_note = "" if status == W else "Too dear."
        match.outcome_declared_by = match.outcome_confirmed_by = desk
        match.outcome_declared_at = match.outcome_confirmed_at = timezone.now()
        match.save()
    return match


def actor_for(role: str, match: Match, desk):
    return {
        "producer": lambda: producer_of(match),
        "buyer": lambda: buyer_of(match),
        "counsellor": lambda: desk,
        "staff": lambda: UserFactory(role="staff"),
        "other_counsellor": lambda: make_counsellor("IQ"),
        "other_producer": lambda: make_producer().owner,
        "other_buyer": lambda: make_buyer().owner,
    }[role]()


@pytest.mark.parametrize(
    ("role", "index"), [(role, index) for role in EXPECTED for index in range(len(STATUSES))]
)
def test_each_role_on_each_status(desk, role, index):
    state, expected = STATUSES[index], EXPECTED[role][index]
    match = match_in(state, desk)
    before = Match.objects.filter(pk=match.pk).values().get()
    actor = actor_for(role, match, desk)
    if expected == "denied":
        with pytest.raises(PermissionDenied):
            declare(match, actor)
    elif expected == "conflict":
        with pytest.raises(Conflict):
            declare(match, actor)
    else:
        declare(match, actor)
        after = reloaded(match)
        assert (after.status, after.outcome_value, after.outcome_currency) == (W, Decimal("185000"), "USD")
        assert after.outcome_declared_by == actor
        assert outcomes.is_confirmed(after) is (expected == "recorded")
        return
    assert Match.objects.filter(pk=match.pk).values().get() == before
    assert not outcome_events(match)


def test_a_counsellor_of_the_pool_records_nothing(desk):
    pooled = make_match(status=C)  # connected by staff from the pool: staff's to close
    with pytest.raises(PermissionDenied):
        declare(pooled, make_counsellor("IQ"))
    declare(pooled, UserFactory(role="staff"))
    assert reloaded(pooled).status == W


# --- What an outcome needs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"outcome": "won"}, {"value", "currency"}),
        ({"outcome": "won", "value": "100"}, {"currency"}),
        ({"outcome": "won", "currency": "USD"}, {"value"}),
        ({"outcome": "won", "value": "", "currency": "USD"}, {"value"}),
        ({"outcome": "won", "value": "0", "currency": "USD"}, {"value"}),
        ({"outcome": "won", "value": "0.001", "currency": "USD"}, {"value"}),  # rounds to zero
        ({"outcome": "won", "value": "-5", "currency": "USD"}, {"value"}),
        ({"outcome": "won", "value": "lots", "currency": "USD"}, {"value"}),
        ({"outcome": "won", "value": "NaN", "currency": "USD"}, {"value"}),
        ({"outcome": "won", "value": "Infinity", "currency": "USD"}, {"value"}),
        ({"outcome": "won", "value": "1e12", "currency": "USD"}, {"value"}),
        ({"outcome": "won", "value": "99999999999999.99", "currency": "USD"}, {"value"}),  # max_digits
        ({"outcome": "won", "value": "9" * 400, "currency": "USD"}, {"value"}),
        ({"outcome": "won", "value": True, "currency": "USD"}, {"value"}),
        ({"outcome": "won", "value": [100], "currency": "USD"}, {"value"}),
        ({"outcome": "won", "value": "100", "currency": "DOLLARS"}, {"currency"}),
        ({"outcome": "won", "value": "100", "currency": "ABC"}, {"currency"}),
        ({"outcome": "won", "value": "100", "currency": 840}, {"currency"}),
        ({"outcome": "won", "value": "100", "currency": "   "}, {"currency"}),
        ({"outcome": "lost"}, {"note"}),
        ({"outcome": "lost", "note": "  \n "}, {"note"}),
        ({"outcome": "lost", "note": "x" * 2001}, {"note"}),
        ({"outcome": "connected"}, {"outcome"}),
        ({"outcome": ""}, {"outcome"}),
        ({"outcome": None}, {"outcome"}),
    ],
)
def test_bad_outcomes_are_field_errors(connected, desk, body, fields):
    for actor in (desk, buyer_of(connected)):
        with pytest.raises(ValidationError) as error:
            outcomes.match_record_outcome(match=connected, actor=actor, **body)
        assert fields_of(error) == fields
    assert reloaded(connected).status == C and not outcome_events(connected)


def test_values_are_rounded_to_cents_and_text_is_cleaned(connected, desk):
    body = {
        "outcome": "won",
        "value": "۱۲۵٬۰۰۰٫۵۵۵",  # Persian digits and separators, a third decimal
        "currency": " eur\x00",
        "note": "Signed\x00 in Erbil",
    }
    outcomes.match_record_outcome(match=connected, actor=desk, **body)
    match = reloaded(connected)
    assert (match.outcome_value, match.outcome_currency, match.outcome_note) == (
        Decimal("125000.56"),
        "EUR",
        "Signed in Erbil",
    )


def test_the_largest_value_is_stored(connected, desk):
    outcomes.match_record_outcome(
        match=connected, actor=desk, outcome="won", value="999999999999.99", currency="USD"
    )
    assert reloaded(connected).outcome_value == Decimal("999999999999.99")


def test_a_lost_deal_keeps_its_reason_and_no_value(connected):
    outcomes.match_record_outcome(
        match=connected,
        actor=producer_of(connected),
        outcome="lost",
        value="500",
        currency="USD",
        note="Price",
    )
    match = reloaded(connected)
    assert (match.status, match.outcome_value, match.outcome_currency, match.outcome_note) == (
        L,
        None,
        "",
        "Price",
    )


# --- Declared, confirmed ------------------------------------------------------------------------------


def test_the_buyer_declares_and_the_producer_confirms(connected, desk):
    buyer, producer = buyer_of(connected), producer_of(connected)
    declare(connected, buyer)
    match = reloaded(connected)
    assert match.status == W and not outcomes.is_confirmed(match)
    assert (match.outcome_declared_by, match.outcome_confirmed_by) == (buyer, None)
    assert outcomes.declarer_role(match) == "buyer"
    [event] = outcome_events(match)
    assert (event.actor, event.from_status, event.to_status, event.note) == (buyer, C, W, WON["note"])
    assert event.details == {
        "outcome": "declared",
        "before": None,
        "after": {"result": "won", "value": "185000.00", "currency": "USD", "note": WON["note"]},
        "confirmed": False,
    }

    outcomes.match_confirm_outcome(match=match, actor=producer, note="Yes, signed.")
    match = reloaded(connected)
    assert outcomes.is_confirmed(match) and match.outcome_confirmed_by == producer
    assert match.outcome_confirmed_at is not None
    confirmation = outcome_events(match)[-1]
    assert (confirmation.actor, confirmation.from_status, confirmation.to_status) == (producer, W, W)
    assert confirmation.details["outcome"] == "confirmed" and confirmation.details["confirmed"] is True
    assert confirmation.note == "Yes, signed."


def test_a_forwarded_match_takes_a_declaration(forwarded):
    declare(forwarded, producer_of(forwarded), **LOST)
    match = reloaded(forwarded)
    assert match.status == L and outcome_events(match)[0].from_status == F


def test_the_declarer_cannot_confirm(connected):
    declare(connected, buyer_of(connected))
    with pytest.raises(Conflict):
        outcomes.match_confirm_outcome(match=connected, actor=buyer_of(connected))
    assert not outcomes.is_confirmed(reloaded(connected))


def test_only_the_companies_confirm(connected, desk):
    declare(connected, buyer_of(connected))
    for actor in (desk, UserFactory(role="staff"), make_buyer().owner, make_producer().owner):
        with pytest.raises(PermissionDenied):
            outcomes.match_confirm_outcome(match=connected, actor=actor)
    assert not outcomes.is_confirmed(reloaded(connected))


def test_nothing_to_confirm_is_a_conflict(connected, desk):
    producer = producer_of(connected)
    with pytest.raises(Conflict):  # no outcome yet
        outcomes.match_confirm_outcome(match=connected, actor=producer)
    declare(connected, buyer_of(connected))
    outcomes.match_confirm_outcome(match=connected, actor=producer)
    with pytest.raises(Conflict):  # already confirmed
        outcomes.match_confirm_outcome(match=connected, actor=producer)
    recorded = make_match(status=C, counsellor=desk)
    declare(recorded, desk)
    with pytest.raises(Conflict):  # the counsellor's: confirmed as recorded
        outcomes.match_confirm_outcome(match=recorded, actor=producer_of(recorded))


def test_a_confirmation_of_a_version_corrected_since_is_a_conflict(connected):
    buyer, producer = buyer_of(connected), producer_of(connected)
    declare(connected, buyer)
    seen = reloaded(connected).outcome_declared_at
    declare(connected, buyer, outcome="won", value="150000", currency="USD")
    with pytest.raises(Conflict):
        outcomes.match_confirm_outcome(match=connected, actor=producer, declared_at=seen)
    outcomes.match_confirm_outcome(
        match=connected, actor=producer, declared_at=reloaded(connected).outcome_declared_at
    )
    assert outcomes.is_confirmed(reloaded(connected))


def test_the_other_company_declaring_the_same_deal_confirms_it(connected):
    declare(connected, buyer_of(connected))
    declare(
        connected, producer_of(connected), outcome="won", value="185000.00", currency="USD", note="Agreed"
    )
    match = reloaded(connected)
    assert outcomes.is_confirmed(match) and match.outcome_declared_by == buyer_of(connected)
    assert match.outcome_note == WON["note"]  # the declaration stands; the agreeing note is the event's
    event = outcome_events(match)[-1]
    assert (event.details["outcome"], event.note) == ("confirmed", "Agreed")


def test_the_counsellor_records_confirmed_at_once(connected, desk):
    declare(connected, desk, **LOST)
    match = reloaded(connected)
    assert outcomes.is_confirmed(match) and match.outcome_confirmed_by == desk
    assert outcomes.declarer_role(match) == "counsellor"
    assert outcome_events(match)[0].details["outcome"] == "recorded"
    staff = UserFactory(role="staff")
    other = make_match(status=C, counsellor=desk)
    declare(other, staff)
    assert outcomes.declarer_role(reloaded(other)) == "staff" and outcomes.is_confirmed(reloaded(other))


def test_sending_the_same_outcome_again_writes_nothing(connected, desk):
    declare(connected, buyer_of(connected))
    declare(connected, buyer_of(connected))
    assert len(outcome_events(connected)) == 1 and not outcomes.is_confirmed(reloaded(connected))
    other = make_match(status=C, counsellor=desk)
    declare(other, desk)
    declare(other, desk)
    assert len(outcome_events(other)) == 1


# --- Corrections ----------------------------------------------------------------------------------


def test_a_company_corrects_its_declaration_before_and_after_are_kept(connected):
    buyer = buyer_of(connected)
    declare(connected, buyer)
    declare(connected, buyer, outcome="won", value="150000", currency="EUR", note="Smaller order.")
    match = reloaded(connected)
    assert (match.status, match.outcome_value, match.outcome_currency) == (W, Decimal("150000"), "EUR")
    correction = outcome_events(match)[-1]
    assert (correction.from_status, correction.to_status, correction.note) == (W, W, "Smaller order.")
    assert correction.details == {
        "outcome": "corrected",
        "before": {"result": "won", "value": "185000.00", "currency": "USD", "note": WON["note"]},
        "after": {"result": "won", "value": "150000.00", "currency": "EUR", "note": "Smaller order."},
        "confirmed": False,
    }
    declare(connected, buyer, **LOST)  # won → lost
    match = reloaded(connected)
    assert (match.status, match.outcome_value, match.outcome_currency) == (L, None, "")
    flip = outcome_events(match)[-1]
    assert (flip.from_status, flip.to_status) == (W, L)
    assert flip.details["before"]["result"] == "won" and flip.details["after"]["result"] == "lost"


def test_a_company_correcting_a_confirmed_outcome_asks_the_other_again(connected):
    buyer, producer = buyer_of(connected), producer_of(connected)
    declare(connected, buyer)
    outcomes.match_confirm_outcome(match=connected, actor=producer)
    declare(connected, producer, outcome="won", value="170000", currency="USD", note="Discount")
    match = reloaded(connected)
    assert not outcomes.is_confirmed(match)
    assert (match.outcome_declared_by, match.outcome_confirmed_by) == (producer, None)
    with pytest.raises(Conflict):  # the producer's now: the buyer confirms
        outcomes.match_confirm_outcome(match=match, actor=producer)
    outcomes.match_confirm_outcome(match=match, actor=buyer)
    assert outcomes.is_confirmed(reloaded(connected))


def test_the_other_company_disputes_by_declaring_its_own_version(connected):
    buyer, producer = buyer_of(connected), producer_of(connected)
    declare(connected, buyer)
    declare(connected, producer, **LOST)
    match = reloaded(connected)
    assert match.status == L and match.outcome_declared_by == producer and not outcomes.is_confirmed(match)
    assert [e.details["outcome"] for e in outcome_events(match)] == ["declared", "corrected"]


def test_what_the_counsellor_recorded_is_theirs_to_correct(connected, desk):
    declare(connected, desk)
    for party in (buyer_of(connected), producer_of(connected)):
        with pytest.raises(Conflict):
            declare(connected, party, **LOST)
    declare(connected, desk, outcome="won", value="200000", currency="USD", note="Second shipment")
    match = reloaded(connected)
    assert match.outcome_value == Decimal("200000") and outcomes.is_confirmed(match)
    assert outcome_events(match)[-1].details["outcome"] == "corrected"


def test_the_counsellor_settles_a_companys_declaration(connected, desk):
    declare(connected, buyer_of(connected))
    declare(connected, desk)  # the same deal: confirmed by recording it
    match = reloaded(connected)
    assert outcomes.is_confirmed(match) and outcomes.declarer_role(match) == "counsellor"
    assert outcome_events(match)[-1].details["outcome"] == "confirmed"
    with pytest.raises(Conflict):  # now the counsellor's
        declare(connected, producer_of(connected), **LOST)


def test_an_outcome_recorded_before_declarations_counts_as_confirmed(desk):
    legacy = make_match(status=W, counsellor=desk, outcome_value=Decimal("1000"), outcome_currency="USD")
    assert outcomes.is_confirmed(legacy) and outcomes.declarer_role(legacy) is None
    assert Match.objects.filter(outcomes.confirmed_q(), pk=legacy.pk).exists()
    with pytest.raises(Conflict):
        declare(legacy, buyer_of(legacy), **LOST)
    declare(legacy, desk, **LOST)
    assert reloaded(legacy).status == L


def test_the_companies_see_the_counsellors_corrections_in_the_history(connected, desk):
    declare(connected, desk)
    declare(connected, desk, outcome="won", value="1000", currency="USD", note="Typo")
    match = Match.objects.select_related("producer", "buyer").get(pk=connected.pk)
    shown = events_visible_to(buyer_of(match), match, match.events.all())
    assert [event.details.get("outcome") for event in shown] == ["recorded", "corrected"]


# --- Emails -----------------------------------------------------------------------------------------


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


@pytest.fixture
def people():
    desk = make_counsellor("IQ", email="desk@mission.example.com", preferred_language="en")
    producer = make_producer(
        name="Azar Cooling",
        owner=UserFactory(role="producer", email="p@azar.example.com", preferred_language="fa"),
    )
    buyer = make_buyer(
        company_name="Baghdad Cold Chain",
        owner=UserFactory(role="buyer", email="b@baghdad.example.com", preferred_language="en"),
    )
    return make_match(producer, buyer, status=C, counsellor=desk)


def sent_to(outbox) -> dict:
    return {message.to[0]: message for message in outbox}


def test_a_declaration_asks_the_other_company_and_tells_the_counsellor(people, mailoutbox, on_commit):
    on_commit(outcomes.match_record_outcome, match=people, actor=buyer_of(people), **WON)
    mails = sent_to(mailoutbox)
    assert set(mails) == {"p@azar.example.com", "desk@mission.example.com"}  # not the declarer
    producer_mail = mails["p@azar.example.com"]
    assert '<html lang="fa" dir="rtl">' in producer_mail.alternatives[0][0]  # the producer's language
    desk_mail = mails["desk@mission.example.com"]
    assert "The buyer declared the outcome of the deal." in desk_mail.body
    assert "185,000" in desk_mail.body and "USD" in desk_mail.body
    assert "If the two companies disagree" in desk_mail.body
    assert desk_mail.subject.startswith("[Export Bridge] The deal's outcome")
    assert MatchNotice.objects.filter(kind="outcome").count() == 2


def test_a_confirmation_tells_the_declarer(people, mailoutbox, on_commit):
    on_commit(outcomes.match_record_outcome, match=people, actor=producer_of(people), **WON)
    mailoutbox.clear()
    on_commit(outcomes.match_confirm_outcome, match=people, actor=buyer_of(people))
    mails = sent_to(mailoutbox)
    assert set(mails) == {"p@azar.example.com", "desk@mission.example.com"}
    assert "The buyer confirmed the outcome of the deal." in mails["desk@mission.example.com"].body


def test_a_counsellors_correction_tells_both_companies_with_before_and_after(people, mailoutbox, on_commit):
    desk = people.counsellor
    on_commit(outcomes.match_record_outcome, match=people, actor=desk, **WON)
    mailoutbox.clear()
    on_commit(
        outcomes.match_record_outcome, match=people, actor=desk, outcome="won", value="90000", currency="EUR"
    )
    mails = sent_to(mailoutbox)
    assert set(mails) == {"p@azar.example.com", "b@baghdad.example.com"}
    body = mails["b@baghdad.example.com"].body
    assert "The trade counsellor corrected the outcome of the deal." in body
    assert "90,000 EUR" in body and "185,000 USD" in body
    assert "Please confirm" not in mails["b@baghdad.example.com"].subject
    assert "Nothing else is needed from you." in body


def test_the_company_asked_to_confirm_is_told_so(people, mailoutbox, on_commit):
    people.buyer.owner.preferred_language = "en"
    people.buyer.owner.save()
    on_commit(outcomes.match_record_outcome, match=people, actor=producer_of(people), **LOST)
    mail = sent_to(mailoutbox)["b@baghdad.example.com"]
    assert mail.subject.startswith("[Export Bridge] Please confirm the deal's outcome")
    assert "confirm it on the match page" in mail.body and "Lost on price" in mail.body
