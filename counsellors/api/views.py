"""Counsellor profiles and market briefs over the API: thin views over counsellors.services,
counsellors.briefs and the policies."""

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission

from counsellors import briefs, services
from counsellors.filtersets import BriefFilterSet, CounsellorFilterSet
from counsellors.models import CounsellorProfile
from counsellors.policies import can_edit_counsellor_profile, can_manage_counsellors
from portal.api.viewsets import ServiceWriteMixin

from .serializers import (
    BriefInputSerializer,
    BriefOutputSerializer,
    CounsellorInputSerializer,
    CounsellorOutputSerializer,
)

# --- Counsellor profiles ---------------------------------------------------------------


class ReadOrManageCounsellors(BasePermission):
    """Anyone reads; staff create and change; a counsellor changes their own (the service says
    which fields)."""

    message = _("Only staff manage counsellor profiles.")

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS or can_manage_counsellors(request.user):
            return True
        user = request.user
        return request.method == "PATCH" and bool(user and user.is_authenticated and user.is_counsellor)

    def has_object_permission(self, request, view, obj) -> bool:
        return request.method in SAFE_METHODS or can_edit_counsellor_profile(request.user, obj)


@extend_schema_view(
    create=extend_schema(
        request=CounsellorInputSerializer,
        responses={201: CounsellorOutputSerializer, 400: OpenApiResponse(description="Field errors.")},
    ),
    partial_update=extend_schema(
        request=CounsellorInputSerializer,
        responses={200: CounsellorOutputSerializer, 400: OpenApiResponse(description="Field errors.")},
    ),
)
class CounsellorViewSet(
    ServiceWriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The trade counsellors' desks: where each is posted, what they cover. Contacts for
    callers who are signed in; staff post counsellors and change their coverage."""

    serializer_class = CounsellorOutputSerializer
    input_serializer_class = CounsellorInputSerializer
    filterset_class = CounsellorFilterSet
    filter_backends = [DjangoFilterBackend]
    permission_classes = [ReadOrManageCounsellors]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        queryset = CounsellorProfile.objects.select_related("user").prefetch_related("sectors")
        if not can_manage_counsellors(self.request.user):
            queryset = queryset.filter(user__is_active=True)  # a closed account is no desk
        return queryset.order_by("posted_country", "id")

    def create(self, request, *args, **kwargs):
        data = self.service_input(partial=False)
        user = data.pop("user")
        profile = services.counsellor_profile_create(actor=request.user, user=user, data=data)
        return self.service_output(profile, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        profile = self.get_object()
        data = self.service_input(partial=True)
        if data.pop("user", profile.user) != profile.user:
            raise ValidationError({"user": [_("A profile cannot move to another user.")]})
        profile = services.counsellor_profile_update(profile=profile, actor=request.user, data=data)
        return self.service_output(profile)


# --- Market briefs ------------------------------------------------------------------------


class BriefPermission(BasePermission):
    """Anyone signed in reads; counsellors and staff write; the author or staff change."""

    message = _("You may not change this brief.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method == "POST":
            self.message = _("Only trade counsellors publish market briefs.")
            return briefs.can_write_briefs(user)
        return True

    def has_object_permission(self, request, view, obj) -> bool:
        return request.method in SAFE_METHODS or briefs.can_edit_brief(request.user, obj)


@extend_schema_view(
    create=extend_schema(
        request=BriefInputSerializer,
        responses={201: BriefOutputSerializer, 400: OpenApiResponse(description="Field errors.")},
    ),
    partial_update=extend_schema(
        request=BriefInputSerializer,
        responses={200: BriefOutputSerializer, 400: OpenApiResponse(description="Field errors.")},
    ),
)
class BriefViewSet(
    ServiceWriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Market briefs, newest first: counsellors' notes on their markets in Markdown, with the
    sanitised HTML to show."""

    serializer_class = BriefOutputSerializer
    input_serializer_class = BriefInputSerializer
    filterset_class = BriefFilterSet
    filter_backends = [DjangoFilterBackend]
    permission_classes = [BriefPermission]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return briefs.briefs_for_reader(self.request.user)

    def create(self, request, *args, **kwargs):
        brief = briefs.brief_create(author=request.user, data=self.service_input(partial=False))
        return self.service_output(brief, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        brief = self.get_object()
        brief = briefs.brief_update(brief=brief, actor=request.user, data=self.service_input(partial=True))
        return self.service_output(brief)

    def perform_destroy(self, instance):
        briefs.brief_delete(brief=instance, actor=self.request.user)
