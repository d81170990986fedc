"""The dashboard's period: a preset link (`period=`) or typed dates (`start=`, `end=`)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.forms import BootstrapFormMixin
from portal.dates import DATE_INPUT_LENGTH, parse_date

from . import periods

DATE_HELP = _("Year-month-day, in the Persian calendar (1405-01-01) or the Gregorian one (2026-03-21).")


def _date_field(label):
    return forms.CharField(
        label=label,
        required=False,
        max_length=DATE_INPUT_LENGTH,
        help_text=DATE_HELP,
        widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric", "autocomplete": "off"}),
    )


class PeriodForm(BootstrapFormMixin, forms.Form):
    """Typed dates win over a preset; neither: the default preset (all time)."""

    period = forms.ChoiceField(
        required=False, choices=list(periods.PRESETS.items()), widget=forms.HiddenInput
    )
    start = _date_field(_("From"))
    end = _date_field(_("To"))

    def _clean_date(self, name):
        value = self.cleaned_data.get(name)
        return parse_date(value) if value else None

    def clean_start(self):
        return self._clean_date("start")

    def clean_end(self):
        return self._clean_date("end")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data.get("start") or data.get("end"):
            try:
                data["chosen"] = periods.chosen(data.get("start"), data.get("end"))
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(field, messages)
        else:
            data["chosen"] = periods.preset(data.get("period") or periods.DEFAULT)
        return data

    def chosen_period(self) -> periods.Period:
        """The period asked for; the default one while the form has errors."""
        if self.is_valid():
            return self.cleaned_data["chosen"]
        return periods.preset(periods.DEFAULT)
