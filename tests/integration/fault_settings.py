"""Settings of the portal that tests/integration/test_faults.py serves with gunicorn: the
production settings, with plain static storage (no collectstatic in a test run)."""

from portal.settings import *  # noqa: F403
from portal.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
