from portal.api.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("requests", views.RequestViewSet, basename="request")

urlpatterns = router.urls
