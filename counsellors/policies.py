"""Who may see and change counsellor profiles (DESIGN.md, "Roles and what each may see").

Market briefs have their rules beside their services (`counsellors.briefs`).
"""


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


def can_manage_counsellors(user) -> bool:
    """Create and change counsellor profiles: staff (the posting decides the routing)."""
    return _signed_in(user) and user.is_portal_staff


def can_view_counsellor_contacts(user) -> bool:
    """A counsellor's email and phone: anyone signed in; anonymous visitors see the desks only."""
    return _signed_in(user)
