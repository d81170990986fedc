"""The quotes in admin: listed and readable by staff, changed only through the services."""

import pytest

from tests.factories import UserFactory

from .quote_support import make_deal, make_quote

pytestmark = pytest.mark.django_db


def test_staff_read_quotes_in_admin_but_neither_add_nor_change_them(client):
    quote = make_quote(make_deal(), note="Packed on pallets.")
    client.force_login(UserFactory(role="staff", is_superuser=True))
    changelist = client.get("/admin/deals/quote/?status__exact=open&q=Works")
    assert (
        changelist.status_code == 200
        and f"/admin/deals/quote/{quote.pk}/change/" in changelist.content.decode()
    )
    page = client.get(f"/admin/deals/quote/{quote.pk}/change/")
    assert page.status_code == 200 and "Packed on pallets." in page.content.decode()
    assert client.get("/admin/deals/quote/add/").status_code == 403
    assert client.post(f"/admin/deals/quote/{quote.pk}/delete/", {"post": "yes"}).status_code == 403
