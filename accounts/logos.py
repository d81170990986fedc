"""Company logos: set and removed by the company's members or staff (docs/design.md "Trust and media").

The picture is judged by its content (`portal.uploads.check_image`: decoded in full,
re-encoded without its metadata), kept at most `CompanyLogo.LOGO_SIDE` pixels on its longer
side with a `THUMBNAIL_SIDE` thumbnail, on the public storage under random names. A refused
file stores nothing; a replaced or removed logo's files go once the write commits, and so do
a deleted profile's (`delete_logo_files`, connected in `AccountsConfig.ready()`).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.pictures import delete_after_commit, delete_now, save_file
from portal.uploads import check_image

from .models import BuyerProfile, CompanyLogo, ProducerProfile
from .policies import can_edit_company
from .signals import buyer_changed, producer_changed

LOGO_FIELDS = frozenset({"logo"})


def logo_max_bytes() -> int:
    return int(getattr(settings, "ACCOUNTS_LOGO_MAX_BYTES", 5 * 1024 * 1024))


def upload_cap() -> int:
    """The largest multipart body a path taking a logo needs (portal/request_guard.py)."""
    return logo_max_bytes() + 1024 * 1024


def _check_may_edit(actor, profile) -> None:
    if not can_edit_company(actor, profile):
        raise PermissionDenied(_("You may not change this company's logo."))


def _announce(profile) -> None:
    signal = producer_changed if isinstance(profile, ProducerProfile) else buyer_changed
    signal.send(sender=type(profile), profile=profile, created=False, changed=LOGO_FIELDS)


def _locked(profile):
    return type(profile).objects.select_for_update().get(pk=profile.pk)


@transaction.atomic
def company_logo_set(*, profile: ProducerProfile | BuyerProfile, actor, upload):
    """Make `upload` the logo of `profile`'s company; ValidationError({"image": ...}) when it is
    not a picture the portal accepts (nothing stored)."""
    _check_may_edit(actor, profile)
    try:
        checked = check_image(upload, max_bytes=logo_max_bytes())
    except ValidationError as error:
        raise ValidationError({"image": error.messages}) from None
    logo = checked.thumbnail(CompanyLogo.LOGO_SIDE)
    thumbnail = logo.thumbnail(CompanyLogo.THUMBNAIL_SIDE)
    profile = _locked(profile)
    old = profile.logo_files()
    storage = profile.logo.storage
    try:
        save_file(profile.logo, logo)
        save_file(profile.logo_thumbnail, thumbnail)
        profile.logo_width, profile.logo_height = logo.width, logo.height
        profile.save(update_fields=["logo", "logo_thumbnail", "logo_width", "logo_height", "updated_at"])
    except BaseException:
        delete_now(storage, set(profile.logo_files()) - set(old))
        raise
    delete_after_commit(storage, old)
    _announce(profile)
    return profile


@transaction.atomic
def company_logo_remove(*, profile: ProducerProfile | BuyerProfile, actor):
    """Remove the logo of `profile`'s company (nothing to do without one)."""
    _check_may_edit(actor, profile)
    profile = _locked(profile)
    old = profile.logo_files()
    if not old:
        return profile
    storage = profile.logo.storage
    profile.logo = profile.logo_thumbnail = ""
    profile.logo_width = profile.logo_height = None
    profile.save(update_fields=["logo", "logo_thumbnail", "logo_width", "logo_height", "updated_at"])
    delete_after_commit(storage, old)
    _announce(profile)
    return profile


def delete_logo_files(sender, instance: CompanyLogo, **kwargs) -> None:
    """A profile about to be deleted (or its owner or company with it): its logo's files go once
    the deletion commits. The names are read from the row (the instance may predate the logo)."""
    rows = sender.objects.filter(pk=instance.pk).exclude(logo="").values_list("logo", "logo_thumbnail")
    delete_after_commit(instance.logo.storage, [name for row in rows for name in row])
