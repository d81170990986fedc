"""The digest preferences form: it parses and presents; `digests.services` decides what is
valid, and its field errors are shown beside the fields."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.forms import ServiceForm

from .models import Frequency


def _language_choices() -> list[tuple[str, str]]:
    return [("", _("My preferred language")), *settings.LANGUAGES]


class DigestPreferenceForm(ServiceForm):
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=Frequency.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "A digest lists what is new since the previous one; when nothing is new, no email is sent."
        ),
    )
    language = forms.ChoiceField(
        label=_("Language of the digest"),
        choices=_language_choices,
        required=False,
        help_text=_("Your preferred language unless you choose another one here."),
    )
