from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.services import token_for_credentials

from .serializers import TokenRequestSerializer, TokenResponseSerializer


class TokenView(APIView):
    """Exchange an email and password for an API token (integrations)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenResponseSerializer})
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token = token_for_credentials(request=request, **data.validated_data)
        return Response({"token": token.key}, status=status.HTTP_200_OK)
