"""GET /api/v1/exports/producers.{csv,xlsx}: content, a counsellor's scope, contacts, filters."""

from __future__ import annotations

import pytest

from tests.counsellors.pages_support import make_buyer, make_counsellor, make_match, make_producer
from tests.factories import UserFactory
from tests.matchmaking.test_exports import as_dicts, client_for, read_csv, read_xlsx

pytestmark = pytest.mark.django_db
URL = "/api/v1/exports/producers.csv"


def test_a_counsellor_gets_the_producers_in_scope():
    counsellor = make_counsellor(posted="IQ")
    targeting = make_producer(markets=("IQ", "TR"), name="کارخانه تبریز")
    matched = make_producer(markets=("AM",))
    make_match(matched, make_buyer(country="IQ"), counsellor=counsellor)
    make_producer(markets=("DE",))  # neither targeting their desk nor in their matches
    rows = as_dicts(read_csv(client_for(counsellor).get(URL)))
    assert {row["Producer ID"] for row in rows} == {str(targeting.pk), str(matched.pk)}
    row = next(row for row in rows if row["Producer ID"] == str(targeting.pk))
    assert row["Company"] == "کارخانه تبریز"
    assert row["Target market codes"] == "IQ; TR"
    assert row["HS codes"] == "841810"
    assert row["Email"] == targeting.email  # in scope: contacts shown, as on the list
    assert row["Verified"] == "No"


def test_staff_get_all_filtered():
    staff = UserFactory(role="staff")
    make_producer(markets=("IQ",))
    german = make_producer(markets=("DE",))
    rows = as_dicts(
        read_xlsx(client_for(staff).get("/api/v1/exports/producers.xlsx", {"target_market": "DE"}))
    )
    assert [row["Producer ID"] for row in rows] == [german.pk]


@pytest.mark.parametrize("role", ["producer", "buyer"])
def test_parties_may_not_export(role):
    assert client_for(UserFactory(role=role)).get(URL).status_code == 403
