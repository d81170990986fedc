from portal.api.exports import export_urls
from portal.api.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("requests", views.RequestViewSet, basename="request")

urlpatterns = [*export_urls(views.EXPORT_VIEWS), *router.urls]
