from django.urls import path

from portal.api.exports import export_urls
from portal.api.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("matches", views.MatchViewSet, basename="match")

urlpatterns = [
    path("introductions/", views.IntroductionView.as_view(), name="introduction-create"),
    # Under the buying requests' prefix (their list and detail are sourcing's): the path is
    # longer than theirs, so both resolve whichever app's URLs come first.
    path("requests/<int:pk>/interest/", views.InterestView.as_view(), name="request-interest"),
    *export_urls(views.EXPORT_VIEWS),
    *router.urls,
]
