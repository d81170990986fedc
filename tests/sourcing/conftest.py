import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory

from .support import make_buyer, make_counsellor, make_producer


@pytest.fixture
def buyer(db):
    """An Iraqi buyer (its company withheld from producers until a forward)."""
    return make_buyer(company_name="Basra Water Works", country="IQ", city="Basra")


@pytest.fixture
def other_buyer(db):
    return make_buyer(company_name="Mosul Pumps Trading", country="IQ")


@pytest.fixture
def producer(db):
    """A Tabriz pump maker targeting Iraq."""
    return make_producer(("841370",), markets=("IQ",))


@pytest.fixture
def desk(db):
    """The counsellor in scope: posted in Iraq, the buyer's market."""
    return make_counsellor("IQ", preferred_language="en")


@pytest.fixture
def outsider(db):
    """A counsellor out of scope: posted in Germany."""
    return make_counsellor("DE")


@pytest.fixture
def staff(db):
    return UserFactory(role="staff")


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


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what a block leaves for the commit (signals, emails) as the commit would."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run
