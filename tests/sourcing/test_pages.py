"""The buying request pages per role: the buyer's list and form (lines as a formset), one
request, the counsellor's requests to approve, the producers' board; the buyer withheld from
producers until a forward; Persian first."""

import re

import pytest
from django.urls import reverse

from sourcing import views
from sourcing.models import BuyingRequest, RequestStatus
from tests.factories import UserFactory, hs_sector

from .support import forward_match, in_days, make_buyer, make_producer, make_request

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def sectors(db):
    for code in ("84", "8413", "841370", "8481"):
        hs_sector(code)


def signed_in(client, user):
    """`user` signed in, reading the pages in English (the messages checked are the English ones)."""
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def page(response) -> str:
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    return response.content.decode()


def form_data(lines=None, **overrides) -> dict:
    lines = lines if lines is not None else [{"hs_code": "841370", "quantity": "2000", "unit": "units"}, {}]
    data = {
        "title": "Centrifugal pumps",
        "description": "For a water project.",
        "destination_country": "IQ",
        "destination_port": "Umm Qasr",
        "incoterm": "CIF",
        "currency": "USD",
        "deadline": in_days(60).isoformat(),
        "required_certifications": "ISO9001, CE",
        "language": "en",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "20",
    }
    for index, line in enumerate(lines):
        for field in ("hs_code", "quantity", "unit", "target_price", "specification"):
            data[f"lines-{index}-{field}"] = line.get(field, "")
        if line.get("DELETE"):
            data[f"lines-{index}-DELETE"] = "on"
    data.update(overrides)
    return data


# --- The menu -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "name", "label"),
    [
        ("buyer", "sourcing:mine", "My buying requests"),
        ("producer", "sourcing:board", "Buying requests"),
        ("counsellor", "sourcing:review", "Requests to approve"),
        ("staff", "sourcing:review", "Requests to approve"),
    ],
)
def test_the_menu_links_each_role_to_its_requests_page(client, settings, role, name, label):
    user = UserFactory(role=role, preferred_language="en")
    html = page(signed_in(client, user).get("/", HTTP_ACCEPT_LANGUAGE="en"))
    assert f'href="{reverse(name)}"' in html


# --- The buyer's list and form ----------------------------------------------------------------


def test_the_buyers_list_shows_its_requests_only(client, buyer, other_buyer):
    own = make_request(buyer, title="Our pumps")
    make_request(other_buyer, title="Their valves")
    html = page(signed_in(client, buyer.owner).get(reverse("sourcing:mine")))
    assert "Our pumps" in html and "Their valves" not in html
    assert reverse("sourcing:detail", args=[own.pk]) in html
    filtered = page(client.get(reverse("sourcing:mine"), {"status": "published"}))
    assert "Our pumps" not in filtered and 'data-testid="empty-state"' in filtered


def test_an_empty_list_says_what_to_do(client, buyer):
    html = page(signed_in(client, buyer.owner).get(reverse("sourcing:mine")))
    assert 'data-testid="empty-state"' in html and reverse("sourcing:new") in html


@pytest.mark.parametrize("name", ["sourcing:mine", "sourcing:new"])
def test_the_buyers_pages_are_for_buyers(client, producer, desk, staff, name):
    assert client.get(reverse(name)).status_code == 302
    assert client.get(reverse(name))["Location"].startswith(LOGIN)
    for user in (producer.owner, desk, staff):
        assert signed_in(client, user).get(reverse(name)).status_code == 403


def test_a_buyer_without_a_profile_is_sent_to_onboarding(client):
    response = signed_in(client, UserFactory(role="buyer")).get(reverse("sourcing:new"))
    assert response.status_code == 302 and "onboarding" in response["Location"]


