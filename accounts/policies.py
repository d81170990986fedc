"""Who may see and change whose profile and contacts (docs/design.md, "Roles and what each may see").

Used alike by the API, the pages and the emails so the three cannot drift apart.
Contacts are revealed to the other side of a match once it is forwarded (and while it
stays forwarded, connected, won or lost; not after either side declined), per
`matchmaking.policies.revealed_counterpart_ids`.

The rules are here; some of their facts live in apps above accounts (which matches reveal
whom, which markets a counsellor's desk covers, which matches a counsellor sees). Those apps
contribute them to the registry below from their `AppConfig.ready()` (matchmaking: the
reveals and a counsellor's matches; counsellors: the desks' markets), as NetBox apps fill its
registry. With nothing registered every answer is the safe one: nothing revealed, no desk.
"""

from collections.abc import Callable, Iterable

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db.models import Q, QuerySet

from .companies import acts_for, company_q
from .models import PARTY_ROLES, BuyerProfile, Company, CompanyRole, ProducerProfile

CONTACT_FIELDS = ("email", "phone", "contact_name", "website")


# --- What the apps above contribute ------------------------------------------------------

# user → ids of the profiles (of the other side) whose contacts a match reveals to the user.
RevealedProfiles = Callable[..., Iterable[int]]
# user → country codes of the counsellor's desk (empty without one).
DeskMarkets = Callable[..., Iterable[str]]
# (user, side "producer" or "buyer") → a queryset of the ids of that side's profiles in the
# matches the counsellor sees (a `values_list(..., flat=True)`, usable as a subquery).
MatchProfiles = Callable[..., QuerySet]

_revealed_profiles: list[RevealedProfiles] = []
_desk_markets: list[DeskMarkets] = []
_match_profiles: list[MatchProfiles] = []


def _register(providers: list, provider) -> None:
    if provider not in providers:  # ready() may run again (tests): once is enough
        providers.append(provider)


def register_revealed_profiles(provider: RevealedProfiles) -> None:
    """Filled by matchmaking: the profiles whose contacts a user's matches reveal to them.
    The provider may remember its answer on the user object (one query per page)."""
    _register(_revealed_profiles, provider)


def register_desk_markets(provider: DeskMarkets) -> None:
    """Filled by counsellors: the markets (country codes) of a counsellor's desk."""
    _register(_desk_markets, provider)


def register_match_profiles(provider: MatchProfiles) -> None:
    """Filled by matchmaking: the producers' or buyers' ids in the matches a counsellor sees."""
    _register(_match_profiles, provider)


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


# --- Who may use the account at all -------------------------------------------------------


def email_verification_required() -> bool:
    """Whether an account must have verified its email to sign in: allauth's setting for the
    pages, applied alike to API tokens (operator-made accounts are verified when made)."""
    return settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory"


def verified_email_addresses(user, email):
    """The verified allauth addresses of `user` that are `email` (values or OuterRefs)."""
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True)


def has_verified_email(user) -> bool:
    """The account's own email (its login) is verified, or verification is not required."""
    if not email_verification_required():
        return True
    return verified_email_addresses(user, user.email).exists()


def two_factor_required(user) -> bool:
    """Staff (the role, a superuser, or anyone who may enter the admin) must sign in with a
    second factor: they see every contact. Others may choose to (accounts/two_factor.py)."""
    return bool(_signed_in(user) and (user.is_portal_staff or getattr(user, "is_staff", False)))


# --- Profiles and contacts ---------------------------------------------------------------


def can_edit_company(user, profile: ProducerProfile | BuyerProfile) -> bool:
    """A producer's or buyer's profile, logo and the like: staff, and the members of its company
    (its owner and editors)."""
    return _signed_in(user) and (user.is_portal_staff or acts_for(user, profile))


def can_edit_producer(user, producer: ProducerProfile) -> bool:
    return can_edit_company(user, producer)


def can_edit_buyer(user, buyer: BuyerProfile) -> bool:
    return can_edit_company(user, buyer)


def can_manage_company(user, company: Company | None) -> bool:
    """Invite and remove members, hand over ownership, delete the company's profile: its owner
    and staff (editors act for the company in everything else)."""
    if company is None or not _signed_in(user):
        return False
    return user.is_portal_staff or (user.company_id == company.pk and user.company_role == CompanyRole.OWNER)


def can_view_team(user, company: Company | None) -> bool:
    """See the company's members and pending invitations: its members (editors read only) and staff."""
    if company is None or not _signed_in(user):
        return False
    return user.is_portal_staff or user.company_id == company.pk


def _revealed_by_match(user, profile_id: int) -> bool:
    return any(profile_id in provider(user) for provider in _revealed_profiles)


def can_view_producer_contacts(user, producer: ProducerProfile) -> bool:
    """Owner and staff; counsellors in scope (`producer_in_counsellor_scope`); buyers once a
    match between them is forwarded. The API, the pages and the emails all ask here."""
    if not _signed_in(user):
        return False
    if user.is_portal_staff or acts_for(user, producer):
        return True
    if user.is_counsellor:
        return producer_in_counsellor_scope(user, producer)
    return user.is_buyer and _revealed_by_match(user, producer.pk)


def producer_in_counsellor_scope(user, producer: ProducerProfile) -> bool:
    """A counsellor's producers (docs/design.md, "in scope"): those targeting one of the markets of
    their desk (posted in or covered; a producer merely open to any market is not targeting
    them), and those in the matches the counsellor may see (routed to them, or in the pool)."""
    targets = {country.code for country in producer.target_markets}
    return bool(targets & counsellor_markets(user)) or producer.pk in _counsellor_match_party_ids(
        user, "producer"
    )


