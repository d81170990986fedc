"""Every write to users goes through here: validated, atomic. A profile created or updated
is announced to the apps above (the matcher, the catalogue's search) by `accounts.signals`."""

from datetime import timedelta
from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from portal import languages
from portal import validation as rules
from portal.audit import records_actor
from portal.translations_input import TEXT_INPUTS, apply_texts_input, initial_language
from taxonomy.models import CapacityUnit
from taxonomy.sectors import sectors_for_codes

from .companies import record_owner
from .models import PARTY_ROLES, BuyerProfile, Language, ProducerProfile, Role, User, api_token_lifetime_days
from .policies import can_edit_buyer, can_edit_producer, can_manage_company, has_verified_email
from .signals import buyer_changed, producer_changed
from .two_factor import require_second_factor
from .verification import mark_email_verified


def user_set_language(*, user: User, language: str | None) -> None:
    """Remember the language a signed-in user switched to; ignore unknown codes."""
    if languages.is_supported(language) and user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])


def token_for_credentials(*, request, email: str, password: str, code: str = "") -> Token:
    """The user's API token, made on first use and again once it expired; a ValidationError
    (a 400 in the API) when the credentials fail or the email was never confirmed (the pages
    ask the same to sign in), or when two-factor sign-in is on and `code` is not a current
    one; PermissionDenied (403) for staff who have not set up two-factor sign-in.

    Not one transaction: the failed attempt django-axes records during `authenticate` must
    outlive the error raised here (the token's own writes are atomic)."""
    user = authenticate(request, email=email.strip().lower(), password=password)
    if user is None or not user.is_active:
        raise ValidationError({NON_FIELD_ERRORS: [_("Unable to sign in with these credentials.")]})
    if not has_verified_email(user):
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    _(
                        "Confirm your email address first: follow the link we emailed you, or sign in "
                        "on the website to get a new one. Then ask for a token again."
                    )
                ]
            }
        )
    require_second_factor(user, code)
    with transaction.atomic():
        token = Token.objects.select_for_update().filter(user=user).first()
        if token is not None and token_expires_at(token) <= timezone.now():
            token.delete()
            token = None
        if token is None:
            token = Token.objects.create(user=user)
    return token


def token_expires_at(token: Token, *, lifetime_days: int | None = None):
    """When `token` stops working: its issue time plus the lifetime staff set (read here unless
    the caller already has it, as the token authentication does)."""
    days = api_token_lifetime_days() if lifetime_days is None else lifetime_days
    return token.created + timedelta(days=days)


@transaction.atomic
def token_revoke(*, user: User) -> int:
    """Sign the user out of the API: their token stops working at once (the next
    POST /api/v1/auth/token/ issues a new one). Returns how many tokens were revoked."""
    deleted, _by_model = Token.objects.filter(user_id=user.pk).delete()
    return deleted


# --- Users made by staff ----------------------------------------------------


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    role: str,
    full_name: str = "",
    preferred_language: str = "fa",
    verified: bool = True,
) -> User:
    """A user made by staff or an import: signs in at once when `verified`."""
    errors = rules.FieldErrors()
    email = User.objects.normalize_email(rules.single_line(email)).lower()
    if len(email) > rules.max_length(User, "email"):
        errors.add("email", _("At most %(n)d characters.") % {"n": rules.max_length(User, "email")})
    else:
        errors.check("email", validate_email, email)
    if email and User.objects.filter(email__iexact=email).exists():
        errors.add("email", _("A user with this email already exists."))
    if role not in Role.values:
        errors.add("role", _("Choose one of: %(roles)s.") % {"roles": ", ".join(Role.values)})
    if preferred_language not in Language.values:
        errors.add("preferred_language", _("Choose one of: fa, en."))
    full_name = errors.check(
        "full_name", rules.text_field, full_name, max_length=rules.max_length(User, "full_name")
    )
    if password is not None:
        errors.check("password", validate_password, password, User(email=email, full_name=full_name))
    errors.raise_if_any()
    user = User.objects.create_user(
        email,
        password,
        role=role,
        full_name=full_name or "",
        preferred_language=preferred_language,
        is_staff=role == Role.STAFF,
    )
    if password is None:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if verified:
        mark_email_verified(user=user)
    return user


