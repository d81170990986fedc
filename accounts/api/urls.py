from django.urls import path

from portal.api.routers import SimpleRouter

from . import verifications, views

router = SimpleRouter()
router.register("users", views.UserViewSet, basename="user")
router.register("buyers", views.BuyerViewSet, basename="buyer")
router.register("verifications", verifications.VerificationViewSet, basename="verification")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    *router.urls,
]
