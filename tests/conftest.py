import os

import pytest
from django.conf import settings as django_settings

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make beside it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.factories import UserFactory

ROLES = ["producer", "buyer", "counsellor", "staff"]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Pages render without a prior collectstatic (the manifest is tested apart).

    The test client speaks plain HTTP, so the production HTTPS redirect is off.
    """
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Unit tests run Celery tasks in process; integration tests use a real worker."""
    from portal.celery import app

    if request.node.get_closest_marker("integration"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_user(db):
    def make(role: str = "producer", **kwargs):
        return UserFactory(role=role, **kwargs)

    return make


@pytest.fixture(params=ROLES)
def role_user(request, make_user):
    return make_user(request.param)


@pytest.fixture
def using_postgres() -> bool:
    return django_settings.USING_POSTGRES
