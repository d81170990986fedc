"""Buying requests over the API (docs/api.md "Buying requests, quotes and messages").

The list and the detail are scoped by role (`sourcing.policies.requests_visible_to`: 404 for
what the caller may not see); a producer's list is its board unless `all` is given. Writes
type the body, check the caller's right (403), and hand the rest to sourcing.services, which
answers bad input (400), an illegal transition (409) and everything else.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from portal.api.exports import export_views
from portal.api.viewsets import ServiceWriteMixin
from sourcing import services
from sourcing.exports import REQUESTS
from sourcing.filtersets import RequestFilterSet
from sourcing.models import BuyingRequest
from sourcing.policies import (
    can_close_request,
    can_create_request,
    can_edit_request,
    can_review_request,
    revealed_request_ids,
)
from sourcing.selectors import visible_requests

from .serializers import (
    NoteInputSerializer,
    RequestInputSerializer,
    RequestOutputSerializer,
    ReturnInputSerializer,
)


def _transition_schema(request_serializer, description: str):
    return extend_schema(
        request=request_serializer,
        responses={
            200: RequestOutputSerializer,
            400: OpenApiResponse(description="Field errors."),
            403: OpenApiResponse(description="The caller sees the request but may not do this."),
            404: OpenApiResponse(description="No such request, or not visible to the caller."),
            409: OpenApiResponse(description="Not possible in the request's current status."),
        },
        filters=False,
        description=description,
    )


def _as_api_errors(error: DjangoValidationError) -> ValidationError:
    """A service's field errors, with the lines' as `{"lines": [{…}, {}, …]}` (one object per
    line given, empty for a good one) where they name lines."""
    errors = (
        dict(error.message_dict) if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
    )
    per_line = services.line_errors(error)
    if per_line and "lines" in errors:
        errors["lines"] = per_line
    return ValidationError(errors)


@extend_schema_view(
    list=extend_schema(
        summary=_("Buying requests"),
        description=_(
            "A buyer's own requests; the published ones for producers (their board: in their sectors "
            "and markets unless `all` is given), the buyer withheld until a match on the request is "
            "forwarded to them; counsellors the requests of the buyers in their markets; staff all."
        ),
    ),
    create=extend_schema(
        request=RequestInputSerializer,
        responses={201: RequestOutputSerializer},
        description=_(
            "A buyer posts a request with its lines (or one line's fields at the top); it awaits the "
            "counsellor of the buyer's market (status pending)."
        ),
    ),
    partial_update=extend_schema(
        request=RequestInputSerializer,
        responses={200: RequestOutputSerializer, 409: OpenApiResponse(description="Closed or awarded.")},
        description=_(
            "The buyer (or staff) changes a pending, published or returned request; `lines` replaces "
            "the lines as a whole. A returned request goes back to the counsellor; a published one stays "
            "published."
        ),
    ),
)
class RequestViewSet(
    ServiceWriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = RequestOutputSerializer
    input_serializer_class = RequestInputSerializer
    filterset_class = RequestFilterSet
    filter_backends = [DjangoFilterBackend]  # RequestFilterSet orders
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = BuyingRequest.objects.none()  # the schema's model; get_queryset scopes per user

    def get_queryset(self):
        return visible_requests(self.request.user)

    def _context(self, requests) -> dict:
        context = self.get_serializer_context()
        context["revealed_request_ids"] = revealed_request_ids(self.request.user, [r.pk for r in requests])
        return context

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        data = RequestOutputSerializer(page, many=True, context=self._context(page)).data
        return self.get_paginated_response(data)

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        return Response(RequestOutputSerializer(obj, context=self._context([obj])).data)

    def service_output(self, obj, status_code: int = status.HTTP_200_OK) -> Response:
        obj = self.get_queryset().get(pk=obj.pk)
        return Response(RequestOutputSerializer(obj, context=self._context([obj])).data, status=status_code)

    def _run(self, call):
        try:
            return call()
        except DjangoValidationError as error:
            raise _as_api_errors(error) from None

    def create(self, request, *args, **kwargs):
        if not can_create_request(request.user):
            raise PermissionDenied(_("Only buyers post buying requests."))
        data = self.service_input(partial=False)
        buyer = data.pop("buyer", None)
        obj = self._run(lambda: services.request_create(actor=request.user, data=data, buyer=buyer))
        return self.service_output(obj, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        obj = self.get_object()
        if not can_edit_request(request.user, obj):  # 403 before any field is judged
            raise PermissionDenied(_("You may not change this request."))
        data = self.service_input(partial=True)
        if "buyer" in data:
            raise ValidationError({"buyer": [_("A request cannot move to another buyer.")]})
        obj = self._run(lambda: services.request_update(request=obj, actor=request.user, data=data))
        return self.service_output(obj)

    # --- Transitions: looked up among the caller's requests (404), the policy (403), then the
    # service rules on the note and the status (400, 409).

    def _transition(self, policy, input_serializer, service):
        obj = self.get_object()
        if not policy(self.request.user, obj):
            raise PermissionDenied()
        data = input_serializer(data=self.request.data)
        data.is_valid(raise_exception=True)
        obj = service(request=obj, actor=self.request.user, **data.validated_data)
        return self.service_output(obj)

    @_transition_schema(NoteInputSerializer, "Pending → published, with an optional note to the buyer.")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._transition(can_review_request, NoteInputSerializer, services.request_approve)

    @_transition_schema(ReturnInputSerializer, "Pending → returned to the buyer, with what to change.")
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_to_buyer(self, request, pk=None):
        return self._transition(can_review_request, ReturnInputSerializer, services.request_return)

    @_transition_schema(
        NoteInputSerializer, "Pending, published or returned → closed: by the buyer, its counsellor or staff."
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._transition(can_close_request, NoteInputSerializer, services.request_close)


# GET /api/v1/exports/requests.csv and .xlsx: the list's filters, as a file (portal.exports).
EXPORT_VIEWS = export_views(REQUESTS, model=BuyingRequest, list_name="buying requests")
