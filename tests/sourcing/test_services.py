"""sourcing.services: every rule on a request's fields and lines, the transitions with the
status each expects (StateConflict otherwise), who may do what, events and signals."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from accounts.models import User
from portal.exceptions import StateConflict
from sourcing import services
from sourcing.models import BuyingRequest, RequestEvent, RequestLine, RequestStatus
from sourcing.signals import request_changed
from tests.factories import UserFactory, hs_sector

from .support import in_days, make_request, valid_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def changes():
    """The `request_changed` signals sent, as (request id, change)."""
    sent = []

    def receiver(sender, request, change, **kwargs):
        sent.append((request.pk, change))

    request_changed.connect(receiver, dispatch_uid="tests.sourcing.changes")
    yield sent
    request_changed.disconnect(dispatch_uid="tests.sourcing.changes")


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


# --- Creating -----------------------------------------------------------------------------


def test_a_buyer_posts_a_request_with_its_lines(buyer):
    request = services.request_create(actor=buyer.owner, data=valid_data())
    assert request.status == RequestStatus.PENDING
    assert request.buyer == buyer and request.destination_country.code == "IQ"
    assert request.original_language == "en" and request.incoterm == "CIF"
    assert request.required_certifications == ["ISO9001"]
    lines = list(request.lines.order_by("position"))
    assert [(line.position, line.sector_id, line.quantity, line.unit) for line in lines] == [
        (0, "841370", Decimal("2000.00"), "units"),
        (1, "8481", Decimal("500.00"), "units"),
    ]
    assert lines[0].target_price == Decimal("350.50") and lines[1].target_price is None
    assert lines[1].specification == "DN100 gate valves"
    (event,) = request.events.all()
    assert (event.actor, event.from_status, event.to_status) == (buyer.owner, "", RequestStatus.PENDING)


def test_a_one_line_request_may_give_its_line_at_the_top(buyer):
    data = valid_data(hs_code="8413", quantity="12", unit="sets", target_price="99")
    del data["lines"]
    request = services.request_create(actor=buyer.owner, data=data)
    line = request.lines.get()
    assert (line.sector_id, line.quantity, line.unit, line.target_price) == ("8413", 12, "sets", 99)


def test_the_top_fields_and_lines_together_are_refused(buyer):
    errors = errors_of(lambda: services.request_create(actor=buyer.owner, data=valid_data(quantity="3")))
    assert "quantity" in errors


def test_the_destination_defaults_to_the_buyers_country_and_the_currency_to_usd(buyer):
    data = valid_data()
    del data["currency"]
    request = services.request_create(actor=buyer.owner, data=data)
    assert request.currency == "USD" and request.destination_country.code == "IQ"
    other = services.request_create(
        actor=buyer.owner, data=valid_data(destination_country="ae", currency="eur")
    )
    assert other.destination_country.code == "AE" and other.currency == "EUR"


def test_a_persian_title_keeps_its_language_and_translations(buyer):
    request = services.request_create(
        actor=buyer.owner,
        data=valid_data(title="پمپ گریز از مرکز", translations={"en": {"title": "Centrifugal pumps"}}),
    )
    assert request.original_language == "fa"
    assert request.title_en == "Centrifugal pumps" and request.title_fa == "پمپ گریز از مرکز"


def test_translations_are_checked(buyer):
    errors = errors_of(
        lambda: services.request_create(
            actor=buyer.owner, data=valid_data(translations={"en": {"name": "x"}, "xx": {}})
        )
    )
    assert "translations" in errors


def test_only_buyers_with_a_profile_post(producer, staff, buyer, other_buyer):
    with pytest.raises(PermissionDenied):
        services.request_create(actor=producer.owner, data=valid_data())
    with pytest.raises(PermissionDenied):
        services.request_create(actor=UserFactory(role="counsellor"), data=valid_data())
    lonely = UserFactory(role="buyer")
    assert "non_field_errors" in errors_of(lambda: services.request_create(actor=lonely, data=valid_data()))
    with pytest.raises(PermissionDenied):  # another company's profile
        services.request_create(actor=buyer.owner, data=valid_data(), buyer=other_buyer)
    assert "buyer" in errors_of(lambda: services.request_create(actor=staff, data=valid_data()))
    made = services.request_create(actor=staff, data=valid_data(), buyer=other_buyer)
    assert made.buyer == other_buyer
    assert not BuyingRequest.objects.exclude(pk=made.pk).exists()


LONG = "x" * 5001
BAD_HEADERS = [
    ("title", None),
    ("title", ""),
    ("title", "   "),
    ("title", "t" * 201),
    ("description", LONG),
    ("currency", "ABC"),
    ("currency", "US"),
    ("currency", ""),
    ("incoterm", "ABC"),
    ("incoterm", 12),
    ("destination_country", "ZZ"),
    ("destination_country", "IRQ"),
    ("destination_port", "p" * 101),
    ("deadline", None),
    ("deadline", ""),
    ("deadline", "tomorrow"),
    ("deadline", "2027-13-01"),
    ("deadline", "1405-12-31"),  # no 31st in Esfand
    ("deadline", "9" * 50),
    ("deadline", 20270101),
    ("required_certifications", ["ISO 9001 and more words that go on and on"]),
    ("required_certifications", ["C"] * 21),
    ("owner", 1),
    ("status", "published"),
    ("buyer", 1),
]


@pytest.mark.parametrize(("field", "value"), BAD_HEADERS, ids=[f"{f}-{str(v)[:12]}" for f, v in BAD_HEADERS])
def test_bad_header_fields_are_refused_by_field(buyer, field, value):
    errors = errors_of(lambda: services.request_create(actor=buyer.owner, data=valid_data(**{field: value})))
    assert field in errors, errors
    assert not BuyingRequest.objects.exists()


@pytest.mark.parametrize(
    ("days", "ok"), [(-30, False), (-1, False), (0, False), (1, True), (730, True), (731, False)]
)
def test_the_deadline_is_in_the_future_and_at_most_two_years_ahead(buyer, days, ok):
    call = lambda: services.request_create(actor=buyer.owner, data=valid_data(deadline=in_days(days)))  # noqa: E731
    if ok:
        assert call().deadline == in_days(days)
    else:
        assert "deadline" in errors_of(call)


def test_a_deadline_in_the_persian_calendar_or_persian_digits_is_read(buyer):
    import jdatetime

    target = in_days(100)
    jalali = jdatetime.date.fromgregorian(date=target)
    text = f"{jalali.year}/{jalali.month:02d}/{jalali.day:02d}".translate(
        str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    )
    assert services.request_create(actor=buyer.owner, data=valid_data(deadline=text)).deadline == target
    iso = services.request_create(actor=buyer.owner, data=valid_data(deadline=target.isoformat()))
    assert iso.deadline == target


def test_text_is_cleaned_of_control_characters(buyer):
    request = services.request_create(
        actor=buyer.owner,
        data=valid_data(
            title="Pumps\x00 for\u202e water\n",
            description="line one\r\nline\x00 two",
            destination_port="Umm\tQasr",
        ),
    )
    request.refresh_from_db()
    assert request.__dict__["title"] == "Pumps for water"
    assert request.__dict__["description"] == "line one\nline two"
    assert request.destination_port == "Umm Qasr"


@pytest.fixture(autouse=True)
def sectors(db):
    for code in ("84", "8413", "841370", "8481"):
        hs_sector(code)


def line(**overrides) -> dict:
    return {"hs_code": "841370", "quantity": "10", "unit": "units", **overrides}


BAD_LINES = [
    ("hs_code", None),
    ("hs_code", ""),
    ("hs_code", "000000"),
    ("hs_code", "841"),
    ("hs_code", "XVI"),  # a section is not a product
    ("hs_code", "84a3"),
    ("hs_code", "8" * 30),
    ("quantity", None),
    ("quantity", ""),
    ("quantity", "0"),
    ("quantity", "-5"),
    ("quantity", "0.001"),
    ("quantity", "12345678901234567"),
    ("quantity", "1e17"),
    ("quantity", "NaN"),
    ("quantity", "Infinity"),
    ("quantity", "abc"),
    ("quantity", True),
    ("quantity", [1]),
    ("unit", None),
    ("unit", "boxes"),
    ("unit", ["units"]),
    ("target_price", "0"),
    ("target_price", "-1"),
    ("target_price", "0.004"),
    ("target_price", "9" * 17),
    ("specification", "s" * 501),
    ("colour", "blue"),
]


@pytest.mark.parametrize(("field", "value"), BAD_LINES, ids=[f"{f}-{str(v)[:12]}" for f, v in BAD_LINES])
def test_bad_line_fields_are_refused_and_named_by_line(buyer, field, value):
    lines = [line(), line(**{field: value})]
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        services.request_create(actor=buyer.owner, data=valid_data(lines=lines))
    assert list(caught.value.message_dict) == ["lines"]
    assert all(message.startswith("Line 2") for message in caught.value.message_dict["lines"])
    per_line = services.line_errors(caught.value)
    assert per_line[0] == {} and field in per_line[1]
    assert not BuyingRequest.objects.exists()


@pytest.mark.parametrize(
    "lines", [[], None, "8413", {"hs_code": "8413"}, [line()] * 21, ["not a line"], [None]], ids=str
)
def test_the_lines_are_a_list_of_one_to_twenty_objects(buyer, lines):
    assert "lines" in errors_of(
        lambda: services.request_create(actor=buyer.owner, data=valid_data(lines=lines))
    )


def test_twenty_lines_and_a_chapter_or_heading_are_fine(buyer):
    hs_sector("84")
    lines = [line(hs_code="84"), line(hs_code="8413"), *[line(quantity=str(n + 1)) for n in range(18)]]
    request = services.request_create(actor=buyer.owner, data=valid_data(lines=lines))
    assert request.lines.count() == 20


def test_quantities_round_to_two_decimals_and_read_persian_digits(buyer):
    request = services.request_create(
        actor=buyer.owner, data=valid_data(lines=[line(quantity="۱٬۲۰۰٫۵۵۵", target_price="0.005")])
    )
    saved = request.lines.get()
    assert saved.quantity == Decimal("1200.56") and saved.target_price == Decimal("0.01")


def test_the_largest_quantity_fits_the_column(buyer):
    request = services.request_create(
        actor=buyer.owner,
        data=valid_data(lines=[line(quantity="999999999999.99", target_price="999999999999.99")]),
    )
    assert request.lines.get().quantity == Decimal("999999999999.99")


# --- Changing -----------------------------------------------------------------------------


def test_the_buyer_changes_a_pending_request_and_its_lines_are_replaced(buyer, changes):
    request = make_request(buyer)
    first, second = request.lines.order_by("position")
    hs_sector("8413")
    updated = services.request_update(
        request=request,
        actor=buyer.owner,
        data={"title": "Pumps only", "lines": [{"hs_code": "8413", "quantity": "7", "unit": "sets"}]},
    )
    assert updated.status == RequestStatus.PENDING and updated.title == "Pumps only"
    (kept,) = updated.lines.all()
    assert kept.pk == first.pk and (kept.sector_id, kept.quantity, kept.unit) == ("8413", 7, "sets")
    assert not RequestLine.objects.filter(pk=second.pk).exists()
    assert request.events.last().to_status == RequestStatus.PENDING
    assert changes == []  # nothing for the matcher: not published


def test_the_top_fields_change_the_first_line_only(buyer):
    request = make_request(buyer)
    services.request_update(request=request, actor=buyer.owner, data={"quantity": "3000"})
    lines = list(request.lines.order_by("position"))
    assert [line.quantity for line in lines] == [3000, 500] and lines[0].target_price == Decimal("350.50")


def test_an_edit_of_a_published_request_keeps_it_published_and_tells_the_matcher(buyer, on_commit, changes):
    request = make_request(buyer, status=RequestStatus.PUBLISHED)
    updated = on_commit(services.request_update, request=request, actor=buyer.owner, data={"incoterm": "FOB"})
    assert updated.status == RequestStatus.PUBLISHED and updated.incoterm == "FOB"
    assert changes == [(request.pk, "edited")]


def test_an_edit_of_a_returned_request_sends_it_back_to_the_counsellor(buyer, on_commit, changes):
    request = make_request(buyer, status=RequestStatus.REJECTED)
    updated = on_commit(services.request_update, request=request, actor=buyer.owner, data={"title": "Better"})
    assert updated.status == RequestStatus.PENDING
    event = updated.events.last()
    assert (event.from_status, event.to_status, event.actor) == ("rejected", "pending", buyer.owner)
    assert changes == []


@pytest.mark.parametrize("status", [RequestStatus.CLOSED, RequestStatus.AWARDED])
def test_a_closed_or_awarded_request_cannot_be_changed(buyer, status):
    request = make_request(buyer, status=status)
    with pytest.raises(StateConflict):
        services.request_update(request=request, actor=buyer.owner, data={"title": "Again"})


def test_only_its_buyer_and_staff_change_a_request(buyer, other_buyer, producer, desk, staff):
    request = make_request(buyer)
    for actor in (other_buyer.owner, producer.owner, desk):
        with pytest.raises(PermissionDenied):
            services.request_update(request=request, actor=actor, data={"title": "Mine now"})
    services.request_update(request=request, actor=staff, data={"title": "Fixed by staff"})
    request.refresh_from_db()
    assert request.title == "Fixed by staff"


def test_a_bad_change_changes_nothing(buyer):
    request = make_request(buyer)
    with pytest.raises(ValidationError):
        services.request_update(request=request, actor=buyer.owner, data={"title": "New", "lines": []})
    request.refresh_from_db()
    assert request.title == valid_data()["title"] and request.lines.count() == 2


# --- The counsellor's review --------------------------------------------------------------


def test_the_counsellor_in_scope_approves(buyer, desk, on_commit, changes, mailoutbox):
    request = make_request(buyer)
    approved = on_commit(services.request_approve, request=request, actor=desk, note="Good to go")
    assert approved.status == RequestStatus.PUBLISHED and approved.published_at is not None
    assert approved.reviewed_by == desk and approved.review_note == "Good to go"
    event = approved.events.last()
    assert (event.from_status, event.to_status, event.actor, event.note) == (
        "pending",
        "published",
        desk,
        "Good to go",
    )
    assert changes == [(request.pk, "published")]
    assert [message.to for message in mailoutbox] == [[buyer.owner.email]]


def test_approving_is_for_the_counsellor_in_scope_and_staff(buyer, outsider, producer, other_buyer, staff):
    request = make_request(buyer)
    for actor in (outsider, producer.owner, other_buyer.owner, buyer.owner):
        with pytest.raises(PermissionDenied):
            services.request_approve(request=request, actor=actor)
    assert services.request_approve(request=request, actor=staff).status == RequestStatus.PUBLISHED


@pytest.mark.parametrize(
    "status", [RequestStatus.PUBLISHED, RequestStatus.REJECTED, RequestStatus.CLOSED, RequestStatus.AWARDED]
)
def test_only_a_pending_request_is_approved_or_returned(buyer, desk, status):
    request = make_request(buyer, status=status)
    with pytest.raises(StateConflict):
        services.request_approve(request=request, actor=desk)
    with pytest.raises(StateConflict):
        services.request_return(request=request, actor=desk, note="Fix it")
    assert BuyingRequest.objects.get(pk=request.pk).status == status


def test_a_request_past_its_deadline_is_not_approved(buyer, desk):
    request = make_request(buyer)
    BuyingRequest.objects.filter(pk=request.pk).update(deadline=timezone.localdate())
    with pytest.raises(StateConflict):
        services.request_approve(request=request, actor=desk)


def test_returning_needs_a_note(buyer, desk, changes, on_commit, mailoutbox):
    request = make_request(buyer)
    for note in ("", "   ", None, "x" * 2001):
        with pytest.raises(ValidationError):
            services.request_return(request=request, actor=desk, note=note)
    returned = on_commit(services.request_return, request=request, actor=desk, note="Give the pump head too.")
    assert returned.status == RequestStatus.REJECTED and returned.review_note == "Give the pump head too."
    assert changes == [(request.pk, "returned")]
    assert len(mailoutbox) == 1 and "Give the pump head too." in mailoutbox[0].body


def test_two_counsellors_at_once_one_wins(buyer, desk, staff):
    request = make_request(buyer)
    services.request_approve(request=request, actor=desk)
    with pytest.raises(StateConflict):
        services.request_return(request=request, actor=staff, note="Too late")


# --- Closing ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [RequestStatus.PENDING, RequestStatus.PUBLISHED, RequestStatus.REJECTED])
def test_the_buyer_closes_an_open_request(buyer, status, on_commit, changes):
    request = make_request(buyer, status=status)
    closed = on_commit(services.request_close, request=request, actor=buyer.owner, note="Bought elsewhere")
    assert closed.status == RequestStatus.CLOSED and closed.closed_at is not None
    assert changes == [(request.pk, "closed")]


@pytest.mark.parametrize("status", [RequestStatus.CLOSED, RequestStatus.AWARDED])
def test_a_closed_or_awarded_request_is_not_closed_again(buyer, status):
    with pytest.raises(StateConflict):
        services.request_close(request=make_request(buyer, status=status), actor=buyer.owner)


def test_who_may_close(buyer, other_buyer, producer, desk, outsider, staff):
    for actor in (other_buyer.owner, producer.owner, outsider):
        with pytest.raises(PermissionDenied):
            services.request_close(request=make_request(buyer), actor=actor)
    for actor in (desk, staff, buyer.owner):
        assert services.request_close(request=make_request(buyer), actor=actor).status == RequestStatus.CLOSED


def test_award_takes_a_published_request_only(buyer, on_commit, changes):
    published = make_request(buyer, status=RequestStatus.PUBLISHED)
    awarded = on_commit(services.award_request, published, actor=buyer.owner)
    assert awarded.status == RequestStatus.AWARDED and awarded.closed_at is not None
    assert changes == [(published.pk, "awarded")]
    with pytest.raises(StateConflict):
        services.award_request(make_request(buyer), actor=buyer.owner)


# --- The deadline ---------------------------------------------------------------------------


def test_the_deadline_closes_published_requests_past_it(buyer, on_commit, changes):
    past = make_request(buyer, status=RequestStatus.PUBLISHED)
    today = make_request(buyer, status=RequestStatus.PUBLISHED)
    future = make_request(buyer, status=RequestStatus.PUBLISHED)
    pending_past = make_request(buyer)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    BuyingRequest.objects.filter(pk__in=[past.pk, pending_past.pk]).update(deadline=yesterday)
    BuyingRequest.objects.filter(pk=today.pk).update(deadline=timezone.localdate())
    assert on_commit(services.close_expired_requests) == 1
    statuses = dict(BuyingRequest.objects.values_list("pk", "status"))
    assert statuses == {
        past.pk: "closed",
        today.pk: "published",
        future.pk: "published",
        pending_past.pk: "pending",
    }
    event = RequestEvent.objects.filter(request=past).last()
    assert event.actor is None and event.to_status == "closed"
    assert changes == [(past.pk, "closed")]
    assert services.close_expired_requests() == 0  # twice: nothing more


def test_the_beat_runs_the_deadline_task(buyer):
    from sourcing import tasks

    request = make_request(buyer, status=RequestStatus.PUBLISHED)
    BuyingRequest.objects.filter(pk=request.pk).update(
        deadline=timezone.localdate() - datetime.timedelta(days=3)
    )
    assert tasks.close_expired_requests.delay().get() == 1
    assert BuyingRequest.objects.get(pk=request.pk).status == RequestStatus.CLOSED


def test_the_deadline_task_is_in_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sourcing-close-expired-requests"]
    assert entry["task"] == "sourcing.tasks.close_expired_requests"


def test_users_module_is_the_one_the_services_use():
    assert User is not None


def test_an_empty_change_writes_nothing(buyer, on_commit, changes):
    request = make_request(buyer, status=RequestStatus.PUBLISHED)
    on_commit(services.request_update, request=request, actor=buyer.owner, data={})
    assert request.events.count() == 1 and changes == []
