"""The quote pages' forms: they parse and present; deals.quotes holds the rules.

A page may show many quotes, each with its decision forms: ids carry the quote and the action
(`auto_id`), the posted names stay plain.
"""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import SMALL_NUMBER_LENGTH, BootstrapFormMixin, ServiceForm, plain_number, quantity_field
from taxonomy.models import CapacityUnit, Incoterm

from .conversation_forms import attachment_files_field, files_help_text
from .quotes import NOTE_LENGTH, last_valid_day, quote_defaults

DEFAULT_VALIDITY_DAYS = 30


def _note_field(label, help_text="") -> forms.CharField:
    # Not required: the service says what is wrong, in the same words as the API.
    return forms.CharField(
        label=label,
        required=False,
        max_length=NOTE_LENGTH,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": NOTE_LENGTH}),
    )


class QuoteForm(ServiceForm):
    """A producer's quote on one match, prefilled from its buying request and line."""

    unit_price = quantity_field(_("Unit price"), help_text=_("Per unit, in the currency below."))
    currency = forms.CharField(
        label=_("Currency"),
        required=False,
        max_length=3,
        help_text=_("ISO 4217, e.g. USD, EUR, IQD."),
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off", "size": 4}),
    )
    quantity = quantity_field(_("Quantity"))
    unit = forms.ChoiceField(label=_("Unit"), required=False, choices=[("", "—"), *CapacityUnit.choices])
    incoterm = forms.ChoiceField(
        label=_("Incoterm 2020"), required=False, choices=[("", "—"), *Incoterm.choices]
    )
    lead_time_days = forms.CharField(
        label=_("Lead time (days)"),
        required=False,
        max_length=SMALL_NUMBER_LENGTH,
        help_text=_("From the order to delivery on these terms: 0 to 730."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr", "autocomplete": "off"}),
    )
    valid_until = forms.CharField(
        label=_("Valid until"),
        required=False,
        max_length=SMALL_NUMBER_LENGTH,
        help_text=_("Up to a year from today. The quote expires after this day."),
        widget=forms.DateInput(attrs={"type": "date", "dir": "ltr"}),
    )
    note = _note_field(_("Note to the buyer"), _("Optional. Packing, payment terms, what is included."))
    # The quote's documents: a price list, a specification, photos (the service judges them).
    files = attachment_files_field()

    def __init__(self, *args, match=None, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"match-{match.pk}-quote-%s" if match is not None else "quote-%s")
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = files_help_text()
        today = timezone.localdate()
        self.fields["valid_until"].widget.attrs.update(
            {"min": today.isoformat(), "max": last_valid_day(today).isoformat()}
        )
        if not self.is_bound and match is not None:
            self.initial.update(self.prefill(match, today))

    @staticmethod
    def prefill(match, today: datetime.date) -> dict:
        initial = {"valid_until": (today + datetime.timedelta(days=DEFAULT_VALIDITY_DAYS)).isoformat()}
        for name, value in quote_defaults(match).items():
            initial[name] = plain_number(value) if name == "quantity" else value
        return initial

    def service_data(self) -> dict:
        """What was typed, blanks left out (the service fills the request's defaults); the
        files apart (`attached_files()`)."""
        return {
            name: value
            for name, value in super().service_data().items()
            if name != "files" and value not in ("", None)
        }

    def attached_files(self) -> list:
        return self.cleaned_data.get("files") or []


class QuoteDecisionForm(BootstrapFormMixin, forms.Form):
    """The buyer's optional note with an acceptance or a decline."""

    note = _note_field(_("Note to the producer"), _("Optional."))

    def __init__(self, *args, quote=None, action: str = "decide", **kwargs) -> None:
        if quote is not None:
            kwargs.setdefault("auto_id", f"quote-{quote.pk}-{action}-%s")
        super().__init__(*args, **kwargs)
