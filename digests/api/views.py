"""The signed-in user's digest preferences over the API: a thin view over digests.services."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from digests import services

from .serializers import DigestPreferenceInputSerializer, DigestPreferenceOutputSerializer


class DigestPreferenceView(APIView):
    """How often the signed-in user gets an email digest (daily, weekly or off) and in which
    language. Without a saved choice: the role's default (producers and buyers weekly,
    counsellors and staff daily) in the user's preferred language."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: DigestPreferenceOutputSerializer})
    def get(self, request):
        return Response(DigestPreferenceOutputSerializer(services.preference_for(request.user)).data)

    @extend_schema(
        request=DigestPreferenceInputSerializer,
        responses={200: DigestPreferenceOutputSerializer, 400: OpenApiResponse(description="Field errors.")},
    )
    def put(self, request):
        data = DigestPreferenceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        current = services.preference_for(request.user)
        preference = services.preference_update(
            user=request.user,
            frequency=data.validated_data.get("frequency", current.frequency),
            language=data.validated_data.get("language", current.language),
        )
        return Response(DigestPreferenceOutputSerializer(preference).data)
