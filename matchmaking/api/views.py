"""Matches over the API: list and detail scoped by role, the lifecycle's transitions, the
buyer's introduction requests, and the staff's rematch."""

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from matchmaking import interest, lifecycle, outcomes, sweeps, tasks
from matchmaking.exports import MATCHES
from matchmaking.filtersets import MatchFilterSet
from matchmaking.models import Match
from matchmaking.policies import matches_visible_to
from matchmaking.reasons import sector_codes, sector_names
from matchmaking.selectors import matches_for_api
from portal import outbox
from portal.api.exports import export_views
from portal.api.permissions import IsPortalStaff
from sourcing.models import BuyingRequest

from .permissions import (
    MayConfirmOutcome,
    MayExpressInterest,
    MayGiveOutcome,
    MayReassignMatch,
    MayRequestIntroduction,
    MayRespondToMatch,
    MayReviewMatch,
)
from .serializers import (
    ConfirmOutcomeInputSerializer,
    ForwardInputSerializer,
    InterestInputSerializer,
    InterestReceiptSerializer,
    IntroductionInputSerializer,
    MatchOutputSerializer,
    OutcomeInputSerializer,
    ReassignInputSerializer,
    RejectInputSerializer,
    RematchInputSerializer,
    RematchOutputSerializer,
    RespondInputSerializer,
    SweepRunningSerializer,
)


def _transition_schema(request, description: str):
    return extend_schema(
        request=request,
        responses={
            200: MatchOutputSerializer,
            400: OpenApiResponse(description="Field errors."),
            403: OpenApiResponse(description="The caller sees the match but may not do this."),
            404: OpenApiResponse(description="No such match, or not visible to the caller."),
            409: OpenApiResponse(description="Not possible in the match's current status."),
        },
        filters=False,
        description=description,
    )


def match_response(match: Match, request, status_code=status.HTTP_200_OK) -> Response:
    """The match as the caller sees it now, reasons in the request's language."""
    match = matches_for_api().get(pk=match.pk)
    context = {"request": request, "sector_names": sector_names(sector_codes([match.breakdown]))}
    return Response(MatchOutputSerializer(match, context=context).data, status=status_code)


class MatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Producers and buyers see their own matches once forwarded; counsellors those routed
    to them and the unassigned pool; staff all. Reasons come in the request's language."""

    serializer_class = MatchOutputSerializer
    filterset_class = MatchFilterSet
    filter_backends = [DjangoFilterBackend]  # MatchFilterSet orders
    permission_classes = [IsAuthenticated]
    queryset = Match.objects.none()  # the schema's model; get_queryset scopes per user

    def get_queryset(self):
        return matches_visible_to(self.request.user, matches_for_api())

    def _with_sector_names(self, matches) -> dict:
        context = self.get_serializer_context()
        context["sector_names"] = sector_names(sector_codes(match.breakdown for match in matches))
        return context

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        serializer = MatchOutputSerializer(page, many=True, context=self._with_sector_names(page))
        return self.get_paginated_response(serializer.data)

    def retrieve(self, request, *args, **kwargs):
        match = self.get_object()
        return Response(MatchOutputSerializer(match, context=self._with_sector_names([match])).data)

    @extend_schema(
        request=RematchInputSerializer,
        responses={
            202: RematchOutputSerializer,
            400: OpenApiResponse(description="An unknown producer or buyer."),
            409: OpenApiResponse(
                SweepRunningSerializer,
                description="A sweep (`{}`) was asked for while another one runs: nothing is started.",
            ),
            503: OpenApiResponse(description="Neither the broker nor the database took the task."),
        },
        filters=False,
    )
    @action(detail=False, methods=["post"], permission_classes=[IsPortalStaff])
    def rematch(self, request):
        """Rematch everything (the sweep, in chunks), one producer or one buyer, in the background.

        With the broker down the request is still accepted: the task waits in the outbox and
        runs under the same `task_id` once the broker is back (`"queued": false` and a `detail`
        say so). A sweep asked for while another one runs answers 409 with when that one
        started; nothing is queued."""
        data = RematchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if producer := data.validated_data.get("producer"):
            sent = outbox.send(tasks.rematch_producer_task, [producer.pk])
        elif buyer := data.validated_data.get("buyer"):
            sent = outbox.send(tasks.rematch_buyer_task, [buyer.pk])
        elif (current := sweeps.running()) is not None:
            return self._sweep_running(current)
        else:
            sent = outbox.send(tasks.sweep_all)
        if sent.queued:
            return Response({"task_id": sent.task_id}, status=status.HTTP_202_ACCEPTED)
        if sent.recorded:
            detail = _(
                "The task queue is unavailable; the rematch is recorded and will start when it is back."
            )
            return Response(
                {"task_id": sent.task_id, "queued": False, "detail": detail}, status=status.HTTP_202_ACCEPTED
            )
        detail = _("The rematch could not be started; try again in a few minutes.")
        return Response(
            {"detail": detail}, status=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "60"}
        )

    @staticmethod
    def _sweep_running(current: sweeps.RunningSweep) -> Response:
        detail = _(
            "A matching sweep is already running (started %(started)s); no other one was started. "
            "Try again once it has finished."
        ) % {"started": current.started_at.isoformat(timespec="seconds")}
        body = {"detail": detail, "sweep": current.sweep_id, "started_at": current.started_at}
        return Response(
            SweepRunningSerializer(body).data,
            status=status.HTTP_409_CONFLICT,
            headers={"Retry-After": str(sweeps.lease_seconds())},
        )

    # --- Transitions: the object is looked up among the caller's visible matches (404
    # otherwise), the action's policy answers 403, then lifecycle rules on input and state.

    def _transition(self, input_serializer, service):
        match = self.get_object()
        data = input_serializer(data=self.request.data, context={"request": self.request})
        data.is_valid(raise_exception=True)
        match = service(match=match, actor=self.request.user, **data.validated_data)
        return match_response(match, self.request)

    @_transition_schema(
        ForwardInputSerializer, "Proposed → forwarded: both parties see the match and each other's contacts."
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, MayReviewMatch])
    def forward(self, request, pk=None):
        return self._transition(ForwardInputSerializer, lifecycle.match_forward)

    @_transition_schema(RejectInputSerializer, "Proposed → rejected, with the reason.")
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, MayReviewMatch])
    def reject(self, request, pk=None):
        return self._transition(RejectInputSerializer, lifecycle.match_reject)

    @_transition_schema(
        RespondInputSerializer,
        "The producer or the buyer accepts or declines a forwarded match; both accepted: connected.",
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, MayRespondToMatch])
    def respond(self, request, pk=None):
        return self._transition(RespondInputSerializer, lifecycle.match_respond)

    @_transition_schema(
        OutcomeInputSerializer,
        "Forwarded or connected → won (with the deal's value and currency) or lost (with the reason), "
        "or a correction of a won or lost match (kept in `events`). The counsellor in scope and staff "
        "record it, confirmed at once; the producer or the buyer declare it, and it stays "
        '`"confirmed": false` until the other company confirms it (`outcome/confirm/`) or declares the '
        "same deal. A company corrects what the companies declared (its correction then awaits the "
        "other's confirmation), never what the counsellor recorded (409).",
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, MayGiveOutcome])
    def outcome(self, request, pk=None):
        return self._transition(OutcomeInputSerializer, outcomes.match_record_outcome)

    @_transition_schema(
        ConfirmOutcomeInputSerializer,
        "The other company confirms the outcome a company declared; the declarer cannot (409), nor "
        "can anyone confirm an outcome already confirmed (409).",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="outcome/confirm",
        url_name="outcome-confirm",
        permission_classes=[IsAuthenticated, MayConfirmOutcome],
    )
    def confirm_outcome(self, request, pk=None):
        return self._transition(ConfirmOutcomeInputSerializer, outcomes.match_confirm_outcome)

    @_transition_schema(ReassignInputSerializer, "Hand the match to another counsellor; the status stays.")
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, MayReassignMatch])
    def reassign(self, request, pk=None):
        return self._transition(ReassignInputSerializer, lifecycle.match_reassign)