@transaction.atomic
def user_set_role(*, user: User, role: str) -> User:
    """Set the role chosen at sign-up: only producer or buyer can be chosen by oneself."""
    if role not in PARTY_ROLES:
        raise ValidationError({"role": [_("Choose producer or buyer.")]})
    user.role = role
    user.save(update_fields=["role"])
    return user


# --- Producer and buyer profiles --------------------------------------------

# The fields of a company profile its owner (or staff) writes, in the order the API shows
# them: the one list of each (the services refuse the others; the serializers read it).
PRODUCER_FIELDS = (
    "name",
    "description",
    "province",
    "city",
    "website",
    "email",
    "phone",
    "contact_name",
    "sectors",
    "target_markets",
    "open_to_any_market",
    "export_experience",
    "certifications",
    "languages",
    "employees",
    "founded",
)
BUYER_FIELDS = (
    "company_name",
    "country",
    "city",
    "website",
    "email",
    "phone",
    "contact_name",
    "description",
    "sought_sectors",
    "seeks_parts",
    "annual_demand",
    "demand_unit",
    "typical_order",
    "required_certifications",
    "languages",
)
STAFF_ONLY_FIELDS = ("owner",)  # `verified` is kept by accounts.verifications, never set
# Text fields keep their lines only here; every other is one line (portal.validation). The
# lengths are the model's.
MULTI_LINE_FIELDS = {"description"}
URL_LENGTH = rules.max_length(ProducerProfile, "website")
EMAIL_LENGTH = rules.max_length(ProducerProfile, "email")
EARLIEST_FOUNDED = 1800  # a year founded, Gregorian


def _text(errors: rules.FieldErrors, profile, field: str, value, *, required: bool = False) -> str:
    text = errors.check(
        field,
        rules.text_field,
        value,
        max_length=rules.max_length(type(profile), field),
        required=required,
        lines=field in MULTI_LINE_FIELDS,
    )
    return text or ""


def founded_years() -> range:
    """The years a company may have been founded in (Gregorian): 1800 to this year."""
    return range(EARLIEST_FOUNDED, timezone.now().year + 1)


def _year(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("Enter a year such as 1998.")) from None
    if year not in founded_years():
        raise ValidationError(_("Enter a year between 1800 and this year."))
    return year


def _count(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("Enter a whole number.")) from None
    if not 0 < number <= 1_000_000:
        raise ValidationError(_("Enter a number between 1 and 1,000,000."))
    return number


def _url(value) -> str:
    text = rules.single_line(value)
    if text and "://" not in text:
        text = f"https://{text}"
    if len(text) > URL_LENGTH:
        raise ValidationError(_("At most %(n)d characters.") % {"n": URL_LENGTH})
    if text:
        URLValidator(schemes=["http", "https"])(text)
    return text


def _email(value) -> str:
    text = rules.single_line(value).lower()
    if len(text) > EMAIL_LENGTH:
        raise ValidationError(_("At most %(n)d characters.") % {"n": EMAIL_LENGTH})
    if text:
        validate_email(text)
    return text


def _apply_common(obj, data: dict[str, Any], errors: rules.FieldErrors) -> None:
    for field in ("city", "contact_name", "description"):
        if field in data:
            setattr(obj, field, _text(errors, obj, field, data[field]))
    if "website" in data:
        obj.website = errors.check("website", _url, data["website"]) or ""
    if "email" in data:
        obj.email = errors.check("email", _email, data["email"]) or ""
    if "phone" in data:
        obj.phone = errors.check("phone", rules.phone_number, data["phone"]) or ""
    if "languages" in data:
        obj.languages = (
            errors.check("languages", rules.language_codes, rules.as_list(data["languages"])) or []
        )


