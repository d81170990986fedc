"""What the API's viewsets share: writes go through a service, answers are re-read.

A viewset that writes types the request body with its input serializer
(`input_serializer_class`), hands the data to its service (which rules on it), and answers
with the written object read again through its own queryset, so a POST or PATCH returns
exactly what a GET of that object would (the same joins, the same visibility).
"""

from rest_framework import status
from rest_framework.response import Response


class ServiceWriteMixin:
    input_serializer_class: type

    def service_input(self, *, partial: bool) -> dict:
        """The request's data, typed (a 400 with field errors when it is not)."""
        data = self.input_serializer_class(
            data=self.request.data, partial=partial, context={"request": self.request}
        )
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)

    def service_output(self, obj, status_code: int = status.HTTP_200_OK) -> Response:
        """`obj` as a GET shows it: read again through this viewset's queryset."""
        obj = self.get_queryset().get(pk=obj.pk)
        return Response(self.get_serializer(obj).data, status=status_code)
