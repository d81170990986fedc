"""A company's members (docs/design.md "Trust and media", "Company accounts"): invited by email,
each signing in with their own account; the owner manages them and may hand over ownership.

Who acts for a company is `accounts.companies`; who may manage its members is
`accounts.policies.can_manage_company` (its owner and staff). Every write here is atomic,
locks what it changes and is logged as its `actor`'s (portal.audit).

An invitation's link carries a random token; only its digest is stored. Accepting it needs the
invited address: a signed-in user whose verified email is the invitation's (the link proves the
mailbox, so the account's own address is marked verified when it is that one) and who belongs
to no company joins as an editor, their role set to the company's kind.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal import languages
from portal import validation as rules
from portal.audit import records_actor
from portal.ratelimits import UserRateLimit

from .models import BuyerProfile, Company, CompanyKind, CompanyRole, Invitation, ProducerProfile, Role, User
from .notifications import send_invitation
from .policies import can_manage_company, verified_email_addresses
from .services import token_revoke
from .verification import mark_email_verified

INVITATION_LIFETIME = timedelta(days=7)
# At most this many invitations wait at once in a company (a spam brake beside the rate limit).
MAX_PENDING_INVITATIONS = 20


class TeamError(ValidationError):
    """A team write refused for a reason the person can act on (a 400 or a form error)."""


# --- Reads --------------------------------------------------------------------------------


def profile_of_company(company: Company) -> ProducerProfile | BuyerProfile | None:
    model = ProducerProfile if company.kind == CompanyKind.PRODUCER else BuyerProfile
    return model.objects.filter(company=company).first()


def members_of(company: Company):
    """The company's members, the owner first, then by name."""
    return (
        User.objects.filter(company=company)
        .order_by("-company_role", "full_name", "email")  # "owner" sorts after "editor"
        .only("id", "email", "full_name", "company_role", "company_id", "date_joined")
    )


def pending_invitations(company: Company):
    return (
        Invitation.objects.filter(
            company=company, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("invited_by")
        .order_by("-created_at", "-id")
    )


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link's token names (whatever its state), or None."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("company", "invited_by")
        .filter(token_hash=token_digest(token))
        .first()
    )


def invitation_url(token: str) -> str:
    return settings.PORTAL_BASE_URL + reverse("accounts:team-join", args=[token])


# --- Invitations --------------------------------------------------------------------------


def _clean_email(value) -> str:
    email = User.objects.normalize_email(rules.single_line(value or "")).lower()
    if not email:
        raise TeamError({"email": [_("Give the email address to invite.")]})
    if len(email) > rules.max_length(Invitation, "email"):
        raise TeamError(
            {"email": [_("At most %(n)d characters.") % {"n": rules.max_length(Invitation, "email")}]}
        )
    try:
        validate_email(email)
    except ValidationError:
        raise TeamError({"email": [_("Enter a valid email address.")]}) from None
    return email


@transaction.atomic
@records_actor
def invite(
    *, company: Company, actor: User, email: str, role: str = CompanyRole.EDITOR
) -> tuple[Invitation, str]:
    """Invite `email` to join `company` as an editor: by its owner or staff. Returns the
    invitation and the link's token (mailed once the transaction commits; shown nowhere else).
    Inviting an address again replaces its pending invitation with a new link."""
    if not can_manage_company(actor, company):
        raise PermissionDenied(_("Only the company's owner and staff invite members."))
    if role != CompanyRole.EDITOR:
        raise TeamError({"role": [_("Members are invited as editors; the owner hands over ownership.")]})
    email = _clean_email(email)
    Company.objects.select_for_update().filter(pk=company.pk).first()  # one invitation at a time
    existing = User.objects.filter(email__iexact=email).only("id", "company_id", "role").first()
    if existing is not None and existing.company_id == company.pk:
        raise TeamError({"email": [_("This person is already a member of your company.")]})
    if existing is not None and existing.company_id is not None:
        raise TeamError({"email": [_("This person already belongs to another company.")]})
    if existing is not None and existing.role not in (Role.PRODUCER, Role.BUYER):
        raise TeamError({"email": [_("Trade counsellors and staff cannot join a company.")]})
    now = timezone.now()
    open_invitations = Invitation.objects.filter(
        company=company, accepted_at__isnull=True, revoked_at__isnull=True
    )
    if open_invitations.filter(expires_at__gt=now).exclude(email=email).count() >= MAX_PENDING_INVITATIONS:
        raise TeamError(
            {"email": [_("Too many invitations are waiting; revoke some before inviting more people.")]}
        )
    UserRateLimit("invitations").hit(actor)
    # The address's earlier invitation (waiting or expired) gives way to the new one.
    open_invitations.filter(email=email).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        company=company,
        email=email,
        role=role,
        token_hash=token_digest(token),
        invited_by=actor,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    language = existing.preferred_language if existing is not None else translation.get_language()
    send_invitation.delay(invitation.pk, token, languages.supported_or_default(language))
    return invitation, token


@transaction.atomic
@records_actor
def revoke_invitation(*, invitation: Invitation, actor: User) -> Invitation:
    """Withdraw a pending invitation: its link stops working."""
    invitation = Invitation.objects.select_for_update().select_related("company").get(pk=invitation.pk)
    if not can_manage_company(actor, invitation.company):
        raise PermissionDenied(_("Only the company's owner and staff manage its invitations."))
    if invitation.accepted_at is not None:
        raise TeamError({"invitation": [_("This invitation was already accepted.")]})
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_refusal(invitation: Invitation | None, now=None) -> str | None:
    """Why the link no longer works, whoever opens it (None: it is pending)."""
    if invitation is None:
        return _("This invitation link is not valid.")
    if invitation.revoked_at is not None:
        return _("This invitation was withdrawn.")
    if invitation.accepted_at is not None:
        return _("This invitation was already used.")
    if invitation.expires_at <= (now or timezone.now()):
        return _("This invitation has expired; ask for a new one.")
    return None


