"""Refusals and missing pages are the portal's own pages (landmarks, a way on), not bare text."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False)
def test_refusals_and_missing_pages_are_pages_for_people(client, make_user):
    client.force_login(make_user("producer"))
    client.cookies["django_language"] = "en"
    refused = client.get("/counsellor/queue/")
    assert refused.status_code == 403
    assert b"Back to your dashboard" in refused.content and b'id="main"' in refused.content
    missing = client.get("/matches/999999/")
    assert missing.status_code == 404 and b'id="main"' in missing.content
