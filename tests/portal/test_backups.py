"""backup_database / restore_database (docs/api.md, "Management commands"; docs/operations.md):
the database and the uploaded files in one archive, restored into an empty database."""

import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from portal import backups
from portal.storage import private_storage, public_storage
from tests.factories import ProducerProfileFactory, UserFactory
from tests.portal.test_storage import s3_server  # noqa: F401 - moto's S3, a fixture

ROOT = Path(__file__).resolve().parents[2]
LOGO = b"\x89PNG\r\n\x1a\n a logo's bytes"
EVIDENCE = b"%PDF-1.7 a verification's evidence"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def manage(*args: str, **variables: str) -> subprocess.CompletedProcess:
    """manage.py in a fresh process, with `variables` over the suite's environment."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_MEDIA_ROOT")}
    env.update(variables)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


def database_url(settings_dict: dict, name: str) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{credentials}{host}:{port}/{name}"


@pytest.fixture
def empty_database(tmp_path):
    """A new, empty database of the suite's kind: its URL, and a way to query it."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"

        def query(sql: str) -> list[tuple]:
            with sqlite3.connect(path) as db:
                return db.execute(sql).fetchall()

        yield f"sqlite:///{path}", query
        return
    import psycopg

    settings_dict = connection.settings_dict
    name = f"{settings_dict['NAME']}_restored"[:63]
    admin_url = database_url(settings_dict, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')

    def query(sql: str) -> list[tuple]:
        with psycopg.connect(database_url(settings_dict, name)) as db:
            return db.execute(sql).fetchall()

    yield database_url(settings_dict, name), query
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_province():
    owner = UserFactory(email="restored.owner@example.org", role="producer")
    ProducerProfileFactory(owner=owner, name="Saffron House of Mashhad")
    logo = public_storage().save("logos/saffron.png", ContentFile(LOGO))
    evidence = private_storage().save("verification/evidence-token", ContentFile(EVIDENCE))
    return logo, evidence


def archive_members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as archive:
        return {m.name: archive.extractfile(m).read() for m in archive.getmembers() if m.isfile()}


# --- The round trip ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_round_trip_into_an_empty_database(media, tmp_path, empty_database):
    """Data and an uploaded file in each store, backed up, restored into a new empty database
    and empty stores by another process (as an operator would), and found there."""
    url, query = empty_database
    logo, evidence = make_province()
    out = io.StringIO()
    call_command("backup_database", str(tmp_path / "backups") + os.sep, stdout=out)
    [archive] = (tmp_path / "backups").iterdir()
    assert backups.ARCHIVE_PATTERN.match(archive.name)
    assert f"Backed up to {archive}" in out.getvalue()

    members = archive_members(archive)
    manifest = json.loads(members["manifest.json"])
    assert manifest["format"] == backups.FORMAT and manifest["format_version"] == backups.FORMAT_VERSION
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["migrations"]["accounts"]  # the migrations state
    assert manifest["media"]["files"] == {"public": 1, "private": 1}
    assert members[f"media/public/{logo}"] == LOGO
    assert members[f"media/private/{evidence}"] == EVIDENCE
    dump = members[manifest["database"]["file"]]
    assert dump.startswith(b"PGDMP" if connection.vendor == "postgresql" else b"SQLite format 3")

    restored_media = tmp_path / "restored-media"
    result = manage("restore_database", str(archive), DATABASE_URL=url, DJANGO_MEDIA_ROOT=str(restored_media))
    assert result.returncode == 0, result.stderr
    assert "Restore complete." in result.stdout
    assert "migrating" not in result.stdout  # same code: nothing to migrate

    assert query("SELECT email FROM accounts_user") == [("restored.owner@example.org",)]
    assert query("SELECT name FROM accounts_producerprofile") == [("Saffron House of Mashhad",)]
    applied = query("SELECT app, name FROM django_migrations")
    assert {(app, name) for app, name in applied} == {
        (app, name) for app, names in manifest["migrations"].items() for name in names
    }
    assert (restored_media / "public" / logo).read_bytes() == LOGO
    assert (restored_media / "private" / evidence).read_bytes() == EVIDENCE

    # Restored once, the database holds data: a second restore is refused, and says why.
    again = manage("restore_database", str(archive), DATABASE_URL=url, DJANGO_MEDIA_ROOT=str(restored_media))
    assert again.returncode != 0
    assert "The database is not empty" in again.stderr
    assert query("SELECT count(*) FROM accounts_user") == [(1,)]
    # --force: the database is emptied and restored again, the files overwritten.
    (restored_media / "public" / logo).write_bytes(b"changed since")
    forced = manage(
        "restore_database", str(archive), "--force", DATABASE_URL=url, DJANGO_MEDIA_ROOT=str(restored_media)
    )
    assert forced.returncode == 0, forced.stderr
    assert query("SELECT email FROM accounts_user") == [("restored.owner@example.org",)]
    assert (restored_media / "public" / logo).read_bytes() == LOGO


def test_an_older_archive_is_migrated_after_its_restore(tmp_path):
    """SQLite files in other processes, whatever the suite's database: an archive made before
    the newest migrations is restored, then migrated to this code's schema."""
    old = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    assert manage("migrate", "contenttypes", "--noinput", DATABASE_URL=old).returncode == 0
    made = manage("backup_database", str(tmp_path / "old.tar.gz"), DATABASE_URL=old)
    assert made.returncode == 0, made.stderr
    target = tmp_path / "new.sqlite3"
    result = manage("restore_database", str(tmp_path / "old.tar.gz"), DATABASE_URL=f"sqlite:///{target}")
    assert result.returncode == 0, result.stderr
    assert "older than the code" in result.stdout and "migrated" in result.stdout
    with sqlite3.connect(target) as db:
        apps = {app for (app,) in db.execute("SELECT DISTINCT app FROM django_migrations")}
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"contenttypes", "accounts", "deals"} <= apps
    assert "accounts_user" in tables


