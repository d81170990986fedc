"""Users and buyers over the API, and the profile endpoints both roles share (`ProfileViewSetMixin`;
the producers' viewset is `catalogue.api.views.ProducerViewSet`, whose list filter searches their
products): thin views over services, selectors and policies."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, Throttled
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import lockout, services, teams
from accounts.companies import buyer_of, producer_of
from accounts.exports import BUYERS
from accounts.filtersets import BuyerFilterSet
from accounts.models import BuyerProfile, Company, Invitation, Role, User
from accounts.policies import (
    buyers_visible_to,
    can_edit_buyer,
    can_list_buyers,
    can_manage_company,
    can_view_team,
)
from accounts.selectors import buyers_for_listing
from portal.api.exports import export_views
from portal.api.permissions import IsPortalStaff
from portal.api.throttling import ScopedRateThrottle
from portal.api.viewsets import ServiceWriteMixin

from .serializers import (
    BuyerInputSerializer,
    BuyerOutputSerializer,
    InvitationSerializer,
    InviteInputSerializer,
    TeamSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
    UserInputSerializer,
    UserOutputSerializer,
)


class TokenView(APIView):
    """Exchange an email and password for an API token (integrations), or sign out of the API."""

    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    def get_authenticators(self):
        # Asking for a token takes credentials only (a stale token header must not stand in
        # the way); revoking one is done by its holder, signed in as usual.
        request = getattr(self, "request", None)
        if request is not None and request.method == "DELETE":
            return super().get_authenticators()
        return []

    def get_permissions(self):
        request = getattr(self, "request", None)
        if request is not None and request.method == "DELETE":
            return [IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            400: OpenApiResponse(
                description="Wrong or missing credentials or two-factor code, or an email address "
                "not yet confirmed."
            ),
            403: OpenApiResponse(description="A staff account without two-factor sign-in set up."),
            429: OpenApiResponse(description="Too many requests, or too many failed sign-ins (locked out)."),
        },
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            token = services.token_for_credentials(request=request, **data.validated_data)
        except ValidationError:
            # django-axes marks the request once this email and address are locked out.
            if getattr(request, "axes_locked_out", False):
                locked_out = Throttled(detail=lockout.lockout_message())
                locked_out.wait = lockout.cool_off_seconds() or None  # Retry-After
                raise locked_out from None
            raise
        body = {"token": token.key, "expires_at": services.token_expires_at(token)}
        return Response(TokenResponseSerializer(body).data, status=status.HTTP_200_OK)

    @extend_schema(
        request=None,
        responses={
            204: OpenApiResponse(description="Signed out of the API: the caller's token no longer works.")
        },
    )
    def delete(self, request):
        """Sign out of the API: the caller's token stops working at once (also when called with
        a session: the account's token is revoked). A new one comes from POST on this path."""
        services.token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Staff make accounts of any role, verified at once."""

    permission_classes = [IsPortalStaff]
    serializer_class = UserInputSerializer

    @extend_schema(request=UserInputSerializer, responses={201: UserOutputSerializer})
    def create(self, request, *args, **kwargs):
        data = UserInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_create(**data.validated_data, verified=True)
        return Response(UserOutputSerializer(user).data, status=status.HTTP_201_CREATED)


class ProfileViewSetMixin(ServiceWriteMixin):
    """Create, partial update and `me` for a profile owned by a user of one role."""

    role: str
    create_service: staticmethod
    update_service: staticmethod
    edit_policy: staticmethod
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def create(self, request, *args, **kwargs):
        user = request.user
        if not (user.is_portal_staff or user.role == self.role):
            raise PermissionDenied()
        data = self.service_input(partial=False)
        owner = data.pop("owner", None)
        profile = self.create_service(actor=user, owner=owner, data=data)
        return self.service_output(profile, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        profile = self.get_object()
        # Who may not edit the profile hears so before its fields are read (403, not a 400
        # that would say what the fields name).
        if not self.edit_policy(request.user, profile):
            raise PermissionDenied()
        data = self.service_input(partial=True)
        profile = self.update_service(profile=profile, actor=request.user, data=data)
        return self.service_output(profile)

    def _my_profile(self, request):
        # A member's profile is their company's (accounts.companies), owned or joined.
        profile_of = producer_of if self.role == Role.PRODUCER else buyer_of
        profile = profile_of(request.user) if request.user.role == self.role else None
        if profile is None:
            raise NotFound()
        return profile

    def me(self, request):
        profile = self._my_profile(request)
        if request.method == "PATCH":
            data = self.service_input(partial=True)
            profile = self.update_service(profile=profile, actor=request.user, data=data)
        return self.service_output(profile)


@extend_schema_view(
    create=extend_schema(request=BuyerInputSerializer, responses={201: BuyerOutputSerializer}),
    partial_update=extend_schema(request=BuyerInputSerializer, responses={200: BuyerOutputSerializer}),
    me=extend_schema(request=BuyerInputSerializer, responses={200: BuyerOutputSerializer}),
)
class BuyerViewSet(
    ProfileViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Buyers: counsellors and staff list them; the owner, counsellors and staff read one."""

    serializer_class = BuyerOutputSerializer
    filterset_class = BuyerFilterSet
    permission_classes = [IsAuthenticated]
    ordering_fields = ["company_name", "created_at"]
    ordering = ["company_name", "id"]
    role = Role.BUYER
    input_serializer_class = BuyerInputSerializer
    create_service = staticmethod(services.buyer_profile_create)
    update_service = staticmethod(services.buyer_profile_update)
    edit_policy = staticmethod(can_edit_buyer)

    def get_queryset(self):
        return buyers_visible_to(self.request.user, buyers_for_listing())

    def list(self, request, *args, **kwargs):
        if not can_list_buyers(request.user):
            raise PermissionDenied()
        return super().list(request, *args, **kwargs)

    @action(detail=False, methods=["get", "patch"])
    def me(self, request):
        return super().me(request)


