"""Who may see and change whose profile and contacts (DESIGN.md, "Roles and what each may see").

Used alike by the API, the pages and the emails so the three cannot drift apart.
Contacts are revealed to the other side of a match once it is forwarded (and while it
stays forwarded, connected, won or lost; not after either side declined), per
`matchmaking.policies.revealed_counterpart_ids`.
"""

from django.db.models import QuerySet

from .models import BuyerProfile, ProducerProfile

CONTACT_FIELDS = ("email", "phone", "contact_name", "website")


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


def can_edit_producer(user, producer: ProducerProfile) -> bool:
    return _signed_in(user) and (user.is_portal_staff or producer.owner_id == user.pk)


def can_edit_buyer(user, buyer: BuyerProfile) -> bool:
    return _signed_in(user) and (user.is_portal_staff or buyer.owner_id == user.pk)


def _revealed_by_match(user, profile_id: int) -> bool:
    from matchmaking.policies import revealed_counterpart_ids

    return profile_id in revealed_counterpart_ids(user)


def can_view_producer_contacts(user, producer: ProducerProfile) -> bool:
    """Owner, staff and counsellors; buyers once a match between them is forwarded."""
    if not _signed_in(user):
        return False
    if user.is_portal_staff or user.is_counsellor or producer.owner_id == user.pk:
        return True
    return user.is_buyer and _revealed_by_match(user, producer.pk)


def can_view_buyer(user, buyer: BuyerProfile) -> bool:
    """Buyer profiles are not public: the owner, counsellors and staff."""
    return _signed_in(user) and (user.is_portal_staff or user.is_counsellor or buyer.owner_id == user.pk)


def can_view_buyer_contacts(user, buyer: BuyerProfile) -> bool:
    """Owner, staff and counsellors; producers once a match between them is forwarded."""
    if can_view_buyer(user, buyer):
        return True
    return _signed_in(user) and user.is_producer and _revealed_by_match(user, buyer.pk)


def buyers_visible_to(user, queryset: QuerySet[BuyerProfile] | None = None) -> QuerySet[BuyerProfile]:
    queryset = BuyerProfile.objects.all() if queryset is None else queryset
    if not _signed_in(user):
        return queryset.none()
    if user.is_portal_staff or user.is_counsellor:
        return queryset
    return queryset.filter(owner=user)


def can_list_buyers(user) -> bool:
    return _signed_in(user) and (user.is_portal_staff or user.is_counsellor)
