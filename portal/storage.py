"""TEMPORARY SHIM (issue 17, helper "verify"): the interface of media-core's `portal.storage`
(COMMON17.md "Uploads"). The lead replaces this module with media-core's.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _


def public_storage():
    return storages["default"]


class _PrivateFileSystemStorage(FileSystemStorage):
    """Beside MEDIA_ROOT (read each time, so a test's MEDIA_ROOT applies), never under it."""

    @property
    def base_location(self):
        return str(settings.MEDIA_ROOT).rstrip("/\\") + "-private"

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


_private = _PrivateFileSystemStorage()


def private_storage():
    """Files never at a public URL: a directory of their own, outside MEDIA_URL's reach."""
    return _private


def serve_private(fieldfile, *, filename: str, content_type: str) -> FileResponse:
    try:
        handle = fieldfile.open("rb")
    except (OSError, ValueError):
        raise Http404(_("No such file.")) from None
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
