import socket
import time
from unittest import mock

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    expected_broker = "eager" if settings.CELERY_TASK_ALWAYS_EAGER else "ok"
    assert response.json() == {"status": "ok", "database": "ok", "broker": expected_broker}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_says_not_ok_when_the_database_is_down(client):
    with mock.patch("portal.health.connections") as connections:
        connections.__getitem__.return_value.cursor.side_effect = OperationalError("connection refused")
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["database"] == "error"


def test_healthz_says_not_ok_when_the_broker_is_down(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from portal.celery import app

    with mock.patch.object(app, "connection_for_write", side_effect=OSError("refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "broker": "error"}


def test_healthz_refuses_writes(client):
    assert client.post("/healthz").status_code == 405


def test_database_status_against_an_unreachable_server():
    """A real connection attempt to a port nobody listens on, not a mock."""
    from django.db.utils import ConnectionHandler

    from portal.health import database_status

    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": "nothing",
                "USER": "nobody",
                "HOST": "127.0.0.1",
                "PORT": "9",
                "OPTIONS": {"connect_timeout": 2},
            }
        }
    )
    try:
        assert database_status(handler["default"]) == "error"
    finally:
        handler.close_all()


# --- /healthz/live and /healthz/ready (docs/api.md, "Operations") -------------------------------


def closed_port() -> int:
    """A local port nobody listens on: bound by the system, then released."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_down(settings):
    """The broker and the shared cache both at a Redis that is not there (a real refused
    connection, no mock), as in the compose stack when its Redis stops."""
    url = f"redis://127.0.0.1:{closed_port()}"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = f"{url}/0"
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"{url}/1",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        },
    }
    return url


@pytest.fixture
def database_down():
    """The health checks' database at a PostgreSQL port nobody listens on (a real refused
    connection), while the test database stays for the rest of the request."""
    from django.db.utils import ConnectionHandler

    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": "nothing",
                "USER": "nobody",
                "HOST": "127.0.0.1",
                "PORT": str(closed_port()),
                "OPTIONS": {"connect_timeout": 2},
            }
        }
    )
    with mock.patch("portal.health.connections", handler):
        yield
    handler.close_all()


def test_live_answers_without_asking_any_dependency(client, django_assert_num_queries):
    with (
        django_assert_num_queries(0),
        mock.patch("portal.health.database_status") as database,
        mock.patch("portal.health.broker_status") as broker,
        mock.patch("portal.health.cache_status") as cache,
    ):
        response = client.get("/healthz/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert not database.called and not broker.called and not cache.called


def test_ready_when_everything_answers(client, settings):
    response = client.get("/healthz/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["broker"] == ("eager" if settings.CELERY_TASK_ALWAYS_EAGER else "ok")
    assert body["cache"] in ("ok", "local")
    assert "no-cache" in response["Cache-Control"]


def test_redis_down_live_200_ready_503_naming_broker_and_cache(client, redis_down):
    started = time.monotonic()
    live = client.get("/healthz/live")
    ready = client.get("/healthz/ready")
    assert live.status_code == 200
    assert ready.status_code == 503
    assert ready.json() == {"status": "error", "database": "ok", "broker": "error", "cache": "error"}
    # Bounded: a refused connection is not waited on.
    assert time.monotonic() - started < 10


def test_only_the_cache_down_is_named(client, redis_down, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    ready = client.get("/healthz/ready")
    assert ready.status_code == 503
    assert ready.json() == {"status": "error", "database": "ok", "broker": "eager", "cache": "error"}


def test_database_down_ready_503_live_200(client, database_down):
    ready = client.get("/healthz/ready")
    assert ready.status_code == 503
    assert ready.json()["status"] == "error"
    assert ready.json()["database"] == "error"
    assert client.get("/healthz/live").status_code == 200


def test_a_redis_cache_that_answers_is_ok(settings):
    """Against the suite's own Redis, where there is one (CI and the compose stack)."""
    from portal.health import cache_status

    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        pytest.skip("the suite's cache is not Redis here")
    assert cache_status() == "ok"


@pytest.mark.parametrize("path", ["/healthz", "/healthz/live", "/healthz/ready"])
def test_health_paths_refuse_writes_and_are_not_redirected_to_https(client, settings, path):
    assert client.post(path).status_code == 405
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(path)
    assert response.status_code in (200, 503), response.status_code


def test_the_https_redirect_still_applies_elsewhere(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/").status_code == 301
