from django.urls import path

from portal.api.exports import export_urls
from portal.api.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("users", views.UserViewSet, basename="user")
router.register("buyers", views.BuyerViewSet, basename="buyer")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    *export_urls(views.EXPORT_VIEWS),
    *router.urls,
]
