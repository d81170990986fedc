"""The API's router: an object's id in a path is ASCII digits, or the path matches nothing.

DRF's default lookup (`[^/.]+`) hands "abc", "-1" or "٣" to the view, where the ORM reads
"٣" as 3 (Python's int() takes any Unicode digit): the same object under another name. A
viewset whose key is not a number says so with its own `lookup_value_regex` (sectors).
An id beyond the database's bigint matches here and finds nothing (Django answers an
out-of-range lookup with no rows), so every malformed id is a 404.
"""

from rest_framework import routers

ID_REGEX = "[0-9]+"


class SimpleRouter(routers.SimpleRouter):
    def get_lookup_regex(self, viewset, lookup_prefix=""):
        lookup_field = getattr(viewset, "lookup_field", "pk")
        lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
        lookup_value = getattr(viewset, "lookup_value_regex", ID_REGEX)
        return f"(?P<{lookup_prefix}{lookup_url_kwarg}>{lookup_value})"
