"""Who may see and change what in the catalogue: one place for API, pages and emails."""

from django.db.models import Q, QuerySet

from accounts.companies import acts_for, company_q

from .models import Product


def can_edit_product(user, product: Product) -> bool:
    if not user or not user.is_authenticated:
        return False
    if user.is_portal_staff:
        return True
    return user.is_producer and acts_for(user, product.producer)


def products_visible_to(user, queryset: QuerySet[Product] | None = None) -> QuerySet[Product]:
    """Listed products for everyone; a producer's members also see its unlisted ones; staff all."""
    queryset = Product.objects.all() if queryset is None else queryset
    if user and user.is_authenticated and user.is_portal_staff:
        return queryset
    if user and user.is_authenticated and user.is_producer:
        return queryset.filter(Q(is_active=True) | company_q(user, "producer__"))
    return queryset.filter(is_active=True)


def can_import_producers(user) -> bool:
    """The producer import's page (upload, dry run, commit, invitations): portal staff only."""
    return bool(user and user.is_authenticated and user.is_portal_staff)
