"""Backups of the portal: its database and its uploaded files in one archive, and their restore
(`manage.py backup_database PATH`, `manage.py restore_database PATH`; docs/operations.md).

An archive is a tar.gz holding:
- `manifest.json`: what it is (FORMAT, FORMAT_VERSION), when it was made, the database's kind
  (postgresql or sqlite) and the migrations applied to it, a checksum of the dump, and how
  many files of each store it holds;
- the database: `database.dump`, PostgreSQL's custom format (`pg_dump -Fc`, one consistent
  snapshot), or `database.sqlite3`, a copy made with SQLite's online backup API (consistent
  while the portal writes, unlike a copy of the file);
- `media/public/...` and `media/private/...`: every file of the two stores (portal/storage.py),
  read through the store, so a folder under MEDIA_ROOT and an S3 bucket alike.

A restore goes into an empty database and empty stores only (or `force`, which first empties
the database), after checking the whole archive: the manifest, the database's kind, that the
archive is not newer than the code (migrations this code does not know), the dump's checksum.
An archive older than the code is migrated after its restore.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import django
from django.contrib.auth import get_user_model
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, Storage
from django.core.management import call_command
from django.db import DatabaseError, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from portal import storage as stores

FORMAT = "export-bridge-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DUMPS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
# Store labels in the archive -> STORAGES aliases.
STORES = {"public": stores.PUBLIC, "private": stores.PRIVATE}
# Archives made into a folder are named so; `keep` prunes only names of this form.
ARCHIVE_NAME = "exportbridge-{stamp}.tar.gz"
ARCHIVE_PATTERN = re.compile(r"^exportbridge-\d{8}T\d{6}Z\.tar\.gz$")
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


Report = Callable[[str], None]


def _silent(message: str) -> None:
    pass


@dataclasses.dataclass(frozen=True)
class BackupResult:
    path: Path
    files: dict[str, int]
    pruned: list[Path]


@dataclasses.dataclass(frozen=True)
class RestoreResult:
    files: dict[str, int]
    migrated: bool


# --- The database's connection, for pg_dump and pg_restore ----------------------------------


def _vendor(alias: str = "default") -> str:
    vendor = connections[alias].vendor
    if vendor not in DUMPS:
        raise BackupError(f"Backups know PostgreSQL and SQLite; this database is {vendor}.")
    return vendor


def _pg_environment(alias: str = "default") -> dict[str, str]:
    """libpq's variables for the connection (the password never on a command line)."""
    settings_dict = connections[alias].settings_dict
    options = settings_dict.get("OPTIONS") or {}
    env = dict(os.environ)
    for variable, value in (
        ("PGHOST", settings_dict.get("HOST")),
        ("PGPORT", settings_dict.get("PORT")),
        ("PGUSER", settings_dict.get("USER")),
        ("PGPASSWORD", settings_dict.get("PASSWORD")),
        ("PGDATABASE", settings_dict.get("NAME")),
        ("PGSSLMODE", options.get("sslmode")),
        ("PGCONNECT_TIMEOUT", options.get("connect_timeout")),
    ):
        if value not in (None, ""):
            env[variable] = str(value)
    return env


def _run(command: list[str], *, env: dict[str, str], what: str) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} is not installed: install PostgreSQL's client tools (postgresql-client, "
            "the same major version as the server or newer) to back up or restore PostgreSQL."
        )
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise BackupError(f"{what} failed ({command[0]} exited with {result.returncode}): {detail}")


# --- Migrations: what the database has, what the code has ------------------------------------


def applied_migrations(alias: str = "default") -> dict[str, list[str]]:
    recorder = MigrationRecorder(connections[alias])
    found: dict[str, list[str]] = {}
    for app_label, name in sorted(recorder.applied_migrations()):
        found.setdefault(app_label, []).append(name)
    return found


