from django.urls import path

from portal.api.exports import export_urls
from portal.api.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("products", views.ProductViewSet, basename="product")
# Producers here, not in accounts: their list is searched through their listed products.
router.register("producers", views.ProducerViewSet, basename="producer")

urlpatterns = [
    path("products/<int:pk>/images/", views.ProductImagesView.as_view(), name="product-images"),
    path("products/<int:pk>/images/<int:image_id>/", views.ProductImageView.as_view(), name="product-image"),
    path("producers/<int:pk>/logo/", views.ProducerLogoView.as_view(), name="producer-logo"),
    *export_urls(views.EXPORT_VIEWS),
    *router.urls,
]
