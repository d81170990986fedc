import os
import re

import pytest
from django.conf import settings as django_settings

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make beside it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.factories import UserFactory


def _a_redis_database_per_worker() -> None:
    """Under pytest-xdist each worker process gets its own Redis database for the caches:
    the tests clear the cache around each test (`_fresh_cache`, a FLUSHDB with Redis) and count
    rate limits in it, so two workers sharing one database would wipe and bump each other's.
    Database n + 1 for worker gw<n> (the broker keeps 0). Runs at import, before any cache
    connection is made."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return
    database = int(worker[2:]) + 1
    for alias in ("default", "ratelimit"):
        config = django_settings.CACHES.get(alias, {})
        if "redis" in config.get("BACKEND", "").lower():
            config["LOCATION"] = re.sub(r"(redis://[^/]+)(/\d*)?$", rf"\g<1>/{database}", config["LOCATION"])
    from django.core.cache import caches

    caches.__dict__.pop("settings", None)


_a_redis_database_per_worker()

ROLES = ["producer", "buyer", "counsellor", "staff"]


@pytest.fixture(scope="session", autouse=True)
def _test_server_settings():
    """Plain HTTP and plain static storage for the whole session.

    Session-wide (before the live server builds its middleware): the test client
    and the live server speak plain HTTP, so the production HTTPS redirect is
    off, and pages render without a prior collectstatic (the manifest storage is
    tested apart). Passwords are hashed with a fast hasher: the default PBKDF2 costs
    a sizeable share of the suite's time in user factories and sign-ins.
    """
    import tempfile

    from django.test.utils import override_settings

    # Uploaded and generated files (pictures, attachments) land in a folder of the session's
    # own, never in the checkout's media/ (tests that look at the files set their own).
    media = tempfile.TemporaryDirectory(prefix="eb-test-media-")
    override = override_settings(
        MEDIA_ROOT=media.name,
        SECURE_SSL_REDIRECT=False,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        STORAGES={
            **django_settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    )
    override.enable()
    yield
    override.disable()
    media.cleanup()


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
    """The shared cache, and this process's prepared producers (matchmaking.producer_cache):
    each test's database is rolled back, so what one test cached says nothing of the next."""
    from django.core.cache import cache

    from matchmaking import producer_cache

    cache.clear()
    producer_cache.clear()
    yield
    cache.clear()
    producer_cache.clear()


# How the sites framework's default site shows in a mail ("Hello from example.com!", "[example.com]
# ...", "an account on example.com"); test addresses at example.com are fine.
SITE_DEFAULT_IN_MAIL = re.compile(
    r"(?:from|using|on) example\.com\b|\[example\.com\]|^\W*example\.com\W*$", re.M
)


@pytest.fixture(autouse=True)
def _no_mail_names_example_com():
    """Every mail any test sends names the site from the settings (portal/site.py), never the
    sites framework's default."""
    yield
    from django.core import mail

    for message in getattr(mail, "outbox", []):
        alternatives = [content for content, _ in getattr(message, "alternatives", [])]
        for text in (message.subject, message.body, *alternatives):
            found = SITE_DEFAULT_IN_MAIL.search(str(text))
            assert found is None, f"the mail {message.subject!r} names the default site: {found[0]!r}"


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