def test_a_buyer_posts_a_request_with_lines(client, buyer, mailoutbox):
    signed_in(client, buyer.owner)
    form = page(client.get(reverse("sourcing:new")))
    assert 'name="lines-0-hs_code"' in form and "data-hs-picker" in form
    assert 'name="destination_country"' in form and 'value="IQ" selected' in form
    lines = [
        {"hs_code": "841370", "quantity": "2000", "unit": "units", "target_price": "350"},
        {"hs_code": "8481", "quantity": "۵۰۰", "unit": "units", "specification": "DN100"},
        {},
    ]
    response = client.post(reverse("sourcing:new"), form_data(lines))
    request = BuyingRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "sourcing:detail", args=[request.pk]
    )
    assert request.status == RequestStatus.PENDING and request.required_certifications == ["ISO9001", "CE"]
    assert [(line.sector_id, int(line.quantity)) for line in request.lines.all()] == [
        ("841370", 2000),
        ("8481", 500),
    ]


def test_line_errors_are_shown_beside_their_line(client, buyer):
    signed_in(client, buyer.owner)
    lines = [
        {"hs_code": "841370", "quantity": "1", "unit": "units"},
        {"hs_code": "000000", "quantity": "0", "unit": "units"},
    ]
    html = page(client.post(reverse("sourcing:new"), form_data(lines)))
    assert not BuyingRequest.objects.exists()
    assert re.search(r'id="id_lines-1-hs_code_error"', html) and re.search(
        r'id="id_lines-1-quantity_error"', html
    )
    assert "id_lines-0-hs_code_error" not in html
    assert 'value="Centrifugal pumps"' in html  # what was typed is kept


def test_header_errors_and_no_line(client, buyer):
    signed_in(client, buyer.owner)
    html = page(client.post(reverse("sourcing:new"), form_data(title="")))
    assert "id_title_error" in html
    html = page(client.post(reverse("sourcing:new"), form_data([{}], deadline="1390-01-01", currency="ABC")))
    assert "id_deadline_error" in html and "id_currency_error" in html
    assert "Give at least one line." in html
    assert not BuyingRequest.objects.exists()


def test_a_tampered_formset_is_an_error_not_a_crash(client, buyer):
    signed_in(client, buyer.owner)
    data = form_data()
    data["lines-TOTAL_FORMS"] = "x"
    assert client.post(reverse("sourcing:new"), data).status_code == 200
    data = form_data([{"hs_code": "8413", "quantity": "1", "unit": "units"}] * 21)
    html = page(client.post(reverse("sourcing:new"), data))
    assert not BuyingRequest.objects.exists() and "alert-danger" in html
    data["add_line"] = "1"
    data["lines-TOTAL_FORMS"] = "999999"
    assert client.post(reverse("sourcing:new"), data).status_code == 200


def test_add_a_line_keeps_what_was_typed_and_saves_nothing(client, buyer):
    signed_in(client, buyer.owner)
    data = form_data([{"hs_code": "8413", "quantity": "7", "unit": "sets"}], add_line="1", title="")
    html = page(client.post(reverse("sourcing:new"), data))
    assert not BuyingRequest.objects.exists()
    assert 'name="lines-1-hs_code"' in html and 'value="7"' in html
    assert "id_title_error" not in html  # not judged yet


def test_the_buyer_edits_and_removes_a_line(client, buyer):
    request = make_request(buyer, status=RequestStatus.REJECTED)
    signed_in(client, buyer.owner)
    html = page(client.get(reverse("sourcing:edit", args=[request.pk])))
    assert 'value="841370"' in html and 'value="8481"' in html and "goes back to them" in html
    lines = [
        {"hs_code": "841370", "quantity": "10", "unit": "units"},
        {"hs_code": "8481", "quantity": "5", "unit": "units", "DELETE": True},
    ]
    data = form_data(lines, **{"lines-INITIAL_FORMS": "2"})
    response = client.post(reverse("sourcing:edit", args=[request.pk]), data)
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING and request.lines.count() == 1


def test_who_may_open_the_edit_page(client, buyer, other_buyer, producer, desk, staff):
    request = make_request(buyer, status=RequestStatus.PUBLISHED)
    url = reverse("sourcing:edit", args=[request.pk])
    assert client.get(url)["Location"].startswith(LOGIN)
    assert signed_in(client, other_buyer.owner).get(url).status_code == 404
    assert signed_in(client, producer.owner).get(url).status_code == 403
    assert signed_in(client, desk).get(url).status_code == 403
    assert signed_in(client, staff).get(url).status_code == 200
    closed = make_request(buyer, status=RequestStatus.CLOSED)
    response = signed_in(client, buyer.owner).get(reverse("sourcing:edit", args=[closed.pk]))
    assert response.status_code == 302 and response["Location"] == reverse(
        "sourcing:detail", args=[closed.pk]
    )


