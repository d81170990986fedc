"""The quote services (deals.quotes): every field rule, the defaults from the request, every
transition with who may make it, and what each writes (the quote, the request, the history).

Run on SQLite and on PostgreSQL: PostgreSQL refuses what SQLite stores (NUL bytes, over-long
text, numbers beyond the column), so each refusal must come from the service as a field error.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from deals import quote_log, quotes
from deals.models import Quote, QuoteStatus
from matchmaking.models import MatchEvent, MatchStatus
from portal.exceptions import StateConflict
from portal.formatting import format_number
from sourcing.models import RequestEvent, RequestStatus

from .quote_support import in_days, make_cast, make_deal, make_quote, make_request, quote_input, today

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mail_tasks(monkeypatch):
    """The emails have their own tests: here the event ids the services hand them are kept."""
    sent = []
    monkeypatch.setattr("deals.tasks.notify_quote_event.delay", lambda event_id: sent.append(event_id))
    return sent


@pytest.fixture
def cast():
    return make_cast()


def _errors(error: ValidationError) -> dict:
    return error.message_dict


# --- Field rules -------------------------------------------------------------------------------

NUL = "12\x00"
BAD_FIELDS = [
    ("unit_price", ...),  # left out
    ("unit_price", ""),
    ("unit_price", "0"),
    ("unit_price", "-5"),
    ("unit_price", "0.004"),  # rounds to zero in the column's two decimals
    ("unit_price", "1e999999"),
    ("unit_price", "1000000000000"),  # beyond the column's digits
    ("unit_price", "9" * 41),
    ("unit_price", NUL),
    ("unit_price", "abc"),
    ("unit_price", {"a": 1}),
    ("unit_price", True),
    ("unit_price", "NaN"),
    ("currency", "XYZ"),
    ("currency", "US"),
    ("currency", "USDD"),
    ("currency", "U\x00D"),
    ("currency", 840),
    ("quantity", "0"),
    ("quantity", "-1"),
    ("quantity", "0.004"),
    ("quantity", "1e15"),
    ("quantity", NUL),
    ("quantity", ["1"]),
    ("unit", "bananas"),
    ("unit", 5),
    ("unit", "units\x00"),
    ("incoterm", "XYZ"),
    ("incoterm", "CIF\x00"),
    ("incoterm", ["CIF"]),
    ("lead_time_days", ...),
    ("lead_time_days", -1),
    ("lead_time_days", 731),
    ("lead_time_days", 10**30),
    ("lead_time_days", "abc"),
    ("lead_time_days", "1e3"),
    ("lead_time_days", 1.5),
    ("lead_time_days", True),
    ("lead_time_days", "4\x005"),
    ("valid_until", ...),
    ("valid_until", ""),
    ("valid_until", "yesterday"),
    ("valid_until", "2026-13-01"),
    ("valid_until", 20260101),
    ("valid_until", "2026-01-01\x00"),
    ("note", "x" * 2001),
    ("note", "Hello\x00"),
    ("note", 5),
    ("status", "accepted"),  # not the producer's to set
    ("match", 1),
]


@pytest.mark.parametrize(("field", "value"), BAD_FIELDS, ids=lambda v: repr(v)[:20])
def test_each_bad_value_is_a_field_error_and_nothing_is_written(cast, field, value):
    with pytest.raises(ValidationError) as refused:
        quotes.quote_create(match=cast.match, actor=cast.producer, data=quote_input(**{field: value}))
    assert list(_errors(refused.value)) == [field]
    assert not Quote.objects.exists()
    assert not MatchEvent.objects.filter(details__has_key="quote").exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [(in_days(-1), "at least until today"), (in_days(367), "a year at most")],
)
def test_the_validity_runs_from_today_to_a_year_on(cast, value, message):
    with pytest.raises(ValidationError) as refused:
        quotes.quote_create(match=cast.match, actor=cast.producer, data=quote_input(valid_until=value))
    assert message in _errors(refused.value)["valid_until"][0]


def test_the_bounds_themselves_are_accepted(cast):
    last = quotes.last_valid_day(today())
    first = quotes.quote_create(match=cast.match, actor=cast.producer, data=quote_input(valid_until=today()))
    second = quotes.quote_create(
        match=cast.match,
        actor=cast.producer,
        data=quote_input(valid_until=last.isoformat(), lead_time_days=730, note="n" * 2000),
    )
    third = quotes.quote_create(
        match=cast.match,
        actor=cast.producer,
        data=quote_input(unit_price="999999999999.99", quantity="999999999999.99", lead_time_days=0),
    )
    for quote in (first, second, third):
        quote.refresh_from_db()
    assert first.valid_until == today() and second.valid_until == last
    assert len(second.note) == 2000 and second.lead_time_days == 730
    assert third.unit_price == Decimal("999999999999.99") and third.total > 10**23


def test_a_29_february_gives_a_year_to_28_february():
    assert quotes.last_valid_day(datetime.date(2028, 2, 29)) == datetime.date(2029, 2, 28)
    assert quotes.last_valid_day(datetime.date(2026, 3, 1)) == datetime.date(2027, 3, 1)


def test_values_are_read_as_people_type_them(cast):
    quote = quotes.quote_create(
        match=cast.match,
        actor=cast.producer,
        data=quote_input(
            unit_price="۱٬۲۵۰٫۵",  # Persian digits and separators
            currency=" eur ",
            quantity="1,000",
            incoterm="fob",
            lead_time_days="۴۵",
            valid_until=in_days(10),
            note="  Line one\r\nline\u202e two  ",
        ),
    )
    quote.refresh_from_db()
    assert quote.unit_price == Decimal("1250.50") and quote.currency == "EUR"
    assert quote.quantity == Decimal("1000") and quote.incoterm == "FOB"
    assert quote.lead_time_days == 45 and quote.valid_until == in_days(10)
    assert quote.note == "Line one\nline two"
    assert quote.unit_price * quote.quantity == quote.total


def test_unit_quantity_currency_and_incoterm_default_to_the_request(cast):
    data = quote_input(currency=..., quantity=..., unit=..., incoterm=..., note=...)
    quote = quotes.quote_create(match=cast.match, actor=cast.producer, data=data)
    assert (quote.currency, quote.quantity, quote.unit, quote.incoterm) == (
        "USD",
        Decimal("2000"),
        "units",
        "CIF",
    )
    assert quote.note == ""


def test_without_a_request_they_are_required():
    match = make_deal(with_request=False)
    data = quote_input(currency=..., quantity=..., unit=..., incoterm=...)
    with pytest.raises(ValidationError) as refused:
        quotes.quote_create(match=match, actor=match.producer.owner, data=data)
    assert set(_errors(refused.value)) == {"currency", "quantity", "unit", "incoterm"}


def test_a_request_without_an_incoterm_needs_one_in_the_quote():
    buyer = make_deal().buyer
    request, line = make_request(buyer, incoterm="", title="Open terms")
    match = make_deal(buyer=buyer, request=request, line=line)
    with pytest.raises(ValidationError) as refused:
        quotes.quote_create(match=match, actor=match.producer.owner, data=quote_input(incoterm=...))
    assert list(_errors(refused.value)) == ["incoterm"]


def test_every_error_is_reported_at_once(cast):
    data = quote_input(unit_price="0", currency="X", lead_time_days=-3, valid_until="no", note="\x00")
    with pytest.raises(ValidationError) as refused:
        quotes.quote_create(match=cast.match, actor=cast.producer, data=data)
    assert set(_errors(refused.value)) == {"unit_price", "currency", "lead_time_days", "valid_until", "note"}


# --- Creating ----------------------------------------------------------------------------------


def test_the_producer_quotes_for_the_match_request_and_line(cast, _no_mail_tasks):
    quote = quotes.quote_create(match=cast.match, actor=cast.producer, data=quote_input())
    assert quote.status == QuoteStatus.OPEN
    assert quote.match == cast.match and quote.request == cast.request
    assert quote.line == cast.match.request_line and quote.author == cast.producer
    event = MatchEvent.objects.get(details__quote=quote.pk)
    assert (event.from_status, event.to_status) == (MatchStatus.FORWARDED, MatchStatus.FORWARDED)
    assert event.details == {"quote": quote.pk, "action": quote_log.CREATED}
    assert event.actor == cast.producer
    assert "Packed on pallets." in event.note
    assert _no_mail_tasks == [event.pk]


def test_a_connected_match_takes_quotes_too(cast):
    match = cast.matches["connected"]
    quote = quotes.quote_create(match=match, actor=cast.producer, data=quote_input())
    event = MatchEvent.objects.get(details__quote=quote.pk)
    assert event.from_status == event.to_status == MatchStatus.CONNECTED


@pytest.mark.parametrize(
    "status",
    [MatchStatus.PROPOSED, MatchStatus.DECLINED, MatchStatus.REJECTED, MatchStatus.WON, MatchStatus.LOST],
)
def test_no_quote_on_a_match_that_is_not_live(status):
    match = make_deal(status=status)
    with pytest.raises(StateConflict):
        quotes.quote_create(match=match, actor=match.producer.owner, data=quote_input())
    assert not Quote.objects.exists()


@pytest.mark.parametrize("status", [RequestStatus.CLOSED, RequestStatus.AWARDED, RequestStatus.PENDING])
def test_no_quote_for_a_request_that_is_not_published(cast, status):
    cast.request.status = status
    cast.request.save(update_fields=["status"])
    with pytest.raises(StateConflict) as refused:
        quotes.quote_create(match=cast.match, actor=cast.producer, data=quote_input())
    assert "takes no more quotes" in refused.value.message
    assert not Quote.objects.exists()


@pytest.mark.parametrize("role", ["buyer", "other_producer", "other_buyer", "counsellor", "staff"])
def test_only_the_producer_of_the_match_quotes(cast, role):
    with pytest.raises(PermissionDenied):
        quotes.quote_create(match=cast.match, actor=cast.user(role), data=quote_input())


def test_a_producer_who_became_a_buyer_no_longer_quotes(cast):
    cast.producer.role = "buyer"
    cast.producer.save(update_fields=["role"])
    with pytest.raises(PermissionDenied):
        quotes.quote_create(match=cast.match, actor=cast.producer, data=quote_input())


# --- Withdrawing and declining -----------------------------------------------------------------


def test_the_producer_withdraws_an_open_quote_once(cast):
    quote = make_quote(cast.match)
    quotes.quote_withdraw(quote=quote, actor=cast.producer)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.WITHDRAWN and quote.decided_at is None
    assert MatchEvent.objects.get(details__quote=quote.pk).details["action"] == "withdrawn"
    with pytest.raises(StateConflict):
        quotes.quote_withdraw(quote=quote, actor=cast.producer)


@pytest.mark.parametrize("role", ["buyer", "other_producer", "counsellor", "staff"])
def test_only_its_producer_withdraws_a_quote(cast, role):
    quote = make_quote(cast.match)
    with pytest.raises(PermissionDenied):
        quotes.quote_withdraw(quote=quote, actor=cast.user(role))
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.OPEN


def test_the_buyer_declines_with_a_note(cast, _no_mail_tasks):
    quote = make_quote(cast.match)
    quotes.quote_decline(quote=quote, actor=cast.buyer, note="Too dear for us.")
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.DECLINED
    assert (quote.decided_by, quote.decision_note) == (cast.buyer, "Too dear for us.")
    assert quote.decided_at is not None
    event = MatchEvent.objects.get(details__quote=quote.pk)
    assert event.actor == cast.buyer and "Too dear for us." in event.note
    assert _no_mail_tasks == [event.pk]
    cast.request.refresh_from_db()
    assert cast.request.status == RequestStatus.PUBLISHED  # a decline awards nothing


@pytest.mark.parametrize("note", ["x" * 2001, "a\x00b", 7])
def test_a_bad_decision_note_is_a_field_error(cast, note):
    quote = make_quote(cast.match)
    for decide in (quotes.quote_decline, quotes.quote_accept):
        with pytest.raises(ValidationError) as refused:
            decide(quote=quote, actor=cast.buyer, note=note)
        assert list(_errors(refused.value)) == ["note"]
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.OPEN


@pytest.mark.parametrize("status", [QuoteStatus.WITHDRAWN, QuoteStatus.EXPIRED, QuoteStatus.DECLINED])
def test_a_closed_quote_takes_no_decision(cast, status):
    quote = make_quote(cast.match, status=status)
    for decide in (quotes.quote_decline, quotes.quote_accept):
        with pytest.raises(StateConflict):
            decide(quote=quote, actor=cast.buyer)
    cast.request.refresh_from_db()
    assert cast.request.status == RequestStatus.PUBLISHED


@pytest.mark.parametrize("role", ["producer", "other_buyer", "counsellor", "staff"])
def test_only_the_buyer_decides(cast, role):
    quote = make_quote(cast.match)
    for decide in (quotes.quote_decline, quotes.quote_accept):
        with pytest.raises(PermissionDenied):
            decide(quote=quote, actor=cast.user(role))
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.OPEN


# --- Accepting ---------------------------------------------------------------------------------


def test_accepting_awards_the_request_and_declines_its_other_open_quotes(cast, _no_mail_tasks):
    cast.other_match.producer.owner.preferred_language = "en"
    cast.other_match.producer.owner.save(update_fields=["preferred_language"])
    chosen = make_quote(cast.match)
    rival = make_quote(cast.other_match, unit_price=Decimal("130"))
    withdrawn = make_quote(cast.other_match, status=QuoteStatus.WITHDRAWN)
    elsewhere = make_quote(cast.matches["connected"])  # another request's

    quotes.quote_accept(quote=chosen, actor=cast.buyer, note="Deal.")

    for quote in (chosen, rival, withdrawn, elsewhere):
        quote.refresh_from_db()
    assert chosen.status == QuoteStatus.ACCEPTED and chosen.decision_note == "Deal."
    assert chosen.decided_by == cast.buyer
    assert rival.status == QuoteStatus.DECLINED and rival.decided_by == cast.buyer
    assert rival.decision_note == "Another quote for this request was accepted."  # its producer's language
    assert withdrawn.status == QuoteStatus.WITHDRAWN and elsewhere.status == QuoteStatus.OPEN
    cast.request.refresh_from_db()
    assert cast.request.status == RequestStatus.AWARDED and cast.request.closed_at is not None
    award = RequestEvent.objects.get(request=cast.request, to_status=RequestStatus.AWARDED)
    assert award.actor == cast.buyer and award.from_status == RequestStatus.PUBLISHED
    accepted = MatchEvent.objects.get(match=cast.match, details__quote=chosen.pk)
    declined = MatchEvent.objects.get(match=cast.other_match, details__quote=rival.pk)
    assert accepted.details == {"quote": chosen.pk, "action": "accepted"}
    assert declined.details == {"quote": rival.pk, "action": "declined", "superseded": True}
    assert declined.from_status == declined.to_status == MatchStatus.FORWARDED
    assert sorted(_no_mail_tasks) == sorted([accepted.pk, declined.pk])
    # The request is closed to new quotes and to a second acceptance.
    with pytest.raises(StateConflict):
        quotes.quote_create(match=cast.other_match, actor=cast.other_producer, data=quote_input())
    with pytest.raises(StateConflict):
        quotes.quote_accept(quote=rival, actor=cast.buyer)


def test_a_quote_without_a_request_is_just_accepted():
    match = make_deal(with_request=False)
    quote = make_quote(match)
    quotes.quote_accept(quote=quote, actor=match.buyer.owner)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED and quote.request is None
    assert not RequestEvent.objects.exists()


def test_a_quote_past_its_validity_is_not_accepted_and_nothing_changes(cast):
    quote = make_quote(cast.match, valid_until=in_days(-1))
    with pytest.raises(StateConflict) as refused:
        quotes.quote_accept(quote=quote, actor=cast.buyer)
    assert "valid until" in refused.value.message
    quote.refresh_from_db()
    cast.request.refresh_from_db()
    assert quote.status == QuoteStatus.OPEN and cast.request.status == RequestStatus.PUBLISHED
    assert not RequestEvent.objects.filter(request=cast.request).exists()
    # ... but the buyer may still decline it.
    quotes.quote_decline(quote=quote, actor=cast.buyer)


def test_a_quote_valid_until_today_is_accepted(cast):
    quote = make_quote(cast.match, valid_until=today())
    quotes.quote_accept(quote=quote, actor=cast.buyer)


@pytest.mark.parametrize("status", [MatchStatus.DECLINED, MatchStatus.WON, MatchStatus.LOST])
def test_a_quote_on_a_match_no_longer_live_is_not_accepted(cast, status):
    quote = make_quote(cast.match)
    cast.match.status = status
    cast.match.save(update_fields=["status"])
    with pytest.raises(StateConflict):
        quotes.quote_accept(quote=quote, actor=cast.buyer)
    cast.request.refresh_from_db()
    assert cast.request.status == RequestStatus.PUBLISHED  # the award rolled back with it


@pytest.mark.parametrize("status", [RequestStatus.CLOSED, RequestStatus.AWARDED])
def test_a_quote_of_a_request_no_longer_published_is_not_accepted(cast, status):
    quote = make_quote(cast.match)
    cast.request.status = status
    cast.request.save(update_fields=["status"])
    with pytest.raises(StateConflict):
        quotes.quote_accept(quote=quote, actor=cast.buyer)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.OPEN


def test_the_same_quote_is_accepted_once(cast):
    quote = make_quote(cast.match)
    quotes.quote_accept(quote=quote, actor=cast.buyer)
    with pytest.raises(StateConflict):
        quotes.quote_accept(quote=quote, actor=cast.buyer)
    with pytest.raises(StateConflict):
        quotes.quote_withdraw(quote=quote, actor=cast.producer)
    assert RequestEvent.objects.filter(to_status=RequestStatus.AWARDED).count() == 1


def test_the_producer_quotes_again_after_a_decline(cast):
    first = make_quote(cast.match)
    quotes.quote_decline(quote=first, actor=cast.buyer)
    second = quotes.quote_create(match=cast.match, actor=cast.producer, data=quote_input(unit_price="110"))
    assert second.status == QuoteStatus.OPEN
    assert Quote.objects.filter(match=cast.match).count() == 2


def test_event_notes_are_in_the_language_of_whoever_acted(cast):
    with translation.override("en"):
        quote = quotes.quote_create(match=cast.match, actor=cast.producer, data=quote_input(note=""))
    note = MatchEvent.objects.get(details__quote=quote.pk).note
    assert note.startswith(
        f"Quote #{quote.pk} sent: 2,000 units at 125.50 USD per unit, CIF, lead time 45 days"
    )
    with translation.override("fa"):
        quotes.quote_decline(quote=quote, actor=cast.buyer)
    declined = MatchEvent.objects.get(details__quote=quote.pk, details__action="declined")
    assert format_number(quote.pk, language="fa") in declined.note  # Persian digits


def test_the_services_take_ids_too(cast):
    quote = quotes.quote_create(match=cast.match.pk, actor=cast.producer, data=quote_input())
    quotes.quote_withdraw(quote=quote.pk, actor=cast.producer)
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.WITHDRAWN
    with pytest.raises(PermissionDenied):
        quotes.quote_decline(quote=quote.pk, actor=cast.staff)
