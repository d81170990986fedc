"""GET /api/v1/exports/buyers.{csv,xlsx}: content, a counsellor's scope, filters."""

from __future__ import annotations

import pytest

from tests.counsellors.pages_support import make_buyer, make_counsellor
from tests.factories import UserFactory
from tests.matchmaking.test_exports import as_dicts, client_for, read_csv

pytestmark = pytest.mark.django_db
URL = "/api/v1/exports/buyers.csv"


def test_a_counsellor_gets_the_buyers_of_their_desk_only():
    counsellor = make_counsellor(posted="IQ")
    iraqi = make_buyer(country="IQ", company_name="شرکت بغداد", codes=("841810",))
    make_buyer(country="TR")
    rows = as_dicts(read_csv(client_for(counsellor).get(URL)))
    assert [row["Buyer ID"] for row in rows] == [str(iraqi.pk)]
    row = rows[0]
    assert row["Company"] == "شرکت بغداد"
    assert (row["Country code"], row["Country"]) == ("IQ", "Iraq")
    assert row["Email"] == iraqi.email
    assert row["Phone"] == "'+964 1 700 0000"


def test_filters_apply_and_bad_ones_are_a_400():
    staff = UserFactory(role="staff")
    make_buyer(country="IQ")
    turkish = make_buyer(country="TR")
    rows = as_dicts(read_csv(client_for(staff).get(URL, {"country": "TR"})))
    assert [row["Buyer ID"] for row in rows] == [str(turkish.pk)]
    assert client_for(staff).get(URL, {"country": "XX"}).status_code == 400


@pytest.mark.parametrize("role", ["producer", "buyer"])
def test_parties_may_not_export(role):
    assert client_for(UserFactory(role=role)).get(URL).status_code == 403
