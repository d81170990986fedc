"""The producer's products step of the onboarding, registered by `CatalogueConfig.ready()`.

Accounts runs the onboarding (accounts/onboarding.py) and owns the company and
markets steps; the catalogue owns what a product is, so it tells accounts when a
producer's products step is done: at least one product listed with capacity free
for export. The same rule serves one profile (from the counts annotated on it in
the one query that reads it) and the matching engine's input (as a filter).
"""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import ProducerProfile, Role
from accounts.onboarding import OnboardingStep, register_step

from .models import Product
from .product_pages import products_step

PRODUCTS = "products"
# Between accounts' company (10) and target markets (30) steps.
ORDER = 20


def matchable_product_condition(prefix: str = "") -> Q:
    """A product counts when it is listed and has capacity free for export."""
    return Q(**{f"{prefix}is_active": True, f"{prefix}available_capacity__gt": 0})


def _product_counts() -> dict:
    return {
        "product_count": Count("products", distinct=True),
        "matchable_product_count": Count(
            "products", filter=matchable_product_condition("products__"), distinct=True
        ),
    }


def _has_matchable_product(profile: ProducerProfile) -> bool:
    matchable = getattr(profile, "matchable_product_count", None)
    if matchable is None:
        matchable = profile.products.filter(matchable_product_condition()).count()
    return matchable > 0


def _has_matchable_product_filter(queryset: QuerySet) -> QuerySet:
    matchable = Product.objects.filter(matchable_product_condition(), producer=OuterRef("pk"))
    return queryset.filter(Exists(matchable))


def register() -> None:
    """Give producers the products step (called once, at start-up)."""
    register_step(
        OnboardingStep(
            role=Role.PRODUCER,
            key=PRODUCTS,
            order=ORDER,
            label=_("Products and capacity"),
            hint=_("Add at least one listed product with capacity free for export."),
            is_done=_has_matchable_product,
            ready=_has_matchable_product_filter,
            view=products_step,
            counts=_product_counts,
        )
    )
