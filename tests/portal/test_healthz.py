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
