"""How complete a producer's or a buyer's profile is, step by step.

These rules decide what the onboarding pages ask for next, what the dashboard
nags about, and what the matching engine requires before it scores a profile
(`ready_to_match`). Pages and the sign-in redirect read them; none restates them.

The steps are a registry, filled at start-up (as NetBox and pretix wire their
plug-in points in each app's `AppConfig.ready()`): every app registers the steps
it owns with `register_step`. Accounts registers the company, target markets and
demand steps (`accounts/onboarding_steps.py`); the catalogue, above accounts,
registers the producer's products step (`catalogue/onboarding_steps.py`). A step
brings its label and hint, how to tell it is done for a profile, the same rule
as a queryset filter (the matching engine's input), the counts that rule reads
(annotated on the profile in the one query that reads it) and the view that
renders the step. Without a step's registration the role simply has no such step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise

from .companies import company_q
from .models import BuyerProfile, ProducerProfile, Role, User

# The steps accounts owns (the catalogue's products step is keyed "products").
COMPANY = "company"
MARKETS = "markets"
DEMAND = "demand"


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


# A step's page: the request, the user's completeness (its profile is not None) and the step.
StepView = Callable[[HttpRequest, Completeness, Step], HttpResponse]


@dataclass(frozen=True)
class OnboardingStep:
    """One step of a role's onboarding, as the app that owns it registers it."""

    role: str
    # In the step's address, /onboarding/<key>/.
    key: str
    # A role's steps are walked in increasing order.
    order: int
    label: Promise | str
    hint: Promise | str
    # Whether a saved profile has the step done; reads the `counts` annotations when the
    # profile carries them, else queries.
    is_done: Callable[[Any], bool]
    # The same rule as a filter: narrows a queryset of profiles to those with the step done.
    ready: Callable[[QuerySet], QuerySet]
    # Renders the step (GET and POST).
    view: StepView
    # Annotations `is_done` reads, added by `*_profile_with_counts` to its one query.
    counts: Callable[[], dict[str, Any]] = dict


_STEPS: dict[str, dict[str, OnboardingStep]] = {}


def register_step(step: OnboardingStep) -> None:
    """Add `step` to its role's onboarding (from an `AppConfig.ready()`); a key registered
    again replaces the earlier step."""
    _STEPS.setdefault(step.role, {})[step.key] = step


def registered_steps(role: str) -> tuple[OnboardingStep, ...]:
    """The steps registered for `role`, in walking order; none for counsellors and staff."""
    return tuple(sorted(_STEPS.get(role, {}).values(), key=lambda step: step.order))


def registered_step(role: str, key: str) -> OnboardingStep | None:
    return _STEPS.get(role, {}).get(key)


def steps_for_role(role: str) -> dict[str, Promise | str]:
    """The onboarding steps of a role and their labels, in order; empty for counsellors and staff."""
    return {step.key: step.label for step in registered_steps(role)}


def _completeness(role: str, profile: ProducerProfile | BuyerProfile | None) -> Completeness:
    steps = tuple(
        Step(
            key=step.key,
            label=step.label,
            done=profile is not None and step.is_done(profile),
            hint=step.hint,
        )
        for step in registered_steps(role)
    )
    return Completeness(role=role, steps=steps, profile=profile)


def producer_completeness(profile: ProducerProfile | None) -> Completeness:
    """The producer's registered steps: company named, a listed product with free capacity
    (the catalogue's), target markets (or open to any)."""
    return _completeness(Role.PRODUCER, profile)


def buyer_completeness(profile: BuyerProfile | None) -> Completeness:
    """The buyer's registered steps: company named with its country, at least one sought sector."""
    return _completeness(Role.BUYER, profile)


def _ready(role: str, queryset: QuerySet) -> QuerySet:
    for step in registered_steps(role):
        queryset = step.ready(queryset)
    return queryset


def producers_ready_to_match(queryset=None):
    """The producers whose completeness is `ready_to_match`, as one filter (the matching
    engine's input); the same registered steps as `producer_completeness`."""
    return _ready(Role.PRODUCER, ProducerProfile.objects.all() if queryset is None else queryset)


def buyers_ready_to_match(queryset=None):
    """The buyers whose completeness is `ready_to_match`: named, a country, a sought sector."""
    return _ready(Role.BUYER, BuyerProfile.objects.all() if queryset is None else queryset)


def _with_counts(role: str, queryset: QuerySet) -> QuerySet:
    counts: dict[str, Any] = {}
    for step in registered_steps(role):
        counts.update(step.counts())
    return queryset.annotate(**counts)


def producer_profile_with_counts(user: User) -> ProducerProfile | None:
    """The user's producer profile with the counts its steps read (its products), in one query."""
    return _with_counts(Role.PRODUCER, ProducerProfile.objects.filter(company_q(user))).first()


def buyer_profile_with_counts(user: User) -> BuyerProfile | None:
    """The user's buyer profile with its number of sought sectors, in one query."""
    return _with_counts(Role.BUYER, BuyerProfile.objects.filter(company_q(user))).first()


def completeness_for_user(user: User) -> Completeness | None:
    """The user's profile completeness; None for roles without a profile to fill in."""
    if not user.is_authenticated:
        return None
    if user.role == Role.PRODUCER:
        return producer_completeness(producer_profile_with_counts(user))
    if user.role == Role.BUYER:
        return buyer_completeness(buyer_profile_with_counts(user))
    return None


def needs_onboarding(user: User) -> bool:
    completeness = completeness_for_user(user)
    return completeness is not None and not completeness.ready_to_match