def known_migrations() -> set[tuple[str, str]]:
    return set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def _flatten(migrations: dict[str, list[str]]) -> set[tuple[str, str]]:
    return {(app_label, name) for app_label, names in migrations.items() for name in names}


# --- The stores ---------------------------------------------------------------------------


def _walk(storage: Storage, folder: str = "") -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a folder store not made yet: empty
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from _walk(storage, f"{folder}/{sub}" if folder else sub)


def _store(label: str) -> Storage:
    return stores.public_storage() if label == "public" else stores.private_storage()


def _store_kind() -> str:
    # The stores are lazy proxies (portal/storage.py) that answer isinstance for what they wrap.
    return "filesystem" if all(isinstance(_store(label), FileSystemStorage) for label in STORES) else "s3"


def _safe_member_name(name: str) -> bool:
    parts = name.split("/")
    return (
        bool(name) and not name.startswith("/") and "\\" not in name and ".." not in parts and "" not in parts
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- Backup --------------------------------------------------------------------------------


def _dump_database(target: Path, vendor: str, alias: str = "default") -> None:
    if vendor == "postgresql":
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"],
            env=_pg_environment(alias),
            what="pg_dump",
        )
        return
    connection = connections[alias]
    if connection.in_atomic_block:
        # SQLite's backup waits, without end, for this connection's own open write.
        raise BackupError("A backup of SQLite cannot run inside a transaction: run it on its own.")
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        with connection.wrap_database_errors:
            connection.connection.backup(copy)
    finally:
        copy.close()


def archive_path_for(given: str | Path, now: datetime) -> tuple[Path, bool]:
    """The archive's file for PATH: PATH itself, or a dated name inside PATH when it is a
    folder (an existing one, or a path ending in a slash, made if missing). Also whether it is
    in a folder."""
    path = Path(given)
    if path.is_dir() or str(given).endswith(("/", os.sep)):
        path.mkdir(parents=True, exist_ok=True)
        return path / ARCHIVE_NAME.format(stamp=now.strftime("%Y%m%dT%H%M%SZ")), True
    return path, False


def prune(folder: Path, keep: int) -> list[Path]:
    """Deletes the oldest archives named by `backup_database` in `folder`, keeping `keep`."""
    archives = sorted(p for p in folder.iterdir() if p.is_file() and ARCHIVE_PATTERN.match(p.name))
    doomed = archives[:-keep] if keep > 0 else []
    for path in doomed:
        path.unlink()
    return doomed


def backup(
    path: Path, *, media: bool = True, keep: int | None = None, report: Report = _silent
) -> BackupResult:
    """Writes the archive (to a temporary name beside it, renamed once complete)."""
    vendor = _vendor()
    now = datetime.now(UTC).replace(microsecond=0)
    target, in_folder = archive_path_for(path, now)
    if target.exists():
        raise BackupError(f"{target} exists already: give another name, or a folder.")
    if keep is not None and not in_folder:
        raise BackupError("--keep needs PATH to be a folder (the archives in it are kept or pruned).")
    if not target.parent.is_dir():
        raise BackupError(f"No folder {target.parent}: make it first.")
    files: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=target.parent) as work:
        work_dir = Path(work)
        dump = work_dir / DUMPS[vendor]
        report(f"Dumping the {vendor} database...")
        _dump_database(dump, vendor)
        report(f"  {dump.stat().st_size} bytes.")
        partial = work_dir / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as archive:
            if media:
                for label in STORES:
                    storage = _store(label)
                    count = 0
                    for name in _walk(storage):
                        with storage.open(name, "rb") as handle:
                            size = _size_of(storage, name, handle)
                            info = tarfile.TarInfo(f"media/{label}/{name}")
                            info.size = size
                            info.mtime = int(now.timestamp())
                            info.mode = 0o644
                            archive.addfile(info, handle)
                        count += 1
                    files[label] = count
                    report(f"Files of the {label} store: {count}.")
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": now.isoformat(),
                "django": django.__version__,
                "database": {
                    "vendor": vendor,
                    "file": DUMPS[vendor],
                    "sha256": _sha256(dump),
                    "size": dump.stat().st_size,
                },
                "migrations": applied_migrations(),
                "media": {"included": media, "stores": _store_kind(), "files": files},
            }
            archive.add(dump, arcname=DUMPS[vendor])
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(now.timestamp())
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(data))
        os.replace(partial, target)
    report(f"Backup written: {target} ({target.stat().st_size} bytes).")
    pruned = prune(target.parent, keep) if keep is not None else []
    for old in pruned:
        report(f"Removed the old backup {old.name} (keeping {keep}).")
    return BackupResult(path=target, files=files, pruned=pruned)


