"""Input fields that name another object by id, scoped to what the caller may name.

An id the caller may not use (another company's user, an unlisted product) is refused with
the same "does not exist" error as an id that names nothing, so the answer says nothing of
objects outside the caller's sight. The views pass the request in the serializer's context.
"""

from collections.abc import Callable

from django.db.models import QuerySet
from rest_framework import serializers


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
