"""A real Celery worker on the real broker and database, for integration tests.

Skipped where no broker answers or the database is SQLite (a worker process
cannot see an in-memory test database). Each session uses its own queue, so
tasks left by another run never reach these workers.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from portal.celery import app
from tests.integration.smtp_inbox import inbox  # noqa: F401  (a fixture for the tests here)

ROOT = Path(__file__).resolve().parents[2]
QUEUE = f"itest-{uuid.uuid4().hex[:8]}"


def wait_for(condition, timeout: float, what: str):
    """`condition()`'s first truthy value, polled until `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def broker_answers() -> bool:
    if not settings.CELERY_BROKER_URL:
        return False
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        return False
    return True


def pytest_collection_modifyitems(config, items):
    reason = None
    if not settings.USING_POSTGRES:
        reason = "integration tests need PostgreSQL (DATABASE_URL)"
    elif not broker_answers():
        reason = "integration tests need a broker that answers (CELERY_BROKER_URL)"
    for item in items:
        if "tests/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)
            # One xdist process runs them all, one after the other (scripts/run-tests.sh uses
            # --dist loadgroup): they start workers and servers, stop Redis and the database.
            item.add_marker(pytest.mark.xdist_group("integration"))
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


def database_url() -> str:
    """The test database (not the configured one) as a URL for the worker."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def cache_url() -> dict[str, str]:
    """This test process's Redis cache for the worker (under xdist each process has a database
    of its own, tests/conftest.py): the sweeps' leases and locks live there."""
    location = settings.CACHES["default"].get("LOCATION")
    return {"CACHE_URL": location} if "redis" in settings.CACHES["default"]["BACKEND"].lower() else {}


class WorkerProcess:
    """A `celery worker` subprocess that tests can start, kill (-9) and restart."""

    def __init__(self, concurrency: int = 2):
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None
        self.hostname = ""

    def start(self, timeout: float = 60) -> None:
        self.hostname = f"{QUEUE}-{uuid.uuid4().hex[:4]}@localhost"
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            **cache_url(),
            "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--loglevel=WARNING",
                f"--concurrency={self.concurrency}",
                "-Q",
                QUEUE,
                "-n",
                self.hostname,
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited with {self.process.returncode}")
            if app.control.ping(destination=[self.hostname], timeout=1):
                return
        raise TimeoutError("the worker did not answer a ping in time")

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and its pool), as a crash would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        stop_process_group(self.process)


def stop_process_group(process: subprocess.Popen | None) -> None:
    """SIGTERM a process started in a session of its own, and its children; SIGKILL if it lingers."""
    if process and process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


@contextlib.contextmanager
def running_worker():
    """A worker process on the test queue (with the environment set so far), stopped after."""
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = QUEUE
    process = WorkerProcess()
    process.start()
    try:
        yield process
    finally:
        process.stop()
        app.conf.task_default_queue = previous


@pytest.fixture
def worker(transactional_db):
    with running_worker() as process:
        yield process
