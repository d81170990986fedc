"""The review queue's "Download" links: the queue's filters (its own semantics), every page."""

from __future__ import annotations

import pytest

from matchmaking.models import MatchStatus
from tests.counsellors.pages_support import make_buyer, make_counsellor, make_match, make_producer
from tests.matchmaking.test_exports import read_csv

pytestmark = pytest.mark.django_db


def test_the_queue_links_carry_its_filters_and_the_export_applies_them(client):
    counsellor = make_counsellor(posted="IQ")
    good = make_match(make_producer(), make_buyer(country="IQ"), counsellor=counsellor, score="0.900")
    make_match(make_producer(), make_buyer(country="IQ"), counsellor=counsellor, score="0.500")
    make_match(make_producer(), make_buyer(country="IQ"), counsellor=counsellor, status=MatchStatus.FORWARDED)
    client.force_login(counsellor)
    html = client.get("/counsellor/queue/", {"min_score": "80", "page": "1"}).content.decode()
    assert 'href="/exports/queue.csv?min_score=80"' in html
    assert 'href="/exports/queue.xlsx?min_score=80"' in html
    rows = read_csv(client.get("/exports/queue.csv", {"min_score": "80"}))
    assert [row[0] for row in rows[1:]] == [str(good.pk)]  # proposed by default, 80 % and up


def test_bad_filters_answer_400_and_parties_403(client):
    counsellor = make_counsellor(posted="IQ")
    client.force_login(counsellor)
    assert client.get("/exports/queue.csv", {"min_score": "500"}).status_code == 400
    assert client.get("/exports/nothing.csv").status_code == 404
    client.force_login(make_producer().owner)
    assert client.get("/exports/queue.csv").status_code == 403


def test_the_dashboard_offers_the_downloads(client):
    counsellor = make_counsellor(posted="IQ")
    client.force_login(counsellor)
    html = client.get("/dashboard/").content.decode()
    for name in ("matches", "producers", "buyers", "requests"):
        assert f'href="/exports/{name}.csv"' in html