# --- Refusals: nothing is written --------------------------------------------------------


def write_archive(path: Path, manifest: dict | None, files: dict[str, bytes] | None = None) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        entries = dict(files or {})
        if manifest is not None:
            entries["manifest.json"] = json.dumps(manifest).encode()
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def good_manifest(dump: bytes = b"dump", **changes) -> dict:
    import hashlib

    vendor = connection.vendor
    manifest = {
        "format": backups.FORMAT,
        "format_version": backups.FORMAT_VERSION,
        "created_at": "2026-12-01T00:00:00+00:00",
        "database": {
            "vendor": vendor,
            "file": backups.DUMPS[vendor],
            "sha256": hashlib.sha256(dump).hexdigest(),
        },
        "migrations": backups.applied_migrations(),
        "media": {"included": True, "stores": "filesystem", "files": {}},
    }
    manifest.update(changes)
    return manifest


def refused(path: Path, *args: str) -> str:
    with pytest.raises(CommandError) as error:
        call_command("restore_database", str(path), *args, stdout=io.StringIO())
    return str(error.value)


@pytest.fixture
def empty_target(db, media):
    """The suite's database as a restore sees it before anything is written: no user yet."""
    return media


def test_a_missing_file_is_refused(empty_target, tmp_path):
    assert "No backup at" in refused(tmp_path / "nothing.tar.gz")


def test_a_missing_file_exits_non_zero(tmp_path):
    result = manage(
        "restore_database", str(tmp_path / "nothing.tar.gz"), DATABASE_URL=f"sqlite:///{tmp_path / 'x'}"
    )
    assert result.returncode != 0
    assert "No backup at" in result.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"plain text, not an archive", "not a readable tar.gz archive"),
        (None, "has no readable manifest.json"),
    ],
    ids=["not-gzip", "no-manifest"],
)
def test_what_is_not_a_backup_is_refused(empty_target, tmp_path, content, expected):
    path = tmp_path / "wrong.tar.gz"
    if content is None:
        write_archive(path, None, {"something.txt": b"hello"})
    else:
        path.write_bytes(content)
    assert expected in refused(path)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"format": "someone-elses-backup"}, "not an Export Bridge backup"),
        ({"format_version": 99}, "format version 99"),
        ({"migrations": {"accounts": ["9999_from_the_future"]}}, "made by a newer version"),
    ],
    ids=["format", "version", "newer"],
)
def test_a_mismatched_manifest_is_refused(empty_target, tmp_path, changes, expected):
    path = write_archive(
        tmp_path / "x.tar.gz", good_manifest(**changes), {backups.DUMPS[connection.vendor]: b"dump"}
    )
    assert expected in refused(path)


def test_another_kind_of_database_is_refused(empty_target, tmp_path):
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    manifest = good_manifest(database={"vendor": other, "file": backups.DUMPS[other], "sha256": "0"})
    path = write_archive(tmp_path / "x.tar.gz", manifest, {backups.DUMPS[other]: b"dump"})
    message = refused(path)
    assert f"holds a {other} database" in message and f"uses {connection.vendor}" in message


def test_a_damaged_dump_is_refused(empty_target, tmp_path):
    path = write_archive(
        tmp_path / "x.tar.gz", good_manifest(dump=b"original"), {backups.DUMPS[connection.vendor]: b"changed"}
    )
    assert "does not match its checksum" in refused(path)


def test_a_path_out_of_the_stores_is_refused(empty_target, tmp_path):
    files = {backups.DUMPS[connection.vendor]: b"dump", "media/public/../../escape": b"x"}
    path = write_archive(tmp_path / "x.tar.gz", good_manifest(), files)
    assert "unexpected entry" in refused(path)
    assert not (tmp_path / "escape").exists()


@pytest.mark.django_db
def test_a_database_with_data_is_refused_and_left_as_it_was(media, tmp_path):
    make_province()
    path = write_archive(tmp_path / "x.tar.gz", good_manifest(), {backups.DUMPS[connection.vendor]: b"dump"})
    assert "The database is not empty" in refused(path)
    assert UserFactory._meta.model.objects.filter(email="restored.owner@example.org").exists()