# --- A company's members ------------------------------------------------------------------


class CompanyTeamMixin:
    """The company of the path, to whom may see its team (its members and staff); a 404 for
    anyone else, so a company's existence is not confirmed to outsiders. Changing the team
    (inviting, removing) is its owner's and staff's: a member who may only read hears 403."""

    permission_classes = [IsAuthenticated]

    def company(self, company_id: int) -> Company:
        company = Company.objects.filter(pk=company_id).first()
        if not can_view_team(self.request.user, company):
            raise NotFound()
        return company

    def managed_company(self, company_id: int) -> Company:
        company = self.company(company_id)
        if not can_manage_company(self.request.user, company):
            raise PermissionDenied()
        return company


class CompanyMembersView(CompanyTeamMixin, APIView):
    """A company's members and pending invitations; its owner and staff invite by email."""

    @extend_schema(responses={200: TeamSerializer})
    def get(self, request, company_id: int):
        company = self.company(company_id)
        body = {
            "company": company.pk,
            "members": list(teams.members_of(company)),
            "invitations": list(teams.pending_invitations(company)),
        }
        return Response(TeamSerializer(body).data)

    @extend_schema(
        request=InviteInputSerializer,
        responses={
            201: InvitationSerializer,
            400: OpenApiResponse(description="Not an address one may invite, or not as an editor."),
            429: OpenApiResponse(description="Too many invitations for now."),
        },
    )
    def post(self, request, company_id: int):
        company = self.managed_company(company_id)
        data = InviteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation, _token = teams.invite(company=company, actor=request.user, **data.validated_data)
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class CompanyMemberView(CompanyTeamMixin, APIView):
    """Remove a member (not the owner): its owner and staff. The member keeps their account."""

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Removed.")})
    def delete(self, request, company_id: int, user_id: int):
        company = self.managed_company(company_id)
        member = User.objects.filter(pk=user_id, company=company).first()
        if member is None:
            raise NotFound()
        teams.remove_member(company=company, member=member, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CompanyInvitationView(CompanyTeamMixin, APIView):
    """Withdraw a pending invitation: its link stops working."""

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Revoked.")})
    def delete(self, request, company_id: int, invitation_id: int):
        company = self.managed_company(company_id)
        invitation = Invitation.objects.filter(pk=invitation_id, company=company).first()
        if invitation is None:
            raise NotFound()
        teams.revoke_invitation(invitation=invitation, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# GET /api/v1/exports/buyers.csv and .xlsx: the list's filters, as a file (portal.exports).
EXPORT_VIEWS = export_views(BUYERS, model=BuyerProfile, list_name="buyers")