def test_a_persian_buyer_reads_the_deadline_in_the_persian_calendar(client):
    buyer = make_buyer(owner=UserFactory(role="buyer", preferred_language="fa"))
    request = make_request(buyer)
    signed_in(client, buyer.owner).cookies["django_language"] = "fa"
    html = page(client.get(reverse("sourcing:edit", args=[request.pk])))
    import jdatetime

    jalali = jdatetime.date.fromgregorian(date=request.deadline).strftime("%Y-%m-%d")
    assert f'value="{jalali}"' in html and 'dir="rtl"' in html
    data = form_data(deadline=jalali, **{"lines-INITIAL_FORMS": "0"})
    assert client.post(reverse("sourcing:edit", args=[request.pk]), data).status_code == 302
    request.refresh_from_db()
    assert (
        request.deadline == in_days(60)
        or request.deadline == jdatetime.date(*map(int, jalali.split("-"))).togregorian()
    )


# --- One request --------------------------------------------------------------------------


def test_who_sees_a_request_page(client, buyer, other_buyer, producer, desk, outsider, staff):
    pending = make_request(buyer)
    published = make_request(buyer, status=RequestStatus.PUBLISHED)
    for item in (pending, published):
        url = reverse("sourcing:detail", args=[item.pk])
        client.logout()
        assert client.get(url)["Location"].startswith(LOGIN)
        for user in (buyer.owner, desk, staff):
            assert signed_in(client, user).get(url).status_code == 200
        for user in (other_buyer.owner, outsider):
            assert signed_in(client, user).get(url).status_code == 404
        expected = 200 if item is published else 404
        assert signed_in(client, producer.owner).get(url).status_code == expected


def test_the_buyer_sees_everything_with_the_history(client, buyer, desk):
    request = make_request(buyer)
    from sourcing import services

    services.request_return(request=request, actor=desk, note="Say the head and flow.")
    html = page(signed_in(client, buyer.owner).get(reverse("sourcing:detail", args=[request.pk])))
    assert "Basra Water Works" in html and 'data-testid="request-events"' in html
    assert "Say the head and flow." in html and reverse("sourcing:edit", args=[request.pk]) in html


def test_a_producer_sees_the_request_without_its_buyer_until_a_forward(client, buyer, producer):
    request = make_request(buyer, status=RequestStatus.PUBLISHED, destination_port="Basra Water Works quay")
    url = reverse("sourcing:detail", args=[request.pk])
    html = page(signed_in(client, producer.owner).get(url))
    assert "Centrifugal pumps" in html and "841370" in html
    for secret in ("Basra Water Works", "Basra", buyer.email, buyer.owner.get_full_name()):
        assert secret not in html, secret
    assert 'data-testid="request-events"' not in html
    board = page(client.get(reverse("sourcing:board")))
    assert url in board and "Basra Water Works" not in board

    forward_match(request, producer)
    html = page(client.get(url))
    assert "Basra Water Works" in html and "Basra Water Works quay" in html
    assert "Basra Water Works" in page(client.get(reverse("sourcing:board")))


def test_the_next_steps_link_to_the_pages_other_apps_provide(client, buyer, producer, monkeypatch):
    request = make_request(buyer, status=RequestStatus.PUBLISHED)
    url = reverse("sourcing:detail", args=[request.pk])
    html = page(signed_in(client, producer.owner).get(url))
    assert f'href="/requests/{request.pk}/interest/"' in html  # the matcher provides it
    provided = {"matchmaking:request-interest": "/interest/", "deals:request-quotes": "/quotes/"}
    monkeypatch.setattr(views, "url_or_none", lambda name, **kwargs: provided[name] + str(kwargs["pk"]))
    html = page(client.get(url))
    assert f'href="/interest/{request.pk}"' in html and "/quotes/" not in html
    html = page(signed_in(client, buyer.owner).get(url))
    assert f'href="/quotes/{request.pk}"' in html and "/interest/" not in html


