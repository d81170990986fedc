"""Who may see and change counsellor profiles (docs/design.md, "Roles and what each may see").

Market briefs have their rules beside their services (`counsellors.briefs`).
"""

from counsellors.models import CounsellorProfile


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


def can_manage_counsellors(user) -> bool:
    """Create and change counsellor profiles: staff (the posting decides the routing)."""
    return _signed_in(user) and user.is_portal_staff


# What a counsellor changes of their own desk; where they are posted and what they cover
# decides the routing, so that stays with staff.
SELF_SERVICE_FIELDS = frozenset({"phone", "languages", "sectors", "is_active"})


def can_edit_counsellor_profile(user, profile) -> bool:
    """Staff, or the counsellor the profile is (their own phone, languages, sectors, leave)."""
    return can_manage_counsellors(user) or (
        _signed_in(user) and user.is_counsellor and profile.user_id == user.pk
    )


def can_view_counsellor_contacts(user) -> bool:
    """A counsellor's email and phone: anyone signed in; anonymous visitors see the desks only."""
    return _signed_in(user)


def desk_markets(user) -> frozenset[str]:
    """The countries a counsellor's desk covers: posted in, and also covers (none without a
    desk). Registered in `accounts.policies` (`CounsellorsConfig.ready()`), whose
    `counsellor_markets` remembers the answer on the user object."""
    desk = (
        CounsellorProfile.objects.filter(user_id=user.pk).only("posted_country", "covered_countries").first()
    )
    if desk is None:
        return frozenset()
    return frozenset({desk.posted_country.code, *(country.code for country in desk.covered_countries)})
