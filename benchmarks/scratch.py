"""A database of a benchmark's own, so a run never touches real data."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from urllib.parse import urlsplit, urlunsplit

# A benchmark runs the production settings (DEBUG off), which refuse to start without a secret
# of their own: each run makes a throwaway one, never a published default.
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))


@contextlib.contextmanager
def scratch_database(url: str, *, prefix: str, keep: bool = False):
    """Yield the URL of a fresh, empty database (`<prefix>_<pid>` on the PostgreSQL server
    `url` points at, else a temporary SQLite file); drop it afterwards unless `keep`."""
    from django.db import connections

    if url.startswith(("postgres://", "postgresql://", "pgsql://")):
        import psycopg

        parts = urlsplit(url)
        name = f"{prefix}_{os.getpid()}"
        admin = psycopg.connect(urlunsplit(parts._replace(scheme="postgresql")), autocommit=True)
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield urlunsplit(parts._replace(path=f"/{name}"))
        finally:
            connections.close_all()
            if not keep:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()
        return
    handle, path = tempfile.mkstemp(prefix=f"{prefix}_", suffix=".sqlite3")
    os.close(handle)
    try:
        yield f"sqlite:///{path}"
    finally:
        connections.close_all()
        if not keep:
            os.unlink(path)