def _reject_unknown(
    data: dict[str, Any], writable: tuple[str, ...], actor: User, errors: rules.FieldErrors
) -> None:
    also = (*TEXT_INPUTS, *(STAFF_ONLY_FIELDS if actor.is_portal_staff else ()))
    errors.reject_unknown(data, writable, also=also)


def _apply_producer_fields(profile: ProducerProfile, data: dict[str, Any], actor: User) -> list | None:
    """Validate onto `profile`; return the declared sectors to set after saving (None: unchanged)."""
    errors = rules.FieldErrors()
    _reject_unknown(data, PRODUCER_FIELDS, actor, errors)
    if "name" in data or profile._state.adding:
        profile.name = _text(errors, profile, "name", data.get("name", profile.name), required=True)
    apply_texts_input(profile, data, errors)
    if "province" in data:
        profile.province = _text(errors, profile, "province", data["province"]) or "East Azerbaijan"
    _apply_common(profile, data, errors)
    for field in ("target_markets", "export_experience"):
        if field in data:
            setattr(
                profile, field, errors.check(field, rules.country_codes, rules.as_list(data[field])) or []
            )
    if "open_to_any_market" in data:
        profile.open_to_any_market = bool(data["open_to_any_market"])
    if "certifications" in data:
        profile.certifications = (
            errors.check("certifications", rules.certification_codes, rules.as_list(data["certifications"]))
            or []
        )
    if "employees" in data:
        profile.employees = errors.check("employees", _count, data["employees"])
    if "founded" in data:
        profile.founded = errors.check("founded", _year, data["founded"])
    sectors = None
    if "sectors" in data:
        sectors = errors.check("sectors", sectors_for_codes, rules.as_list(data["sectors"]))
    errors.raise_if_any()
    return sectors


def _apply_buyer_fields(profile: BuyerProfile, data: dict[str, Any], actor: User) -> list | None:
    errors = rules.FieldErrors()
    _reject_unknown(data, BUYER_FIELDS, actor, errors)
    if "company_name" in data or profile._state.adding:
        profile.company_name = _text(
            errors, profile, "company_name", data.get("company_name", profile.company_name), required=True
        )
    apply_texts_input(profile, data, errors)
    if "country" in data or profile._state.adding:
        profile.country = errors.check("country", rules.country_code, data.get("country")) or ""
    _apply_common(profile, data, errors)
    for field in ("annual_demand", "typical_order"):
        if field in data:
            setattr(profile, field, errors.check(field, rules.positive_quantity, data[field]))
    if "seeks_parts" in data:
        profile.seeks_parts = bool(data["seeks_parts"])
    if "demand_unit" in data:
        unit = rules.single_line(data["demand_unit"])
        if unit and unit not in CapacityUnit.values:
            errors.add(
                "demand_unit", _("Choose one of: %(units)s.") % {"units": ", ".join(CapacityUnit.values)}
            )
        profile.demand_unit = unit
    if "required_certifications" in data:
        profile.required_certifications = (
            errors.check(
                "required_certifications",
                rules.certification_codes,
                rules.as_list(data["required_certifications"]),
            )
            or []
        )
    if profile.annual_demand is not None and not profile.demand_unit:
        errors.add("demand_unit", _("Give the unit of the annual demand."))
    demand, order = profile.annual_demand, profile.typical_order
    if demand is not None and order is not None and order > demand:
        errors.add("typical_order", _("A typical order cannot exceed the annual demand."))
    sectors = None
    if "sought_sectors" in data:
        sectors = errors.check("sought_sectors", sectors_for_codes, rules.as_list(data["sought_sectors"]))
    errors.raise_if_any()
    return sectors


def _announce(profile: ProducerProfile | BuyerProfile, *, changed=None) -> None:
    """Tell the apps above (accounts.signals) that `profile` was created (`changed` None) or
    updated (`changed`: the fields written), inside this transaction: matchmaking rematches it
    once the transaction commits (debounced), the catalogue re-indexes its products' text."""
    signal = producer_changed if isinstance(profile, ProducerProfile) else buyer_changed
    signal.send(
        sender=type(profile),
        profile=profile,
        created=changed is None,
        changed=None if changed is None else frozenset(changed),
    )


