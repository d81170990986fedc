"""Matches over the API: list and detail scoped by role, and the staff's rematch."""

from django.utils import translation
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from matchmaking import tasks
from matchmaking.models import Match
from matchmaking.policies import matches_visible_to
from matchmaking.reasons import sector_codes, sector_names
from matchmaking.selectors import matches_for_api
from portal.api.permissions import IsPortalStaff
from portal.middleware import language_for_request

from .filters import MatchFilter
from .serializers import MatchOutputSerializer, RematchInputSerializer, RematchOutputSerializer


class MatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Producers and buyers see their own matches once forwarded; counsellors those routed
    to them and the unassigned pool; staff all. Reasons come in the request's language."""

    serializer_class = MatchOutputSerializer
    filterset_class = MatchFilter
    filter_backends = [DjangoFilterBackend]  # MatchFilter orders
    permission_classes = [IsAuthenticated]
    queryset = Match.objects.none()  # the schema's model; get_queryset scopes per user

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # The language middleware ran before DRF authenticated a token: now that the user is
        # known, their preferred language applies where no cookie chose one.
        translation.activate(language_for_request(request))

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
        },
        filters=False,
    )
    @action(detail=False, methods=["post"], permission_classes=[IsPortalStaff])
    def rematch(self, request):
        """Rematch everything (the sweep, in chunks), one producer or one buyer, in the background."""
        data = RematchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if producer := data.validated_data.get("producer"):
            result = tasks.rematch_producer_task.delay(producer.pk)
        elif buyer := data.validated_data.get("buyer"):
            result = tasks.rematch_buyer_task.delay(buyer.pk)
        else:
            result = tasks.sweep_all.delay()
        return Response({"task_id": result.id}, status=status.HTTP_202_ACCEPTED)
