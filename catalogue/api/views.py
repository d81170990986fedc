"""API views of the catalogue, one section per resource."""

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly

from accounts import services as accounts_services
from accounts.api.views import ProfileViewSetMixin
from accounts.models import ProducerProfile, Role
from accounts.policies import can_edit_producer
from catalogue import services
from catalogue.api.serializers import ProducerInputSerializer, ProducerOutputSerializer
from catalogue.exports import PRODUCERS
from catalogue.filtersets import ProducerFilterSet, ProductFilterSet
from catalogue.policies import can_edit_product
from catalogue.selectors import catalogue_products, producers_for_listing
from portal.api.exports import export_views
from portal.api.viewsets import ServiceWriteMixin

from .serializers import ProductInputSerializer, ProductOutputSerializer

# --- Product ------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary=_("Search the catalogue"),
        description=_(
            "Full text over product, producer and HS descriptions in Persian and English, "
            "typo-tolerant, with the filters below; ordered by relevance when `search` is given."
        ),
    ),
    create=extend_schema(request=ProductInputSerializer, responses={201: ProductOutputSerializer}),
    partial_update=extend_schema(request=ProductInputSerializer, responses={200: ProductOutputSerializer}),
)
class ProductViewSet(
    ServiceWriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Anyone searches and reads listed products; their producer or staff write them."""

    serializer_class = ProductOutputSerializer
    input_serializer_class = ProductInputSerializer
    filterset_class = ProductFilterSet
    filter_backends = [DjangoFilterBackend]  # ProductFilterSet orders (relevance, capacity, date)
    permission_classes = [IsAuthenticatedOrReadOnly]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return catalogue_products(user=self.request.user)

    def create(self, request, *args, **kwargs):
        user = request.user
        data = self.service_input(partial=False)
        producer = data.pop("producer", None)
        if user.is_portal_staff:
            if producer is None:
                raise ValidationError({"producer": [_("Staff must say whose product this is.")]})
        elif user.is_producer:
            own = ProducerProfile.objects.filter(owner=user).first()
            if own is None:
                raise ValidationError({"producer": [_("Create your company profile first.")]})
            if producer is not None and producer != own:
                raise PermissionDenied()
            producer = own
        else:
            raise PermissionDenied()
        product = services.product_create(producer=producer, actor=user, data=data)
        return self.service_output(product, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        product = self.get_object()
        if not can_edit_product(request.user, product):  # 403 before any field is judged
            raise PermissionDenied()
        data = self.service_input(partial=True)
        if "producer" in data:
            raise ValidationError({"producer": [_("A product cannot move to another producer.")]})
        product = services.product_update(product=product, actor=request.user, data=data)
        return self.service_output(product)

    def perform_destroy(self, instance):
        services.product_delete(product=instance, actor=self.request.user)


# --- Producer -----------------------------------------------------------------
# The producer list is searched through the producers' listed products, so its filter set
# and this view live in the catalogue, above accounts; profiles are written by accounts'
# services as everywhere else.


@extend_schema_view(
    create=extend_schema(request=ProducerInputSerializer, responses={201: ProducerOutputSerializer}),
    partial_update=extend_schema(request=ProducerInputSerializer, responses={200: ProducerOutputSerializer}),
    me=extend_schema(request=ProducerInputSerializer, responses={200: ProducerOutputSerializer}),
)
class ProducerViewSet(
    ProfileViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Producers: anyone reads (contacts per the roles table); owner or staff write."""

    queryset = producers_for_listing()
    serializer_class = ProducerOutputSerializer
    filterset_class = ProducerFilterSet
    filter_backends = [DjangoFilterBackend]  # ProducerFilterSet orders
    permission_classes = [IsAuthenticatedOrReadOnly]
    role = Role.PRODUCER
    related_name = "producer_profile"
    input_serializer_class = ProducerInputSerializer
    create_service = staticmethod(accounts_services.producer_profile_create)
    update_service = staticmethod(accounts_services.producer_profile_update)
    edit_policy = staticmethod(can_edit_producer)

    def perform_destroy(self, instance):
        accounts_services.producer_profile_delete(profile=instance, actor=self.request.user)

    @action(detail=False, methods=["get", "patch"], permission_classes=[IsAuthenticated])
    def me(self, request):
        return super().me(request)


# GET /api/v1/exports/producers.csv and .xlsx: the list's filters, as a file (portal.exports).
EXPORT_VIEWS = export_views(PRODUCERS, model=ProducerProfile, list_name="producers")
