"""Where uploaded files live, and how they reach a browser (docs/design.md "Trust and media").

Two stores, each a Django `STORAGES` alias (portal/settings.py, "Media"):

- `public_storage()` ("public"): logos, product photos, public catalogue PDFs. Anyone may see
  them, at a public URL, with `Cache-Control: public, max-age=31536000, immutable` (their names
  are random tokens: a new upload is a new name, so a cached copy never goes stale).
- `private_storage()` ("default"): verification evidence, deal attachments, and anything whose
  code names no store (the safe default). Never at a public URL: served only by a view that
  checks who may see the file, through `serve_private()`, which streams it from the store
  (never a redirect to a storage URL) with `Cache-Control: private, no-store`.

By default both are folders under MEDIA_ROOT (`public/` and `private/`), the public one served
by `portal.views.public_media` at MEDIA_URL (nothing of the private folder is reachable there);
with `MEDIA_S3_BUCKET_PUBLIC` and `MEDIA_S3_BUCKET_PRIVATE` set they are two S3 buckets
(django-storages' S3Storage: MinIO in docker-compose.yml), the private one without public
access (signed URLs only, objects `private`), the public one readable anonymously.

Models use them as `FileField(storage=public_storage, ...)`: a callable, so the migration names
the function, not the environment's store.
"""

from __future__ import annotations

import os
import posixpath

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import FileResponse, Http404
from django.utils.functional import LazyObject, cached_property, empty
from django.utils.translation import gettext as _

PUBLIC = "public"
PRIVATE = "default"
PUBLIC_CACHE_CONTROL = "public, max-age=31536000, immutable"
PRIVATE_CACHE_CONTROL = "private, no-store"
# What a private file served here may do, were a browser to render it: nothing.
PRIVATE_CSP = "default-src 'none'; img-src 'self'; sandbox"
# The types the public store holds (anything else is served as a download of bytes).
PUBLIC_TYPES = {
    ".webp": "image/webp",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".pdf": "application/pdf",
}


class StorageAlias(LazyObject):
    """The storage of a STORAGES alias, looked up when first used and again after STORAGES
    changes (a test's override): a FileField made at import follows the settings in force."""

    def __init__(self, alias: str):
        self.__dict__["_alias"] = alias
        super().__init__()

    def _setup(self):
        self._wrapped = storages[self.__dict__["_alias"]]


_public = StorageAlias(PUBLIC)
_private = StorageAlias(PRIVATE)


@receiver(setting_changed)
def _forget_storages(*, setting, **kwargs):
    if setting == "STORAGES":
        for alias in (_public, _private):
            alias._wrapped = empty


def public_storage() -> Storage:
    """The store of files anyone may see, at a public URL with long cache headers."""
    return _public


def private_storage() -> Storage:
    """The store of files served only by a view that checks permission (never a public URL)."""
    return _private


class MediaFolderStorage(FileSystemStorage):
    """A folder under MEDIA_ROOT (followed when MEDIA_ROOT changes, as tests do)."""

    folder = ""

    @cached_property
    def base_location(self):
        if self._location is not None:
            return self._location
        return os.path.join(settings.MEDIA_ROOT, self.folder)


class PublicFileSystemStorage(MediaFolderStorage):
    """MEDIA_ROOT/public, at MEDIA_URL (served by `portal.views.public_media`)."""

    folder = "public"


class PrivateFileSystemStorage(MediaFolderStorage):
    """MEDIA_ROOT/private: no URL at all (`url()` raises ValueError)."""

    folder = "private"

    @cached_property
    def base_url(self):
        return None


def serve_private(fieldfile, *, filename: str, content_type: str, as_attachment: bool = True) -> FileResponse:
    """A private file streamed through the portal, for a view that has checked who may see it:
    a download (or inline, with `as_attachment=False`) named `filename`, never cached by a
    shared cache, never sniffed, never allowed to run anything. 404 when the store lacks it."""
    name = getattr(fieldfile, "name", None)
    if not name:
        raise Http404(_("No such file."))
    try:
        handle = fieldfile.storage.open(name, "rb")
    except (OSError, ValueError):  # missing (FileNotFoundError, S3's 404 too) or a bad name
        raise Http404(_("No such file.")) from None
    response = FileResponse(handle, as_attachment=as_attachment, filename=filename, content_type=content_type)
    response["Cache-Control"] = PRIVATE_CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = PRIVATE_CSP
    return response


def public_file_path(path: str) -> str | None:
    """The file on disk for `path` under MEDIA_URL, when the public store is a folder and holds
    it; None for anything else (a dot segment, a backslash, a link out of the folder, a
    folder, a file of another store)."""
    storage = public_storage()
    if not isinstance(storage, FileSystemStorage) or isinstance(storage, PrivateFileSystemStorage):
        return None
    if not path or "\\" in path or "\x00" in path or path.startswith("/"):
        return None
    parts = path.split("/")
    if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
        return None
    if posixpath.normpath(path) != path:
        return None
    root = os.path.realpath(storage.location)
    try:
        full = os.path.realpath(storage.path(path))
    except Exception:  # SuspiciousFileOperation and friends
        return None
    if os.path.commonpath([root, full]) != root or not os.path.isfile(full):
        return None
    return full


def public_content_type(path: str) -> str | None:
    """The type a public file is served as: only those the public store is for (None: the
    caller serves bytes to download, never markup the browser would run)."""
    return PUBLIC_TYPES.get(os.path.splitext(path)[1].lower())
