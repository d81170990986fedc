"""Producer and buyer dashboards: match counts and the best forwarded matches, never proposed ones."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matchmaking import lifecycle, services
from matchmaking.models import Match

from .conftest import make_buyer, make_producer

pytestmark = pytest.mark.django_db


@pytest.fixture
def matched(staff):
    producer = make_producer(("841810",), markets=["IQ", "AM"])
    iraq = make_buyer(("8418",), country="IQ", company_name="Baghdad Cold Chain")
    armenia = make_buyer(("841810",), country="AM", company_name="Yerevan Appliances")
    services.rematch_all()
    lifecycle.match_forward(match=Match.objects.get(buyer=iraq), actor=staff)
    return producer, iraq, armenia


def page(client, user) -> str:
    client.force_login(user)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_producer_sees_forwarded_matches_and_only_a_count_of_those_in_review(client, matched):
    producer, iraq, armenia = matched
    html = page(client, producer.owner)
    assert 'data-testid="dashboard-matches"' in html
    assert "Baghdad Cold Chain" in html  # forwarded
    assert "Yerevan Appliances" not in html  # still proposed: hidden
    assert "1 possible match is being reviewed by a trade counsellor." in html


def test_a_buyer_sees_its_forwarded_match(client, matched):
    producer, iraq, armenia = matched
    html = page(client, iraq.owner)
    assert producer.name in html
    assert "being reviewed" not in html
    html = page(client, armenia.owner)
    assert producer.name not in html
    assert "1 possible match is being reviewed" in html


def test_the_dashboard_takes_the_same_queries_for_more_matches(client, matched):
    producer, *_ = matched
    client.force_login(producer.owner)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("dashboard"))
        return len(queries)

    few = count()
    for index in range(4):
        make_buyer(("8418",), company_name=f"Buyer {index}")
    services.rematch_all()
    for match in Match.objects.filter(status="proposed"):
        Match.objects.filter(pk=match.pk).update(status="forwarded")
    assert count() == few
