"""How allauth fits the portal: new users land on onboarding, mail goes out in the user's language."""

from dataclasses import dataclass

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.translation import gettext

from portal import languages

from .onboarding import needs_onboarding


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Producers and buyers whose profile is not ready to match go on with onboarding."""
        if needs_onboarding(request.user):
            return reverse("accounts:onboarding")
        return super().get_login_redirect_url(request)

    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        # The new user's name comes with the sign-up form; the role and language are
        # set by the form through accounts.services once the user exists.
        user.full_name = (form.cleaned_data.get("full_name") or "").strip()
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Mail about an account is written in its owner's preferred language."""
        language = getattr(context.get("user"), "preferred_language", None)
        if not languages.is_supported(language):
            return super().send_mail(template_prefix, email, {"current_site": portal_site(), **context})
        with translation.override(language):
            return super().send_mail(template_prefix, email, {"current_site": portal_site(), **context})

    def format_email_subject(self, subject) -> str:
        """Subjects start with the site's name from the settings, in the mail's language."""
        return f"[{portal_site().name}] {force_str(subject)}"


@dataclass(frozen=True)
class PortalSite:
    name: str
    domain: str


def portal_site() -> PortalSite:
    """The site as emails name it ("Hello from ..."): PORTAL_SITE_NAME, in the active language
    when it is the portal's own name, and the host of PORTAL_BASE_URL (never "example.com")."""
    return PortalSite(name=gettext(settings.PORTAL_SITE_NAME), domain=settings.PORTAL_SITE_DOMAIN)