def _refusal(invitation: Invitation | None, user: User, now) -> str | None:
    """Why `user` may not accept `invitation` (None: they may)."""
    reason = invitation_refusal(invitation, now)
    if reason:
        return reason
    if user.company_id == invitation.company_id:
        return _("You are already a member of this company.")
    if user.company_id is not None:
        return _("Your account already belongs to a company; leave it before joining another.")
    if user.is_portal_staff or user.role not in (Role.PRODUCER, Role.BUYER):
        return _("Trade counsellors and staff cannot join a company.")
    if (
        user.email.lower() != invitation.email
        and not verified_email_addresses(user, invitation.email).exists()
    ):
        return _("This invitation was sent to another email address; sign in with that address to accept it.")
    return None


def acceptance_refusal(*, invitation: Invitation | None, user: User) -> str | None:
    """What the acceptance page says instead of its button (None: the user may accept)."""
    return _refusal(invitation, user, timezone.now())


@transaction.atomic
@records_actor
def accept_invitation(*, token: str, actor: User) -> Company:
    """`actor` joins the invitation's company as an editor (their role becomes the company's
    kind). A TeamError says why not: an unknown, used, revoked or expired link, another email
    address, or an account already in a company."""
    found = invitation_for_token(token)
    invitation = Invitation.objects.select_for_update().filter(pk=found.pk).first() if found else None
    user = User.objects.select_for_update().get(pk=actor.pk)
    reason = _refusal(invitation, user, timezone.now())
    if reason:
        raise TeamError({"invitation": [reason]})
    if user.email.lower() == invitation.email:
        # The link came to this mailbox: the address is proven.
        mark_email_verified(user=user)
    company = invitation.company
    user.company, user.company_role = company, CompanyRole.EDITOR
    user.role = company.kind
    user.save(update_fields=["company", "company_role", "role"])
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    actor.company_id, actor.company_role, actor.role = company.pk, CompanyRole.EDITOR, company.kind
    return company


# --- Members ------------------------------------------------------------------------------


def _leave(user: User) -> None:
    """`user` (locked) belongs to no company from the next request on; their API token goes."""
    user.company, user.company_role = None, ""
    user.save(update_fields=["company", "company_role"])
    token_revoke(user=user)


@transaction.atomic
@records_actor
def remove_member(*, company: Company, member: User, actor: User) -> None:
    """Take an editor out of the company (its owner or staff): they keep their account but lose
    the company's profile, products, requests and matches at once (pages and API)."""
    if not can_manage_company(actor, company):
        raise PermissionDenied(_("Only the company's owner and staff remove members."))
    member = User.objects.select_for_update().get(pk=member.pk)
    if member.company_id != company.pk:
        raise TeamError({"member": [_("This person is not a member of the company.")]})
    if member.company_role == CompanyRole.OWNER:
        raise TeamError({"member": [_("The owner cannot be removed; hand over ownership first.")]})
    _leave(member)


@transaction.atomic
@records_actor
def leave_company(*, actor: User) -> None:
    """An editor leaves their company (the owner hands over ownership first)."""
    user = User.objects.select_for_update().get(pk=actor.pk)
    if user.company_id is None:
        raise TeamError({"member": [_("You are not a member of a company.")]})
    if user.company_role == CompanyRole.OWNER:
        raise TeamError({"member": [_("Hand over ownership to an editor before leaving.")]})
    _leave(user)
    actor.company_id, actor.company_role = None, ""


@transaction.atomic
@records_actor
def transfer_ownership(*, company: Company, new_owner: User, actor: User) -> None:
    """Hand the company (and its profile) to one of its editors: the profile's owner and both
    members' roles change together, the users and the profile locked. The old owner stays as
    an editor."""
    if not can_manage_company(actor, company):
        raise PermissionDenied(_("Only the company's owner and staff hand over ownership."))
    model = ProducerProfile if company.kind == CompanyKind.PRODUCER else BuyerProfile
    profile = model.objects.select_for_update().filter(company=company).first()
    if profile is None:
        raise TeamError({"member": [_("This company has no profile to hand over.")]})
    users = {
        user.pk: user
        for user in User.objects.select_for_update()
        .filter(pk__in=[profile.owner_id, new_owner.pk])
        .order_by("pk")
    }
    new = users.get(new_owner.pk)
    if new is None or new.company_id != company.pk or new.company_role != CompanyRole.EDITOR:
        raise TeamError({"member": [_("Ownership goes to an editor of the company.")]})
    if not new.is_active:
        raise TeamError({"member": [_("This account is disabled.")]})
    old = users[profile.owner_id]
    profile.owner = new
    profile.save(update_fields=["owner"])
    old.company, old.company_role = company, CompanyRole.EDITOR
    old.save(update_fields=["company", "company_role"])
    new.company_role = CompanyRole.OWNER
    new.save(update_fields=["company_role"])
    for user in (actor, new_owner):
        if user.pk == old.pk:
            user.company_role = CompanyRole.EDITOR
        elif user.pk == new.pk:
            user.company_role = CompanyRole.OWNER
