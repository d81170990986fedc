"""The dashboard per role: a nag until the profile is ready, figures for counsellors and staff."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.services import buyer_profile_create, producer_profile_create
from catalogue.services import product_create
from taxonomy.models import Sector, SectorLevel

pytestmark = pytest.mark.django_db
NAG = 'data-testid="profile-nag"'


@pytest.fixture(autouse=True)
def sectors(db):
    chapter, _ = Sector.objects.get_or_create(
        code="84", defaults={"level": SectorLevel.CHAPTER, "name": "Nuclear reactors, boilers, machinery"}
    )
    Sector.objects.get_or_create(
        code="8418",
        defaults={"level": SectorLevel.HEADING, "name": "Refrigerators, freezers", "parent": chapter},
    )


def add_product(producer, user, name="Chest freezer"):
    data = {"name": name, "hs_code": "8418", "annual_capacity": "1200", "capacity_unit": "units"}
    return product_create(producer=producer, actor=user, data=data)


def dashboard(client, language="en"):
    """The dashboard in English unless asked, as most assertions read English text."""
    client.cookies["django_language"] = language
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return response, response.content.decode()


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_producer_is_nagged_until_ready_then_not(client, make_user):
    user = make_user("producer")
    client.force_login(user)

    response, html = dashboard(client)
    assert NAG in html
    assert reverse("accounts:onboarding_step", kwargs={"step": "company"}) in html
    assert "You have not added any products yet." in html
    assert "figures" not in response.context or response.context["figures"] is None

    profile = producer_profile_create(actor=user, data={"name": "Sahand Machinery"})
    _response, html = dashboard(client)
    assert NAG in html and reverse("accounts:onboarding_step", kwargs={"step": "products"}) in html

    add_product(profile, user)
    _response, html = dashboard(client)
    assert NAG in html and reverse("accounts:onboarding_step", kwargs={"step": "markets"}) in html

    profile.target_markets = ["IQ"]
    profile.save()
    response, html = dashboard(client)
    assert NAG not in html
    assert response.context["completeness"].ready_to_match
    assert response.context["profile"].product_count == 1
    assert "ready for matching" in html
    assert reverse("my_products:list") in html


def test_buyer_is_nagged_until_ready_then_not(client, make_user):
    user = make_user("buyer")
    client.force_login(user)
    _response, html = dashboard(client)
    assert NAG in html and "You have not described your company yet." in html

    profile = buyer_profile_create(actor=user, data={"company_name": "Erbil Appliances", "country": "IQ"})
    _response, html = dashboard(client)
    assert NAG in html and reverse("accounts:onboarding_step", kwargs={"step": "demand"}) in html

    profile.sought_sectors.set(["8418"])
    _response, html = dashboard(client)
    assert NAG not in html and "Erbil Appliances" in html


@pytest.mark.parametrize("role", ["counsellor", "staff"])
def test_counsellors_and_staff_see_the_portal_figures(client, make_user, role):
    make_user("producer")
    make_user("buyer")
    client.force_login(make_user(role))
    response, html = dashboard(client)
    assert response.context["completeness"] is None
    assert response.context["figures"] == {
        "producers": 1,
        "buyers": 1,
        "counsellors": int(role == "counsellor"),
    }
    assert NAG not in html


def test_counsellor_dashboard_empty_state(client, make_user):
    client.force_login(make_user("counsellor"))
    _response, html = dashboard(client)
    assert "No producers or buyers have registered yet." in html


def test_numbers_are_in_persian_digits(client, make_user):
    user = make_user("producer")
    profile = producer_profile_create(actor=user, data={"name": "Sahand", "open_to_any_market": True})
    for index in range(12):
        add_product(profile, user, name=f"Product {index}")
    client.force_login(user)
    _response, html = dashboard(client, language="fa")
    assert "۱۲" in html


def test_query_count_does_not_grow_with_products(client, make_user):
    user = make_user("producer")
    profile = producer_profile_create(actor=user, data={"name": "Sahand", "target_markets": ["IQ"]})
    add_product(profile, user)
    client.force_login(user)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            dashboard(client)
        return len(queries)

    few = count_queries()
    for index in range(10):
        add_product(profile, user, name=f"Product {index}")
    assert count_queries() == few


@pytest.mark.parametrize(
    ("role", "queries"), [("producer", 4), ("buyer", 4), ("counsellor", 12), ("staff", 12)]
)
def test_dashboard_queries_are_few_for_every_role(
    client, make_user, role, queries, django_assert_num_queries
):
    client.force_login(make_user(role))
    # The session, the user, then the profile with its counts (or the portal figures); for the
    # roles in conversations, the nav's unread messages (deals); for counsellors and staff the
    # deal figures too (home.deal_figures: the request funnel, the value won by market and by
    # chapter; a counsellor's desk markets, none here, so no funnel), then the monthly series
    # (home.trends: a query per series; a counsellor sees no requests here) and, for a counsellor,
    # whether any match was ever routed to them (home.next_steps); for counsellors and staff
    # whether two-factor sign-in is set up (staff: the enrolment check, its answer reused).
    with django_assert_num_queries(queries):
        dashboard(client)
