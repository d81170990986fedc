"""Quotes over the API (docs/api.md "Buying requests, quotes and messages").

A match's quotes (`/matches/{id}/quotes/`), one quote and the buyer's and producer's
transitions (`/quotes/{id}/...`), and a buying request's quotes to compare (`/requests/{id}/quotes/`).
What the caller may not see is a 404 (deals.policies); who sees it but may not act, a 403; an
illegal transition a 409 (the services' StateConflict).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from deals import quote_selectors, quotes
from deals.models import Quote
from deals.policies import can_decide_quote, can_quote, can_withdraw_quote
from deals.quote_filtersets import QuoteFilterSet
from matchmaking.models import Match
from portal.api.parsers import JSONParser
from sourcing.models import BuyingRequest

from .quote_serializers import (
    QuoteDecisionInputSerializer,
    QuoteFilesInputSerializer,
    QuoteInputSerializer,
    QuoteOutputSerializer,
)

_CONFLICT = OpenApiResponse(description="Not possible in the quote's (or its match's or request's) status.")


def _quote_response(quote: Quote, request, status_code=status.HTTP_200_OK) -> Response:
    """The quote as the caller reads it now."""
    quote = quote_selectors.visible_quotes(request.user).get(pk=quote.pk)
    return Response(QuoteOutputSerializer(quote, context={"request": request}).data, status=status_code)


class MatchQuoteList(mixins.ListModelMixin, generics.GenericAPIView):
    """The quotes of a match: its producer, its buyer, its counsellor and staff read them once
    the match is forwarded; its producer sends them while it is forwarded or connected."""

    serializer_class = QuoteOutputSerializer
    filterset_class = QuoteFilterSet
    filter_backends = [DjangoFilterBackend]
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    queryset = Quote.objects.none()  # the schema's model; get_queryset scopes per user

    def match(self) -> Match:
        try:
            return quote_selectors.match_for_quotes(self.request.user, self.kwargs["match_id"])
        except Match.DoesNotExist:
            raise Http404 from None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Quote.objects.none()
        return quote_selectors.quotes_of_match(self.request.user, self.match())

    @extend_schema(description="The match's quotes, newest first (`ordering` to sort otherwise).")
    def get(self, request, match_id: int):
        return self.list(request)

    @extend_schema(
        request={
            "application/json": QuoteInputSerializer,
            "application/x-www-form-urlencoded": QuoteInputSerializer,
            "multipart/form-data": QuoteFilesInputSerializer,
        },
        responses={
            201: QuoteOutputSerializer,
            403: OpenApiResponse(description="Not the match's producer."),
            404: OpenApiResponse(description="No such match, or its quotes are not visible to the caller."),
            409: OpenApiResponse(
                description="The match is not forwarded or connected, or its buying request is no longer published."
            ),
        },
        filters=False,
        description=(
            "The match's producer sends a quote (as multipart, with up to 5 `files`: each judged by "
            "its content, a refused one is a 400 and nothing is kept); the buyer is emailed."
        ),
    )
    def post(self, request, match_id: int):
        match = self.match()
        if not can_quote(request.user, match):
            raise PermissionDenied(_("Only the producer of this match sends it quotes."))
        data = QuoteFilesInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        files = values.pop("files", None) or []
        quote = quotes.quote_create(match=match, actor=request.user, data=values, files=files)
        return _quote_response(quote, request, status.HTTP_201_CREATED)


class RequestQuoteList(mixins.ListModelMixin, generics.GenericAPIView):
    """All the quotes of a buying request side by side, cheapest total first: for its buyer,
    staff, and a counsellor holding its matches (the quotes of those matches)."""

    serializer_class = QuoteOutputSerializer
    filterset_class = QuoteFilterSet
    filter_backends = [DjangoFilterBackend]
    permission_classes = [IsAuthenticated]
    queryset = Quote.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Quote.objects.none()
        try:
            buying_request = quote_selectors.request_for_comparison(
                self.request.user, self.kwargs["request_id"]
            )
        except BuyingRequest.DoesNotExist:
            raise Http404 from None
        return quote_selectors.quotes_of_request(self.request.user, buying_request)

    @extend_schema(description="The request's quotes, cheapest total first (`ordering` to sort otherwise).")
    def get(self, request, request_id: int):
        return self.list(request)


class _QuotePolicy(BasePermission):
    policy = staticmethod(lambda user, quote: False)

    def has_object_permission(self, request, view, obj) -> bool:
        return self.policy(request.user, obj)


class MayDecideQuote(_QuotePolicy):
    message = gettext_lazy("Only the buyer decides on this quote.")
    policy = staticmethod(can_decide_quote)


class MayWithdrawQuote(_QuotePolicy):
    message = gettext_lazy("Only the producer who sent this quote withdraws it.")
    policy = staticmethod(can_withdraw_quote)


def _transition_schema(description: str, *, with_note: bool = True):
    return extend_schema(
        request=QuoteDecisionInputSerializer if with_note else None,
        responses={
            200: QuoteOutputSerializer,
            403: OpenApiResponse(description="The caller sees the quote but may not do this."),
            404: OpenApiResponse(description="No such quote, or not visible to the caller."),
            409: _CONFLICT,
        },
        filters=False,
        description=description,
    )


class QuoteViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One quote, and its transitions: the buyer accepts or declines it, the producer withdraws it."""

    serializer_class = QuoteOutputSerializer
    permission_classes = [IsAuthenticated]
    queryset = Quote.objects.none()

    def get_queryset(self):
        return quote_selectors.visible_quotes(self.request.user)

    @_transition_schema(
        "Open → accepted, by the buyer, while the quote is valid and its match forwarded or "
        "connected. A quote for a buying request awards the request (409 unless it is published) "
        "and declines its other open quotes; the producers are emailed."
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, MayDecideQuote])
    def accept(self, request, pk=None):
        quote = self.get_object()
        data = QuoteDecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        quote = quotes.quote_accept(quote=quote, actor=request.user, note=data.validated_data.get("note", ""))
        return _quote_response(quote, request)

    @_transition_schema("Open → declined, by the buyer, with an optional note; the producer is emailed.")
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, MayDecideQuote])
    def decline(self, request, pk=None):
        quote = self.get_object()
        data = QuoteDecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        quote = quotes.quote_decline(
            quote=quote, actor=request.user, note=data.validated_data.get("note", "")
        )
        return _quote_response(quote, request)

    @_transition_schema("Open → withdrawn, by the producer who sent it.", with_note=False)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, MayWithdrawQuote])
    def withdraw(self, request, pk=None):
        quote = quotes.quote_withdraw(quote=self.get_object(), actor=request.user)
        return _quote_response(quote, request)
