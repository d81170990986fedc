"""Input fields of the API's serializers whose size is checked before their content."""

from rest_framework import serializers


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