def test_url_or_none():
    assert views.url_or_none("sourcing:detail", pk=3) == "/requests/3/"
    assert views.url_or_none("nowhere:at-all", pk=3) is None


# --- Actions ------------------------------------------------------------------------------


def test_the_counsellor_approves_from_the_request_page(client, buyer, desk, mailoutbox):
    request = make_request(buyer)
    signed_in(client, desk)
    html = page(client.get(reverse("sourcing:detail", args=[request.pk])))
    assert reverse("sourcing:approve", args=[request.pk]) in html
    response = client.post(reverse("sourcing:approve", args=[request.pk]), {"note": ""})
    assert response.status_code == 302
    assert BuyingRequest.objects.get(pk=request.pk).status == RequestStatus.PUBLISHED
    again = client.post(reverse("sourcing:approve", args=[request.pk]), {"note": ""}, follow=True)
    assert "cannot be approved" in again.content.decode()


def test_returning_without_a_note_shows_the_error(client, buyer, desk):
    request = make_request(buyer)
    html = page(signed_in(client, desk).post(reverse("sourcing:return", args=[request.pk]), {"note": " "}))
    assert "id_return_note_error" in html
    assert BuyingRequest.objects.get(pk=request.pk).status == RequestStatus.PENDING
    client.post(reverse("sourcing:return", args=[request.pk]), {"note": "Add the flow rate."})
    assert BuyingRequest.objects.get(pk=request.pk).status == RequestStatus.REJECTED


@pytest.mark.parametrize("name", ["sourcing:approve", "sourcing:return", "sourcing:close"])
def test_actions_per_role(client, buyer, other_buyer, producer, outsider, name):
    request = make_request(
        buyer, status=RequestStatus.PUBLISHED if name == "sourcing:close" else RequestStatus.PENDING
    )
    url = reverse(name, args=[request.pk])
    before = BuyingRequest.objects.get(pk=request.pk).status
    assert client.post(url, {"note": "x"})["Location"].startswith(LOGIN)
    assert signed_in(client, other_buyer.owner).post(url, {"note": "x"}).status_code == 404
    assert signed_in(client, outsider).post(url, {"note": "x"}).status_code == 404
    expected = 403 if request.status == RequestStatus.PUBLISHED else 404
    assert signed_in(client, producer.owner).post(url, {"note": "x"}).status_code == expected
    if name != "sourcing:close":
        assert signed_in(client, buyer.owner).post(url, {"note": "x"}).status_code == 403
    assert signed_in(client, buyer.owner).get(url).status_code == 405
    assert BuyingRequest.objects.get(pk=request.pk).status == before


def test_the_buyer_closes_its_request(client, buyer):
    request = make_request(buyer, status=RequestStatus.PUBLISHED)
    response = signed_in(client, buyer.owner).post(
        reverse("sourcing:close", args=[request.pk]), {"note": "Bought"}
    )
    assert response.status_code == 302
    assert BuyingRequest.objects.get(pk=request.pk).status == RequestStatus.CLOSED


# --- The counsellor's requests to approve ---------------------------------------------------------


def test_the_review_page_lists_the_pending_requests_in_scope(client, buyer, desk, outsider, staff):
    mine = make_request(buyer, title="Iraqi pumps")
    make_request(buyer, status=RequestStatus.PUBLISHED, title="Already published")
    german = make_request(make_buyer(country="DE", company_name="Hamburg GmbH"), title="German valves")
    html = page(signed_in(client, desk).get(reverse("sourcing:review")))
    assert "Iraqi pumps" in html and "German valves" not in html and "Already published" not in html
    assert f'id="id_return_{mine.pk}_note"' in html and "Basra Water Works" in html
    html = page(signed_in(client, outsider).get(reverse("sourcing:review")))
    assert "German valves" in html and "Iraqi pumps" not in html
    html = page(signed_in(client, staff).get(reverse("sourcing:review")))
    assert "German valves" in html and "Iraqi pumps" in html
    assert german.pk


