from portal.api.exports import export_urls
from portal.api.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("products", views.ProductViewSet, basename="product")
# Producers here, not in accounts: their list is searched through their listed products.
router.register("producers", views.ProducerViewSet, basename="producer")

urlpatterns = [*export_urls(views.EXPORT_VIEWS), *router.urls]
