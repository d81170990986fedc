from django.urls import path

from portal.api.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("matches", views.MatchViewSet, basename="match")

urlpatterns = [
    path("introductions/", views.IntroductionView.as_view(), name="introduction-create"),
    *router.urls,
]
