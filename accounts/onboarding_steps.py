"""The onboarding steps accounts owns, registered by `AccountsConfig.ready()`.

A producer: its company (first) and its target markets (last); the catalogue
registers the products step between them (catalogue/onboarding_steps.py). A
buyer: its company, then its demand. Each rule is written twice, once for one
profile (`is_done`) and once as a filter (`ready`), side by side.
"""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .forms import BuyerCompanyForm, BuyerDemandForm, ProducerCompanyForm, ProducerMarketsForm
from .models import BuyerProfile, ProducerProfile, Role
from .onboarding import COMPANY, DEMAND, MARKETS, OnboardingStep, register_step
from .views import form_step

# A producer's steps are ordered 10 (company), 20 (the catalogue's products), 30 (markets).
FIRST, LAST = 10, 30


def _producer_named(profile: ProducerProfile) -> bool:
    return bool((profile.name or "").strip())


def _producer_named_filter(queryset: QuerySet) -> QuerySet:
    return queryset.exclude(name__regex=r"^\s*$")


def _markets_chosen(profile: ProducerProfile) -> bool:
    return bool(profile.target_markets) or profile.open_to_any_market


def _markets_chosen_filter(queryset: QuerySet) -> QuerySet:
    return queryset.filter(~Q(target_markets="") | Q(open_to_any_market=True))


def _buyer_named_and_placed(profile: BuyerProfile) -> bool:
    return bool((profile.company_name or "").strip()) and bool(profile.country)


def _buyer_named_and_placed_filter(queryset: QuerySet) -> QuerySet:
    return queryset.exclude(company_name__regex=r"^\s*$").exclude(country="")


def _sought_sector_counts() -> dict:
    return {"sought_sector_count": Count("sought_sectors")}


def _sectors_sought(profile: BuyerProfile) -> bool:
    sectors = getattr(profile, "sought_sector_count", None)
    if sectors is None:
        sectors = profile.sought_sectors.count()
    return sectors > 0


def _sectors_sought_filter(queryset: QuerySet) -> QuerySet:
    sought = BuyerProfile.sought_sectors.through.objects.filter(buyerprofile_id=OuterRef("pk"))
    return queryset.filter(Exists(sought))


def register() -> None:
    """Register the company, markets and demand steps (called once, at start-up)."""
    register_step(
        OnboardingStep(
            role=Role.PRODUCER,
            key=COMPANY,
            order=FIRST,
            label=_("Company"),
            hint=_("Give your company’s name."),
            is_done=_producer_named,
            ready=_producer_named_filter,
            view=form_step(ProducerCompanyForm),
        )
    )
    register_step(
        OnboardingStep(
            role=Role.PRODUCER,
            key=MARKETS,
            order=LAST,
            label=_("Target markets"),
            hint=_("Choose your target markets, or say you are open to any market."),
            is_done=_markets_chosen,
            ready=_markets_chosen_filter,
            view=form_step(ProducerMarketsForm),
        )
    )
    register_step(
        OnboardingStep(
            role=Role.BUYER,
            key=COMPANY,
            order=FIRST,
            label=_("Company"),
            hint=_("Give your company’s name and country."),
            is_done=_buyer_named_and_placed,
            ready=_buyer_named_and_placed_filter,
            view=form_step(BuyerCompanyForm),
        )
    )
    register_step(
        OnboardingStep(
            role=Role.BUYER,
            key=DEMAND,
            order=LAST,
            label=_("Sought sectors and demand"),
            hint=_("Choose at least one sector you buy from."),
            is_done=_sectors_sought,
            ready=_sectors_sought_filter,
            view=form_step(BuyerDemandForm),
            counts=_sought_sector_counts,
        )
    )