def test_stores_with_files_are_refused(empty_target, tmp_path):
    public_storage().save("logos/already-here.png", ContentFile(LOGO))
    path = write_archive(tmp_path / "x.tar.gz", good_manifest(), {backups.DUMPS[connection.vendor]: b"dump"})
    assert "file store(s) are not empty" in refused(path)


# --- Backups into a folder, kept N at a time --------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_folder_keeps_the_newest_archives(media, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    for stamp in ("20240101T000000Z", "20250101T000000Z", "20260101T000000Z"):
        (folder / f"exportbridge-{stamp}.tar.gz").write_bytes(b"old")
    (folder / "notes.txt").write_text("not a backup: never pruned")
    out = io.StringIO()
    call_command("backup_database", str(folder), "--keep", "2", stdout=out)
    names = sorted(p.name for p in folder.iterdir())
    assert names[0] == "exportbridge-20260101T000000Z.tar.gz"
    assert backups.ARCHIVE_PATTERN.match(names[1]) and names[2] == "notes.txt"
    assert len(names) == 3
    assert "Removed the old backup exportbridge-20240101T000000Z.tar.gz" in out.getvalue()


@pytest.mark.django_db
def test_backup_refuses_to_overwrite_and_bad_options(media, tmp_path):
    existing = tmp_path / "taken.tar.gz"
    existing.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup_database", str(existing), stdout=io.StringIO())
    assert existing.read_bytes() == b"keep me"
    with pytest.raises(CommandError, match="--keep needs PATH to be a folder"):
        call_command("backup_database", str(tmp_path / "one.tar.gz"), "--keep", "3", stdout=io.StringIO())
    with pytest.raises(CommandError, match="--keep must be 1 or more"):
        call_command("backup_database", str(tmp_path), "--keep", "0", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No folder"):
        call_command("backup_database", str(tmp_path / "no" / "such.tar.gz"), stdout=io.StringIO())
    # Nothing half-written is left beside the archives.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["media", "taken.tar.gz"] or not any(
        p.name.startswith(".backup-") for p in tmp_path.iterdir()
    )


@pytest.mark.django_db(transaction=True)
def test_the_database_only(media, tmp_path):
    make_province()
    call_command("backup_database", str(tmp_path / "db-only.tar.gz"), "--no-media", stdout=io.StringIO())
    members = archive_members(tmp_path / "db-only.tar.gz")
    assert not any(name.startswith("media/") for name in members)
    assert json.loads(members["manifest.json"])["media"]["included"] is False


def test_pg_dump_missing_is_said_clearly(monkeypatch):
    monkeypatch.setattr(backups.shutil, "which", lambda name: None)
    with pytest.raises(backups.BackupError, match="pg_dump is not installed"):
        backups._run(["pg_dump", "--version"], env={}, what="pg_dump")


# --- Files in S3 buckets (moto's server, as in tests/portal/test_storage.py) ------------------


@pytest.mark.django_db(transaction=True)
def test_round_trip_with_the_files_in_s3_buckets(settings, s3_server, tmp_path, empty_database):  # noqa: F811
    """The compose stack's case: the files in two buckets, read through the store into the
    archive and written back into two new, empty buckets by the restoring process."""
    from portal import settings as portal_settings

    endpoint, client = s3_server
    for bucket in ("bk-src-public", "bk-src-private", "bk-dst-public", "bk-dst-private"):
        client.create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        **portal_settings.s3_media_storages(
            public_bucket="bk-src-public",
            private_bucket="bk-src-private",
            endpoint_url=endpoint,
            region="us-east-1",
            access_key="test",
            secret_key="test",
        ),
    }
    logo, evidence = make_province()
    private_storage().save("deals/7/nested-token", ContentFile(b"an attachment"))
    call_command("backup_database", str(tmp_path / "s3.tar.gz"), stdout=io.StringIO())
    members = archive_members(tmp_path / "s3.tar.gz")
    manifest = json.loads(members["manifest.json"])
    assert manifest["media"] == {"included": True, "stores": "s3", "files": {"public": 1, "private": 2}}

    url, query = empty_database
    result = manage(
        "restore_database",
        str(tmp_path / "s3.tar.gz"),
        DATABASE_URL=url,
        MEDIA_S3_BUCKET_PUBLIC="bk-dst-public",
        MEDIA_S3_BUCKET_PRIVATE="bk-dst-private",
        MEDIA_S3_ENDPOINT_URL=endpoint,
        MEDIA_S3_ACCESS_KEY_ID="test",
        MEDIA_S3_SECRET_ACCESS_KEY="test",
    )
    assert result.returncode == 0, result.stderr
    assert query("SELECT email FROM accounts_user") == [("restored.owner@example.org",)]

    def read(bucket: str, key: str) -> bytes:
        return client.get_object(Bucket=bucket, Key=key)["Body"].read()

    assert read("bk-dst-public", logo) == LOGO
    assert read("bk-dst-private", evidence) == EVIDENCE
    assert read("bk-dst-private", "deals/7/nested-token") == b"an attachment"
    head = client.head_object(Bucket="bk-dst-public", Key=logo)
    assert head["CacheControl"] == "public, max-age=31536000, immutable"  # the store's own headers