def _size_of(storage: Storage, name: str, handle) -> int:
    try:
        return storage.size(name)
    except (NotImplementedError, OSError):
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(0)
        return size


# --- Restore -------------------------------------------------------------------------------


def _open_archive(path: Path) -> tarfile.TarFile:
    try:
        archive = tarfile.open(path, "r:gz")  # noqa: SIM115 - the caller's `with` closes it
        archive.getmembers()  # reads the whole archive now: a damaged one fails here, not midway
    except (tarfile.TarError, OSError, EOFError, zlib.error):
        raise BackupError(f"{path} is not an Export Bridge backup: not a readable tar.gz archive.") from None
    return archive


def read_manifest(archive: tarfile.TarFile, path: Path) -> dict:
    try:
        member = archive.getmember(MANIFEST)
        manifest = json.load(archive.extractfile(member))
    except (KeyError, ValueError, AttributeError):
        raise BackupError(f"{path} is not an Export Bridge backup: it has no readable {MANIFEST}.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not an Export Bridge backup (its manifest names another format).")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise BackupError(
            f"{path} is a backup of format version {version}; this code reads version {FORMAT_VERSION}."
        )
    if not isinstance(manifest.get("database"), dict) or not isinstance(manifest.get("migrations"), dict):
        raise BackupError(f"{path}: its manifest lacks the database's kind or its migrations.")
    return manifest


def _tables(alias: str = "default") -> list[str]:
    with connections[alias].cursor() as cursor:
        return connections[alias].introspection.table_names(cursor)


def _holds_data(alias: str = "default") -> bool:
    """Whether the database holds the portal's data: any user account. A new database, and
    one that `migrate` alone has made (the compose stack's, at its first start), hold none."""
    user_table = get_user_model()._meta.db_table
    if user_table not in _tables(alias):
        return False
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {connections[alias].ops.quote_name(user_table)} LIMIT 1")
        return cursor.fetchone() is not None


def _empty_database(vendor: str, alias: str = "default") -> None:
    """Drops every table (PostgreSQL: the public schema, made anew), for pg_restore. SQLite's
    backup API replaces the whole database itself."""
    if vendor != "postgresql" or not _tables(alias):
        return
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    except DatabaseError as error:
        raise BackupError(
            f"Could not empty the database ({error}). Stop web, worker and beat (they hold it), and "
            "restore as the database's owner."
        ) from error


def _restore_database(dump: Path, vendor: str, alias: str = "default") -> None:
    connection = connections[alias]
    if vendor == "postgresql":
        connection.close()
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={_pg_environment(alias)['PGDATABASE']}",
                str(dump),
            ],
            env=_pg_environment(alias),
            what="pg_restore",
        )
        return
    source = sqlite3.connect(dump)
    try:
        connection.ensure_connection()
        with connection.wrap_database_errors:
            source.backup(connection.connection)
    finally:
        source.close()
    connection.close()


def _stores_with_files() -> list[str]:
    return [label for label in STORES if next(_walk(_store(label)), None) is not None]


