"""The dashboard's guide for newcomers (home.next_steps, issue 19): each role's first steps as
links while they have nothing yet, gone once they have something."""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.services import producer_profile_create
from matchmaking.models import MatchStatus
from sourcing.models import RequestStatus
from tests.factories import UserFactory
from tests.home.test_deal_figures import make_request
from tests.matchmaking.conftest import make_buyer, make_producer
from tests.matchmaking.lifecycle_support import make_counsellor, make_match

pytestmark = pytest.mark.django_db
GUIDE = 'data-testid="next-steps"'


def dashboard(client, user, language="en") -> str:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_new_producer_is_told_what_to_do_next(client):
    user = UserFactory(role="producer")
    html = dashboard(client, user)
    assert GUIDE in html and reverse("accounts:onboarding") in html
    producer_profile_create(actor=user, data={"name": "Sahand Machinery"})
    html = dashboard(client, user)
    for key, url in (
        ("products", reverse("my_products:new")),
        ("markets", reverse("accounts:onboarding_step", kwargs={"step": "markets"})),
        ("verification", reverse("accounts:verification")),
        ("board", reverse("sourcing:board")),
    ):
        assert f'data-testid="next-step-{key}"' in html and url in html
    assert "Add your products" in html and "Ask to be verified" in html


def test_a_producers_guide_ticks_done_steps_and_goes_with_the_first_match(client):
    producer = make_producer()  # products and markets: done
    html = dashboard(client, producer.owner)
    assert GUIDE in html
    products = html.split('data-testid="next-step-products"')[1].split("</li>")[0]
    verification = html.split('data-testid="next-step-verification"')[1].split("</li>")[0]
    assert "Done" in products and "Done" not in verification
    make_match(producer, make_buyer(), status=MatchStatus.PROPOSED)  # in review: something is coming
    assert GUIDE not in dashboard(client, producer.owner)


def test_a_new_buyer_is_pointed_at_the_catalogue_and_the_request_form(client):
    buyer = make_buyer()
    html = dashboard(client, buyer.owner)
    assert GUIDE in html
    assert reverse("catalogue:product-list") in html and reverse("sourcing:new") in html
    make_request(buyer, RequestStatus.PENDING, published=False)
    assert GUIDE not in dashboard(client, buyer.owner)


def test_a_new_counsellor_is_shown_the_desk_and_the_pool(client):
    counsellor = make_counsellor("IQ")
    html = dashboard(client, counsellor)
    assert GUIDE in html
    for url in (
        reverse("counsellors:desk"),
        reverse("counsellors:queue"),
        reverse("counsellors:brief_create"),
    ):
        assert url in html
    make_match(status=MatchStatus.PROPOSED, counsellor=counsellor)
    assert GUIDE not in dashboard(client, counsellor)


def test_staff_of_an_empty_portal_are_shown_where_to_start(client):
    staff = UserFactory(role="staff")
    html = dashboard(client, staff)
    assert GUIDE in html and reverse("admin:accounts_producerprofile_changelist") in html
    make_producer()
    assert GUIDE not in dashboard(client, staff)


def test_the_guide_is_translated(client):
    html = dashboard(client, UserFactory(role="counsellor"), language="fa")
    assert GUIDE in html and "Set up your desk" not in html
