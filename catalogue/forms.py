"""The producer's product form, for its product pages and the onboarding's products step.

It parses and presents; the rules live in `catalogue.services`, whose
ValidationError the form shows beside its fields (`ServiceForm.submit`).
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import (
    CERTIFICATIONS_TEXT_LENGTH,
    SMALL_NUMBER_LENGTH,
    ServiceForm,
    codes_text,
    plain_number,
    quantity_field,
)
from portal.text_forms import TranslatedTextsForm, texts_initial
from taxonomy.models import CapacityUnit, Incoterm, SectorLevel
from taxonomy.widgets import HSCodePickerWidget

from .invitations import MAX_RESEND


def hs_code_widget() -> forms.Widget:
    """The catalogue's HS code picker for one 2, 4 or 6-digit code (sections left out)."""
    return HSCodePickerWidget(min_level=SectorLevel.CHAPTER)


class ProductForm(TranslatedTextsForm, ServiceForm):
    """A product line; `compact=True` keeps what onboarding asks for."""

    translated = {"name": _("Product name"), "description": _("Description")}

    COMPACT_FIELDS = ("name", "hs_code", "annual_capacity", "available_capacity", "capacity_unit", "moq")

    name = forms.CharField(label=_("Product name"), max_length=200)
    hs_code = forms.CharField(
        label=_("HS code"),
        max_length=20,
        widget=hs_code_widget(),
        help_text=_("The product’s Harmonized System code: 2, 4 or 6 digits, e.g. 8418."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    annual_capacity = quantity_field(_("Annual production capacity"), required=True)
    available_capacity = quantity_field(
        _("Capacity free for export each year"),
        help_text=_("Leave empty when all of the annual capacity is free for export."),
    )
    capacity_unit = forms.ChoiceField(
        label=_("Capacity unit"), choices=[("", _("Choose a unit"))] + CapacityUnit.choices
    )
    moq = quantity_field(_("Minimum order quantity"), help_text=_("In the capacity unit."))
    lead_time_days = forms.CharField(
        label=_("Lead time (days)"),
        required=False,
        max_length=SMALL_NUMBER_LENGTH,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr"}),
    )
    price_min = quantity_field(_("Minimum price per unit"))
    price_max = quantity_field(_("Maximum price per unit"))
    currency = forms.CharField(
        label=_("Currency"),
        initial="USD",
        max_length=3,
        help_text=_("ISO 4217 code, e.g. USD, EUR."),
        widget=forms.TextInput(attrs={"dir": "ltr", "size": 4}),
    )
    incoterms = forms.MultipleChoiceField(
        label=_("Incoterms offered"),
        required=False,
        choices=Incoterm.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    certifications = forms.CharField(
        label=_("Certifications"),
        required=False,
        max_length=CERTIFICATIONS_TEXT_LENGTH,
        help_text=_("Separated by commas, e.g. ISO9001, CE."),
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )
    is_active = forms.BooleanField(label=_("Listed in the catalogue"), required=False, initial=True)

    def __init__(self, *args, compact: bool = False, **kwargs) -> None:
        # The fields onboarding leaves out go before the translations of the rest are added.
        self.compact = compact
        super().__init__(*args, **kwargs)

    def order_fields(self, field_order):
        # Called by Django's form first (then compact drops what onboarding leaves out), and
        # again once the translations of the fields kept are added.
        if getattr(self, "compact", False):
            self.compact = False
            for name in list(self.fields):
                if name not in self.COMPACT_FIELDS:
                    del self.fields[name]
        super().order_fields(field_order)

    @staticmethod
    def initial_from(product) -> dict[str, Any]:
        return {
            **texts_initial(product, ProductForm.translated),
            "hs_code": product.hs_code_id,
            "annual_capacity": plain_number(product.annual_capacity),
            "available_capacity": plain_number(product.available_capacity),
            "capacity_unit": product.capacity_unit,
            "moq": plain_number(product.moq),
            "lead_time_days": plain_number(product.lead_time_days),
            "price_min": plain_number(product.price_min),
            "price_max": plain_number(product.price_max),
            "currency": product.currency,
            "incoterms": list(product.incoterms or []),
            "certifications": codes_text(product.certifications),
            "is_active": product.is_active,
        }


# --- The staff page that imports producers (catalogue/import_pages.py) ----------------------


class ProducerImportForm(forms.Form):
    """The member list to dry-run; `catalogue.import_uploads` judges the file by its content."""

    file = forms.FileField(
        label=_("Member list (CSV or Excel .xlsx)"),
        help_text=_(
            "The first sheet of an Excel workbook, or a CSV file in UTF-8. Line 1 names the columns; "
            "email and company_name are required."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    send_invitations = forms.BooleanField(
        label=_("Email each new producer an invitation to choose a password"), required=False, initial=True
    )


class ProducerImportCommitForm(forms.Form):
    token = forms.CharField(max_length=64, widget=forms.HiddenInput)


class _Ids(forms.TypedMultipleChoiceField):
    """Ids the service judges (one who signed in meanwhile is reported, not a form error)."""

    def valid_value(self, value) -> bool:
        return str(value).isdigit() and len(str(value)) < 12


class InvitationResendForm(forms.Form):
    """The producers chosen (`users`), or the one whose own button was pressed (`only`)."""

    users = _Ids(coerce=int, required=False)
    only = forms.IntegerField(required=False, min_value=1)

    def clean(self) -> dict:
        data = super().clean()
        chosen = [data["only"]] if data.get("only") else data.get("users") or []
        if not chosen and not self.errors:
            raise forms.ValidationError(_("Choose the producers to send the invitation to."))
        data["chosen"] = chosen[:MAX_RESEND]
        return data
