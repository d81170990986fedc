from portal.api.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("counsellors", views.CounsellorViewSet, basename="counsellor")
router.register("briefs", views.BriefViewSet, basename="brief")

urlpatterns = router.urls