def _write_file(storage: Storage, name: str, handle) -> None:
    if isinstance(storage, FileSystemStorage):
        full = Path(storage.path(name))
        full.parent.mkdir(parents=True, exist_ok=True)
        with open(full, "wb") as out:
            shutil.copyfileobj(handle, out, CHUNK)
        return
    if storage.exists(name):
        storage.delete(name)
    saved = storage.save(name, File(handle, name=name))
    if saved != name:
        raise BackupError(f"The store kept {name} as {saved}; the database names {name}.")


def restore(path: Path, *, force: bool = False, report: Report = _silent) -> RestoreResult:
    """Restores the archive at `path` into this database and these stores (see the module)."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No backup at {path}.")
    vendor = _vendor()
    with _open_archive(path) as archive, tempfile.TemporaryDirectory(prefix=".restore-") as work:
        manifest = read_manifest(archive, path)
        report(f"Backup of {manifest.get('created_at')} ({manifest['database'].get('vendor')}).")
        # 1. Everything is checked before anything is written.
        archived_vendor = manifest["database"].get("vendor")
        if archived_vendor != vendor:
            raise BackupError(
                f"{path} holds a {archived_vendor} database; this portal uses {vendor}. Restore it "
                f"with DATABASE_URL pointing at an empty {archived_vendor} database."
            )
        archived = _flatten(manifest.get("migrations") or {})
        unknown = sorted(archived - known_migrations())
        if unknown:
            shown = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
            raise BackupError(
                f"{path} was made by a newer version of the portal (migrations this code does not "
                f"have: {shown}{'...' if len(unknown) > 5 else ''}). Deploy that version, then restore."
            )
        if _holds_data() and not force:
            raise BackupError(
                "The database is not empty (it has user accounts): restore into an empty database "
                "(a new one, or one that only `migrate` has made), or pass --force to delete "
                "everything in it first."
            )
        busy_stores = _stores_with_files()
        if busy_stores and not force:
            raise BackupError(
                f"The {' and '.join(busy_stores)} file store(s) are not empty: restore into empty "
                "stores, or pass --force to overwrite files of the same name."
            )
        dump_name = manifest["database"].get("file")
        if dump_name not in DUMPS.values():
            raise BackupError(f"{path}: its manifest names no database file.")
        try:
            member = archive.getmember(dump_name)
        except KeyError:
            raise BackupError(
                f"{path} lacks its database file {dump_name}: the archive is incomplete."
            ) from None
        dump = Path(work) / dump_name
        with archive.extractfile(member) as source, open(dump, "wb") as out:
            shutil.copyfileobj(source, out, CHUNK)
        if _sha256(dump) != manifest["database"].get("sha256"):
            raise BackupError(f"{path}: the database file does not match its checksum (a damaged archive).")
        media_members = []
        for item in archive.getmembers():
            if not item.name.startswith("media/"):
                continue
            label, _, name = item.name[len("media/") :].partition("/")
            if not item.isfile() or label not in STORES or not _safe_member_name(name):
                raise BackupError(f"{path}: an unexpected entry {item.name!r}; nothing was restored.")
            media_members.append((item, label, name))

        # 2. The database.
        if vendor == "postgresql" and _tables():
            report("Emptying the database (its tables are dropped)...")
            _empty_database(vendor)
        report(f"Restoring the {vendor} database...")
        _restore_database(dump, vendor)
        missing = known_migrations() - archived
        migrated = False
        if missing:
            report(f"The backup is older than the code ({len(missing)} migrations to apply): migrating...")
            call_command("migrate", interactive=False, verbosity=0)
            migrated = True

        # 3. The files.
        files = dict.fromkeys(STORES, 0)
        for item, label, name in media_members:
            with archive.extractfile(item) as handle:
                _write_file(_store(label), name, handle)
            files[label] += 1
        for label, count in files.items():
            report(f"Files of the {label} store restored: {count}.")
    report("Restore complete.")
    return RestoreResult(files=files, migrated=migrated)
