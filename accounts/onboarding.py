"""How complete a producer's or a buyer's profile is, step by step.

These rules decide what the onboarding pages ask for next, what the dashboard
nags about, and what the matching engine requires before it scores a profile
(`ready_to_match`). Pages and the sign-in redirect read them; none restates them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import BuyerProfile, ProducerProfile, Role, User

COMPANY = "company"
PRODUCTS = "products"
MARKETS = "markets"
DEMAND = "demand"

# The order in which a new user is walked through the steps.
PRODUCER_STEPS: dict[str, Promise] = {
    COMPANY: _("Company"),
    PRODUCTS: _("Products and capacity"),
    MARKETS: _("Target markets"),
}
BUYER_STEPS: dict[str, Promise] = {
    COMPANY: _("Company"),
    DEMAND: _("Sought sectors and demand"),
}
STEP_HINTS: dict[tuple[str, str], Promise] = {
    (Role.PRODUCER, COMPANY): _("Give your company’s name."),
    (Role.PRODUCER, PRODUCTS): _("Add at least one listed product with capacity free for export."),
    (Role.PRODUCER, MARKETS): _("Choose your target markets, or say you are open to any market."),
    (Role.BUYER, COMPANY): _("Give your company’s name and country."),
    (Role.BUYER, DEMAND): _("Choose at least one sector you buy from."),
}


@dataclass(frozen=True)
class Step:
    key: str
    label: Promise | str
    done: bool
    hint: Promise | str


@dataclass(frozen=True)
class Completeness:
    """The steps of one role's profile, each done or missing."""

    role: str
    steps: tuple[Step, ...]
    # The profile the figures were read from (None before the first step is saved).
    profile: ProducerProfile | BuyerProfile | None = field(default=None, compare=False)

    @property
    def missing(self) -> tuple[Step, ...]:
        return tuple(step for step in self.steps if not step.done)

    @property
    def first_missing(self) -> Step | None:
        return next(iter(self.missing), None)

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def percent(self) -> int:
        return round(100 * self.done_count / self.total) if self.total else 100

    @property
    def ready_to_match(self) -> bool:
        """Every step done: the matching engine may score this profile."""
        return not self.missing

    def step(self, key: str) -> Step | None:
        return next((step for step in self.steps if step.key == key), None)


def _steps(role: str, labels: dict[str, Promise], done: dict[str, bool]) -> tuple[Step, ...]:
    return tuple(
        Step(key=key, label=label, done=done[key], hint=STEP_HINTS[(role, key)])
        for key, label in labels.items()
    )


def _matchable_product_filter(prefix: str = "") -> Q:
    """A product counts when it is listed and has capacity free for export."""
    return Q(**{f"{prefix}is_active": True, f"{prefix}available_capacity__gt": 0})


def producer_completeness(profile: ProducerProfile | None) -> Completeness:
    """Company named, one listed product with free capacity, target markets (or open to any)."""
    if profile is None:
        done = dict.fromkeys(PRODUCER_STEPS, False)
        return Completeness(role=Role.PRODUCER, steps=_steps(Role.PRODUCER, PRODUCER_STEPS, done))
    matchable = getattr(profile, "matchable_product_count", None)
    if matchable is None:
        matchable = profile.products.filter(_matchable_product_filter()).count()
    done = {
        COMPANY: bool((profile.name or "").strip()),
        PRODUCTS: matchable > 0,
        MARKETS: bool(profile.target_markets) or profile.open_to_any_market,
    }
    return Completeness(
        role=Role.PRODUCER, steps=_steps(Role.PRODUCER, PRODUCER_STEPS, done), profile=profile
    )


def buyer_completeness(profile: BuyerProfile | None) -> Completeness:
    """Company named, its country, and at least one sought sector."""
    if profile is None:
        done = dict.fromkeys(BUYER_STEPS, False)
        return Completeness(role=Role.BUYER, steps=_steps(Role.BUYER, BUYER_STEPS, done))
    sectors = getattr(profile, "sought_sector_count", None)
    if sectors is None:
        sectors = profile.sought_sectors.count()
    done = {
        COMPANY: bool((profile.company_name or "").strip()) and bool(profile.country),
        DEMAND: sectors > 0,
    }
    return Completeness(role=Role.BUYER, steps=_steps(Role.BUYER, BUYER_STEPS, done), profile=profile)


def producers_ready_to_match(queryset=None):
    """The producers whose completeness is `ready_to_match`, as one filter (the matching
    engine's input); the same three steps as `producer_completeness`."""
    from catalogue.models import Product

    queryset = ProducerProfile.objects.all() if queryset is None else queryset
    matchable = Product.objects.filter(_matchable_product_filter(), producer=OuterRef("pk"))
    return (
        queryset.exclude(name__regex=r"^\s*$")
        .filter(Exists(matchable))
        .filter(~Q(target_markets="") | Q(open_to_any_market=True))
    )


def buyers_ready_to_match(queryset=None):
    """The buyers whose completeness is `ready_to_match`: named, a country, a sought sector."""
    sought = BuyerProfile.sought_sectors.through.objects.filter(buyerprofile_id=OuterRef("pk"))
    queryset = BuyerProfile.objects.all() if queryset is None else queryset
    return queryset.exclude(company_name__regex=r"^\s*$").exclude(country="").filter(Exists(sought))


def producer_profile_with_counts(user: User) -> ProducerProfile | None:
    """The user's producer profile with its product counts, in one query."""
    return (
        ProducerProfile.objects.filter(owner=user)
        .annotate(
            product_count=Count("products", distinct=True),
            matchable_product_count=Count(
                "products", filter=_matchable_product_filter("products__"), distinct=True
            ),
        )
        .first()
    )


def buyer_profile_with_counts(user: User) -> BuyerProfile | None:
    """The user's buyer profile with its number of sought sectors, in one query."""
    return (
        BuyerProfile.objects.filter(owner=user).annotate(sought_sector_count=Count("sought_sectors")).first()
    )


def completeness_for_user(user: User) -> Completeness | None:
    """The user's profile completeness; None for roles without a profile to fill in."""
    if not user.is_authenticated:
        return None
    if user.role == Role.PRODUCER:
        return producer_completeness(producer_profile_with_counts(user))
    if user.role == Role.BUYER:
        return buyer_completeness(buyer_profile_with_counts(user))
    return None


def steps_for_role(role: str) -> dict[str, Promise]:
    """The onboarding steps of a role, in order; empty for counsellors and staff."""
    return {Role.PRODUCER: PRODUCER_STEPS, Role.BUYER: BUYER_STEPS}.get(role, {})


def needs_onboarding(user: User) -> bool:
    completeness = completeness_for_user(user)
    return completeness is not None and not completeness.ready_to_match
