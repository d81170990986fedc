"""A producer and a buyer of Iraq with the people around them, and evidence files good and
hostile, made in the test; stored files kept in a temporary folder."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ProducerProfile, User
from tests.deals.conftest import EXECUTABLE, SVG_WITH_SCRIPT, image, pdf, png_bomb, truncated_jpeg, upload
from tests.factories import UserFactory
from tests.matchmaking.conftest import make_buyer, make_producer
from tests.matchmaking.lifecycle_support import make_counsellor

__all__ = ["EXECUTABLE", "SVG_WITH_SCRIPT", "image", "pdf", "png_bomb", "truncated_jpeg", "upload"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path


def stored_files(root) -> list:
    return sorted(path for path in root.rglob("*") if path.is_file())


@dataclass
class World:
    producer_profile: ProducerProfile
    producer: User
    editor: User
    other_producer: User
    buyer: User
    counsellor: User
    counsellor_out: User
    staff: User

    def user(self, name: str) -> User | None:
        return None if name == "anonymous" else getattr(self, name)


@pytest.fixture
def world(db) -> World:
    counsellor = make_counsellor("IQ", full_name="Sara Rahimi", preferred_language="en")
    counsellor_out = make_counsellor("KZ", full_name="Omid Karimi")
    profile = make_producer(name="Sahand Cooling", markets=("IQ",), certifications=["ISO9001"], proven=False)
    editor = UserFactory(
        role="producer", company=profile.company, company_role="editor", preferred_language="en"
    )
    other = make_producer(name="Aral Pumps", markets=("KZ",))
    buyer = make_buyer(company_name="Basra Cold Chain", country="IQ")
    return World(
        producer_profile=profile,
        producer=profile.owner,
        editor=editor,
        other_producer=other.owner,
        buyer=buyer.owner,
        counsellor=counsellor,
        counsellor_out=counsellor_out,
        staff=UserFactory(role="staff"),
    )


@pytest.fixture
def api():
    def client_for(user=None, language="en"):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        if language:
            client.credentials(HTTP_ACCEPT_LANGUAGE=language)
        return client

    return client_for


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def licence(name="licence.pdf"):
    return upload(name, pdf(), "application/pdf")


def certificate_scan(name="iso.png"):
    return upload(name, image("PNG"), "image/png")
