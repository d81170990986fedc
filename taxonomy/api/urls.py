from portal.api.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("sectors", views.SectorViewSet, basename="sector")

urlpatterns = router.urls
