from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("matches", views.MatchViewSet, basename="match")

urlpatterns = router.urls
