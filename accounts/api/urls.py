from django.urls import path

from portal.api.exports import export_urls
from portal.api.routers import SimpleRouter

from . import verifications, views

router = SimpleRouter()
router.register("users", views.UserViewSet, basename="user")
router.register("buyers", views.BuyerViewSet, basename="buyer")
router.register("verifications", verifications.VerificationViewSet, basename="verification")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("companies/<int:company_id>/members/", views.CompanyMembersView.as_view(), name="company-members"),
    path(
        "companies/<int:company_id>/members/<int:user_id>/",
        views.CompanyMemberView.as_view(),
        name="company-member",
    ),
    path(
        "companies/<int:company_id>/invitations/<int:invitation_id>/",
        views.CompanyInvitationView.as_view(),
        name="company-invitation",
    ),
    *export_urls(views.EXPORT_VIEWS),
    *router.urls,
]