def _owner_for_new_profile(*, actor: User, owner: User | None, role: str, model: type) -> User:
    if owner is None or owner == actor:
        owner = actor
    elif not actor.is_portal_staff:
        raise PermissionDenied(_("Only staff may create a profile for another user."))
    if owner.role != role:
        raise ValidationError({"owner": [_("This user is not a %(role)s.") % {"role": Role(role).label}]})
    if model.objects.filter(owner=owner).exists():
        raise ValidationError({"owner": [_("This user already has a profile.")]})
    if owner.company_id is not None:
        # An editor acts for the company they joined; a second profile would be a second firm.
        raise ValidationError({"owner": [_("This user already belongs to a company.")]})
    return owner


def _write_profile(
    profile: ProducerProfile | BuyerProfile, *, actor: User, data: dict[str, Any], created: bool
) -> ProducerProfile | BuyerProfile:
    """Apply `data` to a producer's or buyer's profile per its rules, save it with its sectors
    (declared or sought), and announce the write (accounts.signals)."""
    if created:
        name = data.get("name" if isinstance(profile, ProducerProfile) else "company_name")
        profile.original_language = initial_language(data, [name, data.get("description")], get_language())
    if isinstance(profile, ProducerProfile):
        sectors, relation = _apply_producer_fields(profile, data, actor), "declared_sectors"
    else:
        sectors, relation = _apply_buyer_fields(profile, data, actor), "sought_sectors"
    profile.save()
    if created:
        record_owner(user=profile.owner, company=profile.company)
    if sectors is not None:
        getattr(profile, relation).set(sectors)
    _announce(profile, changed=None if created else data)
    return profile


@transaction.atomic
@records_actor
def producer_profile_create(
    *, actor: User, data: dict[str, Any], owner: User | None = None
) -> ProducerProfile:
    """A producer's company profile: by the producer itself or by staff for an owner."""
    owner = _owner_for_new_profile(actor=actor, owner=owner, role=Role.PRODUCER, model=ProducerProfile)
    return _write_profile(ProducerProfile(owner=owner), actor=actor, data=data, created=True)


@transaction.atomic
@records_actor
def producer_profile_update(
    *, profile: ProducerProfile, actor: User, data: dict[str, Any]
) -> ProducerProfile:
    profile = ProducerProfile.objects.select_for_update().get(pk=profile.pk)
    if not can_edit_producer(actor, profile):
        raise PermissionDenied(_("You may not change this profile."))
    return _write_profile(profile, actor=actor, data=data, created=False)


@transaction.atomic
@records_actor
def producer_profile_delete(*, profile: ProducerProfile, actor: User) -> None:
    """Delete the company's profile (and the company): its owner or staff, not an editor."""
    if not can_manage_company(actor, profile.company):
        raise PermissionDenied(_("You may not delete this profile."))
    company = profile.company
    company.members.update(company=None, company_role="")
    company.delete()  # and the profile with it


@transaction.atomic
@records_actor
def buyer_profile_create(*, actor: User, data: dict[str, Any], owner: User | None = None) -> BuyerProfile:
    owner = _owner_for_new_profile(actor=actor, owner=owner, role=Role.BUYER, model=BuyerProfile)
    return _write_profile(BuyerProfile(owner=owner), actor=actor, data=data, created=True)


@transaction.atomic
@records_actor
def buyer_profile_update(*, profile: BuyerProfile, actor: User, data: dict[str, Any]) -> BuyerProfile:
    profile = BuyerProfile.objects.select_for_update().get(pk=profile.pk)
    if not can_edit_buyer(actor, profile):
        raise PermissionDenied(_("You may not change this profile."))
    return _write_profile(profile, actor=actor, data=data, created=False)
