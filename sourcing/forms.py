"""The buyer's request form with its lines, and the counsellor's review forms.

Forms parse and present; the rules live in `sourcing.services`, whose ValidationError the
page shows beside the fields (a line's errors beside that line's fields).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import (
    CERTIFICATIONS_TEXT_LENGTH,
    BootstrapFormMixin,
    ServiceForm,
    codes_text,
    country_choices,
    plain_number,
    quantity_field,
)
from portal.dates import DATE_INPUT_LENGTH, date_text
from portal.text_forms import TranslatedTextsForm, texts_initial
from portal.validation import max_length
from taxonomy.models import CapacityUnit, Incoterm, SectorLevel
from taxonomy.widgets import HSCodePickerWidget

from .models import BuyingRequest, RequestLine, RequestStatus
from .services import LINE_FIELDS, MAX_LINES, NOTE_LENGTH


def _countries_with_blank() -> list[tuple[str, str]]:
    return [("", _("Choose a country"))] + country_choices()


class RequestForm(TranslatedTextsForm, ServiceForm):
    """A request's header: what, where to, on which terms, by when."""

    translated = {"title": _("Title"), "description": _("Description")}

    title = forms.CharField(
        label=_("Title"),
        max_length=max_length(BuyingRequest, "title"),
        help_text=_("What you want to buy, e.g. “Centrifugal pumps for a water project”."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=max_length(BuyingRequest, "description"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Anything producers should know. They do not see your company until the trade counsellor "
            "forwards a match: do not name it here, in the title or in the port."
        ),
    )
    destination_country = forms.ChoiceField(label=_("Destination country"), choices=_countries_with_blank)
    destination_port = forms.CharField(
        label=_("Destination port or city"),
        required=False,
        max_length=max_length(BuyingRequest, "destination_port"),
        help_text=_("e.g. Umm Qasr, Basra."),
    )
    incoterm = forms.ChoiceField(
        label=_("Incoterm 2020"),
        required=False,
        choices=[("", _("Not decided"))] + Incoterm.choices,
        help_text=_("The delivery terms you want quotes on, e.g. CIF or FOB."),
    )
    currency = forms.CharField(
        label=_("Currency of the target prices"),
        initial="USD",
        max_length=3,
        help_text=_("ISO 4217 code, e.g. USD, EUR."),
        widget=forms.TextInput(attrs={"dir": "ltr", "size": 4}),
    )
    deadline = forms.CharField(
        label=_("Delivery deadline"),
        max_length=DATE_INPUT_LENGTH,
        help_text=_(
            "Year-month-day, in the Persian calendar (1405-12-29) or the Gregorian one (2027-03-20)."
        ),
        widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric", "autocomplete": "off"}),
    )
    required_certifications = forms.CharField(
        label=_("Required certifications"),
        required=False,
        max_length=CERTIFICATIONS_TEXT_LENGTH,
        help_text=_("Separated by commas, e.g. ISO9001, CE."),
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )

    @staticmethod
    def initial_from(request: BuyingRequest | None, buyer=None) -> dict[str, Any]:
        if request is None:
            return {"destination_country": buyer.country.code if buyer is not None else "", "currency": "USD"}
        return {
            **texts_initial(request, RequestForm.translated),
            "destination_country": request.destination_country.code,
            "destination_port": request.destination_port,
            "incoterm": request.incoterm,
            "currency": request.currency,
            "deadline": date_text(request.deadline),
            "required_certifications": codes_text(request.required_certifications),
        }


class LineForm(BootstrapFormMixin, forms.Form):
    """One line: an HS code, how much, in which unit, at what target price."""

    hs_code = forms.CharField(
        label=_("HS code"),
        max_length=20,
        widget=HSCodePickerWidget(min_level=SectorLevel.CHAPTER),
        help_text=_("2, 4 or 6 digits, e.g. 8413 (pumps for liquids)."),
    )
    quantity = quantity_field(_("Quantity"), required=True)
    unit = forms.ChoiceField(label=_("Unit"), choices=[("", _("Choose a unit"))] + CapacityUnit.choices)
    target_price = quantity_field(_("Target unit price"), help_text=_("Optional; in the request's currency."))
    specification = forms.CharField(
        label=_("Specification"),
        required=False,
        max_length=max_length(RequestLine, "specification"),
        help_text=_("Size, grade, standard, packing…"),
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs["empty_permitted"] = True  # a blank line is left out, wherever it is
        kwargs.setdefault("use_required_attribute", False)
        super().__init__(*args, **kwargs)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", None) or {}
        return not any(data.get(field) for field in LINE_FIELDS)

    @staticmethod
    def initial_from(line: RequestLine) -> dict[str, Any]:
        return {
            "hs_code": line.sector_id,
            "quantity": plain_number(line.quantity),
            "unit": line.unit,
            "target_price": plain_number(line.target_price),
            "specification": line.specification,
        }


LINES_PREFIX = "lines"


def line_formset(*, data=None, initial=None, extra: int = 0) -> forms.BaseFormSet:
    """The request's lines as a formset ("lines-0-hs_code", …): at most MAX_LINES, `extra`
    blank ones after those of `initial`."""
    extra = max(0, min(extra, MAX_LINES - len(initial or [])))
    formset = forms.formset_factory(
        LineForm, extra=extra, can_delete=True, max_num=MAX_LINES, absolute_max=MAX_LINES, validate_max=True
    )
    return formset(data=data, initial=initial, prefix=LINES_PREFIX)


class NoteForm(BootstrapFormMixin, forms.Form):
    """A counsellor's optional note (approve, close)."""

    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReturnForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(
        label=_("What should the buyer change?"),
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The buyer reads this in the email and on the request's page."),
    )


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses"))] + RequestStatus.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
