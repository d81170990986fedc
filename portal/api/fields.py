"""Input fields of the API's serializers that check what a caller may send before reading it.

- `ScopedPrimaryKeyRelatedField`: an id the caller may not use (another company's user, an
  unlisted product) is refused with the same "does not exist" error as an id that names
  nothing, so the answer says nothing of objects outside the caller's sight. The views pass
  the request in the serializer's context.
- `BoundedListField`: a list's size is checked before its items.
- `PictureUploadField`: an uploaded picture, judged by its content by the service; and
  `public_file_url`, a public file's absolute URL in an answer.
"""

from collections.abc import Callable

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.uploads import default_max_bytes


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    def __init__(self, *, scope: Callable[[object, QuerySet], QuerySet], **kwargs):
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return queryset.none()
        return self.scope(user, queryset)


class BoundedListField(serializers.ListField):
    """A ListField that refuses a list longer than `max_length` before validating any item:
    DRF's own validates every item first, so 500,000 codes held a worker for seconds before
    the limit of 100 was checked. `max_length` is required: no list of the API is unbounded.
    Each item is a string of at most `item_length` characters unless `child` is given."""

    def __init__(self, *, max_length: int, item_length: int | None = None, **kwargs):
        if "child" not in kwargs:
            kwargs["child"] = serializers.CharField(max_length=item_length)
        super().__init__(max_length=max_length, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, list | tuple) and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


def public_file_url(request, fieldfile) -> str | None:
    """The absolute URL of a file on the public storage (None without one): the storage's own
    URL when it is absolute (S3), else this site's, as the request reached it."""
    if not fieldfile:
        return None
    url = fieldfile.url
    if url.startswith(("http://", "https://")):
        return url
    return request.build_absolute_uri(url) if request is not None else settings.PORTAL_BASE_URL + url


@extend_schema_field(
    {
        "type": "string",
        "format": "binary",
        # The schema's bound: no picture path takes more than the largest upload.
        "maxLength": default_max_bytes(),
        "description": "A PNG, JPEG or WebP picture.",
    }
)
class PictureUploadField(serializers.FileField):
    """An uploaded picture: judged by its content by the service (portal.uploads)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_empty_file", True)  # the service says why an empty file is refused
        kwargs.setdefault("use_url", False)
        super().__init__(**kwargs)
