"""Who acts for a company: the one rule every app asks (docs/design.md "Trust and media",
"Company accounts").

A company (`accounts.models.Company`) is the firm behind one producer's or buyer's profile.
Its members are the users whose `company` is it: the owner (`company_role` owner, also the
profile's `owner`) and the editors the owner invited. A member acts for the company in
everything its profile, products, requests, matches and deals allow.

A profile's `owner` acts for it even where no membership was recorded (rows written in bulk
by the benchmarks): the owner is a member by definition.
"""

from django.db.models import Q

from .models import BuyerProfile, Company, CompanyRole, ProducerProfile


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


def acts_for(user, profile: ProducerProfile | BuyerProfile | None) -> bool:
    """Whether `user` is a member of the company behind `profile` (its owner or an editor)."""
    if profile is None or not _signed_in(user):
        return False
    if profile.owner_id == user.pk:
        return True
    return user.company_id is not None and user.company_id == profile.company_id


def company_q(user, prefix: str = "") -> Q:
    """A filter on profiles (or on rows reaching a profile through `prefix`, e.g. "producer__")
    keeping those `user` acts for. Matches nothing for anonymous users."""
    if not _signed_in(user):
        return Q(pk__in=[])
    condition = Q(**{f"{prefix}owner_id": user.pk})
    if user.company_id is not None:
        condition |= Q(**{f"{prefix}company_id": user.company_id})
    return condition


def producer_of(user) -> ProducerProfile | None:
    """The producer profile `user` acts for, if any."""
    if not _signed_in(user):
        return None
    return ProducerProfile.objects.filter(company_q(user)).order_by("pk").first()


def buyer_of(user) -> BuyerProfile | None:
    """The buyer profile `user` acts for, if any."""
    if not _signed_in(user):
        return None
    return BuyerProfile.objects.filter(company_q(user)).order_by("pk").first()


def record_owner(*, user, company: Company) -> None:
    """Record `user` as `company`'s owner member (a new profile's owner). Called inside the
    profile's service transaction."""
    user.company = company
    user.company_role = CompanyRole.OWNER
    user.save(update_fields=["company", "company_role"])


def with_companies(profiles: list, kind: str) -> list:
    """Bulk inserts skip `save()`: give each new profile its company in one query."""
    companies = Company.objects.bulk_create([Company(kind=kind) for _ in profiles])
    for profile, company in zip(profiles, companies, strict=True):
        profile.company = company
    return profiles