class IntroductionView(APIView):
    """A buyer asks to be introduced to a producer: a proposed match (source `buyer_request`)
    that goes first in the counsellor's queue."""

    permission_classes = [IsAuthenticated, MayRequestIntroduction]

    @extend_schema(
        request=IntroductionInputSerializer,
        responses={
            201: MatchOutputSerializer,
            400: OpenApiResponse(description="An unknown or unlisted product, or no producer named."),
            403: OpenApiResponse(description="Not a buyer."),
            409: OpenApiResponse(description="The pair's match is already forwarded or further."),
            429: OpenApiResponse(description="Too many introduction requests (pages and API together)."),
        },
        description=(
            "201 with the request as the buyer sees it until a counsellor forwards it: the pair, the "
            "product and message of this request, the score on today's data, status proposed; no "
            "counsellor and no log. The answer is the same whether the pair is new, was proposed by "
            "the engine, was closed before, or the request is still waiting (asking again adds nothing)."
        ),
    )
    def post(self, request):
        data = IntroductionInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        match = lifecycle.request_introduction(actor=request.user, **data.validated_data)
        context = {"request": request, "sector_names": sector_names(sector_codes([match.receipt.breakdown]))}
        return Response(
            MatchOutputSerializer(match.receipt, context=context).data, status=status.HTTP_201_CREATED
        )


class InterestView(APIView):
    """A producer answers a published buying request with one of its products and a message:
    a proposed match (source `producer_interest`, `request` set) in the counsellor's queue."""

    permission_classes = [IsAuthenticated, MayExpressInterest]

    @extend_schema(
        request=InterestInputSerializer,
        responses={
            201: InterestReceiptSerializer,
            400: OpenApiResponse(description="An unknown product, or one that is not your own listed one."),
            403: OpenApiResponse(description="Not a producer."),
            404: OpenApiResponse(description="No such request, or it is not published."),
            409: OpenApiResponse(
                description="Your interest in the request already waits, or its match moved on."
            ),
        },
        description=(
            "201 with the match as the producer sees it until a counsellor forwards it: the request, "
            "the line the product answers, the product, the message and the score on today's data, "
            "status proposed; the buyer withheld (null), no counsellor and no log."
        ),
    )
    def post(self, request, pk: int):
        if not interest.requests_open_to(request.user).filter(pk=pk).exists():
            raise NotFound(_("No such buying request."))
        data = InterestInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        try:
            match = interest.express_interest(request=pk, actor=request.user, **data.validated_data)
        except BuyingRequest.DoesNotExist:
            raise NotFound(_("No such buying request.")) from None
        context = {"request": request, "sector_names": sector_names(sector_codes([match.breakdown]))}
        return Response(
            InterestReceiptSerializer(interest.receipt(match), context=context).data,
            status=status.HTTP_201_CREATED,
        )


# GET /api/v1/exports/matches.csv and .xlsx: the list's filters, as a file (portal.exports).
EXPORT_VIEWS = export_views(MATCHES, model=Match, list_name="matches")
