"""SHIM until media-core's portal.storage lands (the lead takes media-core's version).

`public_storage()`: files anyone may fetch at a public URL (logos, product photos, public
catalogue PDFs); `private_storage()`: files served only by a view that checks permission.
Both are callables for `FileField(storage=...)`, so migrations do not change per environment.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET
from django.views.static import serve

PUBLIC_DIRECTORY = "public"
PUBLIC_CACHE_CONTROL = "public, max-age=31536000, immutable"


class PublicFileSystemStorage(FileSystemStorage):
    """MEDIA_ROOT/public/ at MEDIA_URL public/, read from the settings when used (tests move it)."""

    @property
    def base_location(self):
        return os.path.join(settings.MEDIA_ROOT, PUBLIC_DIRECTORY)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return f"{settings.MEDIA_URL}{PUBLIC_DIRECTORY}/"


class PrivateFileSystemStorage(FileSystemStorage):
    @cached_property
    def base_url(self):
        return None


_public = PublicFileSystemStorage()
_private = PrivateFileSystemStorage()


def public_storage():
    return _public


def private_storage():
    return _private


def serve_private(fieldfile, *, filename: str, content_type: str):
    response = FileResponse(
        fieldfile.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def serve_public(request, path: str):
    """The public files, with long cache headers (their names are random and never reused)."""
    try:
        response = serve(request, path, document_root=_public.location)
    except Http404:
        raise
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    return response