def producers_in_scope(user, queryset: QuerySet[ProducerProfile] | None = None) -> QuerySet[ProducerProfile]:
    """The queryset form of `producer_in_counsellor_scope` (exports): staff all; a counsellor the
    producers targeting a market of their desk and those of the matches they may see; no one else
    any (the public producer list is not a counsellor's scope)."""
    queryset = ProducerProfile.objects.all() if queryset is None else queryset
    if not _signed_in(user):
        return queryset.none()
    if user.is_portal_staff:
        return queryset
    if not user.is_counsellor:
        return queryset.none()
    # Stored as "IQ,TR,AM": a two-letter code is a whole code wherever it occurs.
    scope = Q(pk__in=[])
    for code in sorted(counsellor_markets(user)):
        scope |= Q(target_markets__contains=code)
    for provider in _match_profiles:
        scope |= Q(pk__in=provider(user, "producer"))
    return queryset.filter(scope)


def counsellor_markets(user) -> frozenset[str]:
    """The countries a counsellor's desk covers: posted in, and also covers (none without a
    desk). Remembered on the user object, so a page or an API response asks once."""
    cached = getattr(user, "_counsellor_markets", None)
    if cached is None:
        cached = frozenset(code for provider in _desk_markets for code in provider(user))
        user._counsellor_markets = cached
    return cached


def _counsellor_scope(user) -> Q:
    """A counsellor's buyers ("all in scope"): those in the markets of their desk, and those of
    the matches they may see (routed to them, or waiting in the unassigned pool)."""
    scope = Q(country__in=counsellor_markets(user))
    for provider in _match_profiles:
        scope |= Q(pk__in=provider(user, "buyer"))
    return scope


def can_view_buyer(user, buyer: BuyerProfile) -> bool:
    """Buyer profiles are not public: the company's members, staff, and counsellors within their
    scope."""
    if not _signed_in(user):
        return False
    if user.is_portal_staff or acts_for(user, buyer):
        return True
    if not user.is_counsellor:
        return False
    return buyer.country.code in counsellor_markets(user) or buyer.pk in _counsellor_match_party_ids(
        user, "buyer"
    )


def _counsellor_match_party_ids(user, side: str) -> frozenset[int]:
    """The producers or buyers (`side`: "producer", "buyer") of the matches a counsellor may
    see, asked once per user object (a list then checks each profile without a query)."""
    attribute = f"_counsellor_match_{side}_ids"
    cached = getattr(user, attribute, None)
    if cached is None:
        cached = frozenset(
            profile_id for provider in _match_profiles for profile_id in provider(user, side).distinct()
        )
        setattr(user, attribute, cached)
    return cached


def can_view_buyer_contacts(user, buyer: BuyerProfile) -> bool:
    """Owner, staff and counsellors in scope; producers once a match between them is forwarded."""
    if can_view_buyer(user, buyer):
        return True
    return _signed_in(user) and user.is_producer and _revealed_by_match(user, buyer.pk)


def buyers_visible_to(user, queryset: QuerySet[BuyerProfile] | None = None) -> QuerySet[BuyerProfile]:
    queryset = BuyerProfile.objects.all() if queryset is None else queryset
    if not _signed_in(user):
        return queryset.none()
    if user.is_portal_staff:
        return queryset
    if user.is_counsellor:
        return queryset.filter(_counsellor_scope(user))
    return queryset.filter(company_q(user))


def can_list_buyers(user) -> bool:
    return _signed_in(user) and (user.is_portal_staff or user.is_counsellor)


# --- Verification with evidence (accounts.verifications) ------------------------------------


def can_request_verification(user, company) -> bool:
    """A producer or buyer member of the company asks for its verification."""
    if not _signed_in(user) or user.role not in PARTY_ROLES:
        return False
    profile = getattr(company, company.kind, None)
    return profile is not None and user.role == company.kind and acts_for(user, profile)


def company_in_counsellor_scope(user, company) -> bool:
    """A producer's company in the counsellor's scope (`producer_in_counsellor_scope`), or a
    buyer's (`can_view_buyer`)."""
    if not (_signed_in(user) and user.is_counsellor):
        return False
    profile = getattr(company, company.kind, None)
    if profile is None:
        return False
    if isinstance(profile, ProducerProfile):
        return producer_in_counsellor_scope(user, profile)
    return can_view_buyer(user, profile)


def can_review_verification(user, verification) -> bool:
    """Staff, or the counsellor whose scope holds the company."""
    if not _signed_in(user):
        return False
    return user.is_portal_staff or company_in_counsellor_scope(user, verification.company)


def can_view_verification(user, verification) -> bool:
    """The company's members, the reviewers in scope and staff (anyone else: as if absent)."""
    if not _signed_in(user):
        return False
    profile = getattr(verification.company, verification.company.kind, None)
    return acts_for(user, profile) or can_review_verification(user, verification)


def verifications_visible_to(user, queryset: QuerySet) -> QuerySet:
    """The requests `user` may see: staff all; a company member their company's; a counsellor
    those of the companies in scope (checked per company: requests are few)."""
    if not _signed_in(user):
        return queryset.none()
    if user.is_portal_staff:
        return queryset
    if user.is_counsellor:
        candidates = queryset.select_related("company__producer", "company__buyer")
        ids = [v.pk for v in candidates if company_in_counsellor_scope(user, v.company)]
        return queryset.filter(pk__in=ids)
    return queryset.filter(company_q_of_member(user))


def company_q_of_member(user) -> Q:
    """Rows of the companies `user` acts for (their membership, or a profile they own)."""
    condition = Q(company__producer__owner_id=user.pk) | Q(company__buyer__owner_id=user.pk)
    if user.company_id is not None:
        condition |= Q(company_id=user.company_id)
    return condition


# --- Pictures ------------------------------------------------------------------------------