def test_approving_from_the_review_page_comes_back_to_it(client, buyer, desk):
    request = make_request(buyer)
    signed_in(client, desk)
    back = reverse("sourcing:review")
    response = client.post(reverse("sourcing:approve", args=[request.pk]), {"note": "", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    other = make_request(buyer)
    html = page(client.post(reverse("sourcing:return", args=[other.pk]), {"note": "", "next": back}))
    assert f'id="id_return_{other.pk}_note_error"' in html


def test_the_review_page_is_for_counsellors_and_staff(client, buyer, producer):
    assert client.get(reverse("sourcing:review"))["Location"].startswith(LOGIN)
    assert signed_in(client, buyer.owner).get(reverse("sourcing:review")).status_code == 403
    assert signed_in(client, producer.owner).get(reverse("sourcing:review")).status_code == 403


def test_an_empty_review_page_says_so(client, desk):
    assert 'data-testid="empty-state"' in page(signed_in(client, desk).get(reverse("sourcing:review")))


# --- The producers' board -----------------------------------------------------------------


def test_the_board_shows_the_producers_requests_and_all_on_demand(client, buyer, producer):
    ours = make_request(buyer, status=RequestStatus.PUBLISHED, title="Pumps for Basra")
    furniture = make_request(
        buyer,
        status=RequestStatus.PUBLISHED,
        title="Office chairs",
        lines=[{"hs_code": "8481", "quantity": "1", "unit": "units"}],
    )
    make_request(buyer, title="Pending pumps")
    signed_in(client, producer.owner)
    html = page(client.get(reverse("sourcing:board")))
    assert "Pumps for Basra" in html and "Office chairs" not in html and "Pending pumps" not in html
    html = page(client.get(reverse("sourcing:board"), {"all": "true"}))
    assert "Pumps for Basra" in html and "Office chairs" in html and "Pending pumps" not in html
    html = page(client.get(reverse("sourcing:board"), {"all": "true", "hs": "8481"}))
    assert "Office chairs" in html and "Pumps for Basra" in html  # both have a valve line
    html = page(client.get(reverse("sourcing:board"), {"all": "true", "destination_country": "AE"}))
    assert 'data-testid="empty-state"' in html
    html = page(client.get(reverse("sourcing:board"), {"hs": "abc"}))
    assert "is-invalid" in html and 'data-testid="empty-state"' in html
    assert ours.pk and furniture.pk


def test_an_empty_board_says_what_to_do(client):
    producer = make_producer(("841370",), markets=("IQ",))
    html = page(signed_in(client, producer.owner).get(reverse("sourcing:board")))
    assert 'data-testid="empty-state"' in html and "?all=true" in html
    lonely = UserFactory(role="producer")
    html = page(signed_in(client, lonely).get(reverse("sourcing:board")))
    assert reverse("accounts:onboarding") in html


def test_the_board_sends_others_to_their_own_page(client, buyer, desk, staff):
    assert client.get(reverse("sourcing:board"))["Location"].startswith(LOGIN)
    assert signed_in(client, buyer.owner).get(reverse("sourcing:board"))["Location"] == reverse(
        "sourcing:mine"
    )
    assert signed_in(client, desk).get(reverse("sourcing:board"))["Location"] == reverse("sourcing:review")
    assert signed_in(client, staff).get(reverse("sourcing:board")).status_code == 200


def test_pages_fit_a_phone_and_are_persian_by_default(client, buyer):
    request = make_request(buyer, status=RequestStatus.PUBLISHED)
    buyer.owner.preferred_language = "fa"
    buyer.owner.save(update_fields=["preferred_language"])
    html = page(signed_in(client, buyer.owner).get(reverse("sourcing:detail", args=[request.pk])))
    assert 'lang="fa" dir="rtl"' in html and 'name="viewport"' in html
    assert "table-responsive" in html and "<style" not in html and "<script>" not in html
