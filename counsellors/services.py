"""Writes of counsellor profiles (staff's work: where a counsellor is posted decides which
matches they review). Market briefs have their own services in `counsellors.briefs`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from counsellors.models import CounsellorProfile
from counsellors.policies import SELF_SERVICE_FIELDS, can_edit_counsellor_profile, can_manage_counsellors
from counsellors.routing import route_unassigned
from portal import validation as rules
from taxonomy.models import Sector
from taxonomy.sectors import sectors_for_codes

# The fields of a counsellor's profile that staff write (the counsellor a few of them,
# SELF_SERVICE_FIELDS), in the order the admin and the API take them.
PROFILE_FIELDS = ("posted_country", "covered_countries", "sectors", "languages", "phone", "is_active")


def check_counsellor_user(user: User) -> None:
    """The user a new profile is for: a counsellor who has none yet."""
    if not user.is_counsellor:
        raise ValidationError({"user": [_("This user is not a trade counsellor.")]})
    if CounsellorProfile.objects.filter(user=user).exists():
        raise ValidationError({"user": [_("This counsellor already has a profile.")]})


def apply_profile_fields(profile: CounsellorProfile, data: dict[str, Any]) -> list[Sector] | None:
    """Validate `data` onto `profile` (unsaved); return the sectors to set once it is saved
    (None: unchanged). Raises ValidationError({field: [...]}) with every field's errors.

    Shared by the services and the admin's form, so both refuse the same input.
    """
    errors = rules.FieldErrors()
    errors.reject_unknown(data, PROFILE_FIELDS)
    if "posted_country" in data or profile._state.adding:
        profile.posted_country = errors.check(
            "posted_country", rules.country_code, data.get("posted_country")
        )
    if "covered_countries" in data:
        covered = errors.check(
            "covered_countries", rules.country_codes, rules.as_list(data["covered_countries"])
        )
        profile.covered_countries = covered or []
    if "languages" in data:
        profile.languages = (
            errors.check("languages", rules.language_codes, rules.as_list(data["languages"])) or []
        )
    if "phone" in data:
        profile.phone = errors.check("phone", rules.phone_number, data["phone"]) or ""
    if "is_active" in data:
        profile.is_active = bool(data["is_active"])
    sectors = None
    if "sectors" in data:
        sectors = errors.check("sectors", sectors_for_codes, rules.as_list(data["sectors"]))
    errors.raise_if_any()
    # Posted there already: listing the country among the covered ones says nothing more.
    posted = profile.posted_country.code
    profile.covered_countries = [c.code for c in profile.covered_countries if c.code != posted]
    return sectors


def _route_pool() -> None:
    """Pooled matches (no counsellor yet) may now have a desk: route them."""
    route_unassigned()


@transaction.atomic
def counsellor_profile_create(*, actor: User, user: User, data: dict[str, Any]) -> CounsellorProfile:
    """Staff post a counsellor somewhere; the shared pool's matches for that market go to them."""
    if not can_manage_counsellors(actor):
        raise PermissionDenied(_("Only staff manage counsellor profiles."))
    # Lock the user's row: of two requests at once, the second finds the first's profile (a
    # field error) rather than breaking the one-to-one constraint (a server error).
    User.objects.select_for_update().get(pk=user.pk)
    check_counsellor_user(user)
    return _save_profile(CounsellorProfile(user=user), data)


@transaction.atomic
def counsellor_profile_update(
    *, profile: CounsellorProfile, actor: User, data: dict[str, Any]
) -> CounsellorProfile:
    """Staff change a counsellor's posting, coverage, sectors or availability; the counsellor
    their own phone, languages, sectors and availability (SELF_SERVICE_FIELDS). Matches already
    with the counsellor stay; the pool is routed again (the desk may now cover more)."""
    if not can_edit_counsellor_profile(actor, profile):
        raise PermissionDenied(_("Only staff manage counsellor profiles."))
    if not can_manage_counsellors(actor):
        errors = rules.FieldErrors()
        for field in sorted(set(data).intersection(PROFILE_FIELDS) - SELF_SERVICE_FIELDS):
            errors.add(field, _("Only staff change where a counsellor is posted and what they cover."))
        errors.raise_if_any()
    return _save_profile(CounsellorProfile.objects.select_for_update().get(pk=profile.pk), data)


def _save_profile(profile: CounsellorProfile, data: dict[str, Any]) -> CounsellorProfile:
    """Validate `data` onto `profile`, save it with its sectors, and route the pool again
    (the desk may now cover more)."""
    sectors = apply_profile_fields(profile, data)
    profile.save()
    if sectors is not None:
        profile.sectors.set(sectors)
    _route_pool()
    return profile
