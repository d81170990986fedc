"""`python manage.py reset_mfa EMAIL`: remove an account's two-factor sign-in (a lost phone and no
recovery codes left), so that its owner sets it up again at the next sign-in."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.two_factor import reset_two_factor


class Command(BaseCommand):
    help = (
        "Remove the authenticator app and recovery codes of the account with this email. Its owner "
        "signs in with the password alone once (staff are then sent to set up a new app). "
        "Recorded in the audit trail."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("email", help="The account's email address.")
        parser.add_argument(
            "--by", default="", help="The email of the staff member doing it, for the audit trail."
        )

    def handle(self, *args, email: str, by: str, **options) -> None:
        user = _account(email)
        actor = _account(by) if by else None
        if actor is not None and not actor.is_portal_staff:
            raise CommandError(_("%(email)s is not a staff account.") % {"email": actor.email})
        removed = reset_two_factor(user=user, actor=actor)
        if not removed:
            self.stdout.write(
                _("%(email)s had no two-factor sign-in: nothing to reset.") % {"email": user.email}
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Two-factor sign-in of %(email)s removed. They sign in with the password and set it up again."
                )
                % {"email": user.email}
            )
        )


def _account(email: str) -> User:
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise CommandError(_("No account has the email %(email)s.") % {"email": email})
    return user
