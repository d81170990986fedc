"""Forms of the counsellors' pages. They parse and present; the rules live in the services
(`counsellors.briefs`, `counsellors.bulk`), whose field errors are shown beside the fields."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import CODES_TEXT_LENGTH, ServiceForm, country_choices
from accounts.models import Language
from counsellors.briefs import brief_countries
from counsellors.bulk import FORWARD, REJECT
from counsellors.models import MarketBrief
from matchmaking.models import RejectReason
from portal.text_forms import TranslatedTextsForm, texts_initial
from taxonomy.models import SectorLevel
from taxonomy.sectors import split_codes
from taxonomy.widgets import HSCodesPickerWidget

_CODE_SEPARATORS = re.compile(r"[,\u060c;\s]+")  # commas (Latin and Persian), semicolons, spaces


class BriefForm(TranslatedTextsForm, ServiceForm):
    translated = {"title": _("Title"), "body": _("Text")}

    title = forms.CharField(label=_("Title"), max_length=200)
    country = forms.ChoiceField(
        label=_("Country"),
        required=False,
        choices=lambda: [("", _("Choose a country")), *country_choices()],
        help_text=_("The market the brief is about; yours by default."),
    )
    sectors = forms.CharField(
        label=_("Sectors (HS codes)"),
        required=False,
        max_length=CODES_TEXT_LENGTH,
        widget=HSCodesPickerWidget(min_level=SectorLevel.CHAPTER),
        help_text=_(
            "HS codes of 2, 4 or 6 digits separated by commas, e.g. 84, 8418. "
            "Leave empty for a brief on the whole market."
        ),
    )
    body = forms.CharField(
        label=_("Text"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "Written in Markdown: a blank line between paragraphs, **bold**, *italic*, "
            "lists starting with “-”, headings with “##”, links as [text](https://…) "
            "and tables. HTML is removed."
        ),
    )

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        allowed = brief_countries(user) if user is not None else None
        if allowed is not None:
            # A counsellor picks among the countries they are posted to or cover (the service
            # refuses any other).
            self.fields["country"].choices = [
                ("", _("Choose a country")),
                *((code, name) for code, name in country_choices() if code in allowed),
            ]

    def clean_sectors(self) -> list[str]:
        return split_codes(self.cleaned_data.get("sectors", ""))

    @staticmethod
    def initial_for(user) -> dict[str, Any]:
        profile = getattr(user, "counsellor_profile", None) if user.is_counsellor else None
        return {
            "country": profile.posted_country.code if profile is not None else "",
            "language": user.preferred_language or Language.PERSIAN,  # the language of the texts
        }

    @staticmethod
    def initial_from(brief: MarketBrief) -> dict[str, Any]:
        return {
            **texts_initial(brief, BriefForm.translated),
            "country": brief.country.code if brief.country else "",
            "sectors": ", ".join(sector.code for sector in brief.sectors.all()),
        }


class DeskForm(ServiceForm):
    """What a counsellor keeps of their own desk (counsellors.policies.SELF_SERVICE_FIELDS);
    where they are posted and what they cover is staff's."""

    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("With the country code, e.g. +964 770 123 4567. Shown to signed-in users."),
    )
    languages = forms.CharField(
        label=_("Languages you work in"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
        help_text=_("Language codes separated by commas, e.g. fa, ar, en."),
    )
    sectors = forms.CharField(
        label=_("Sectors you follow (HS codes)"),
        required=False,
        max_length=CODES_TEXT_LENGTH,
        widget=HSCodesPickerWidget(min_level=SectorLevel.CHAPTER),
        help_text=_("HS codes of 2, 4 or 6 digits separated by commas, e.g. 84, 8418."),
    )
    is_active = forms.BooleanField(
        label=_("I take new matches"),
        required=False,
        help_text=_("Turn it off while on leave: new matches go to your colleagues."),
    )

    def clean_languages(self) -> list[str]:
        return [
            code.strip().lower()
            for code in _CODE_SEPARATORS.split(self.cleaned_data.get("languages", ""))
            if code
        ]

    def clean_sectors(self) -> list[str]:
        return split_codes(self.cleaned_data.get("sectors", ""))

    @staticmethod
    def initial_from(profile) -> dict[str, Any]:
        return {
            "phone": profile.phone,
            "languages": ", ".join(profile.languages),
            "sectors": ", ".join(sector.code for sector in profile.sectors.all()),
            "is_active": profile.is_active,
        }


class BulkReviewForm(forms.Form):
    """The queue's bulk bar: which matches (checkboxes in the rows), forward or reject, and
    the note or reason that goes with every one of them."""

    # Not "action" and "matches": a control of that name would shadow the form element's own
    # `action` and `matches()` in the browser (htmx calls form.matches()).
    bulk_action = forms.ChoiceField(choices=[(FORWARD, _("Forward")), (REJECT, _("Reject"))])
    match = forms.Field(required=False, widget=forms.MultipleHiddenInput)
    note = forms.CharField(required=False, max_length=2000)
    reason = forms.CharField(required=False, max_length=2000)
    reason_code = forms.ChoiceField(required=False, choices=[("", "")] + list(RejectReason.choices))

    def clean_match(self) -> list[int]:
        ids = []
        for value in self.cleaned_data.get("match") or []:
            try:
                ids.append(int(value))
            except (TypeError, ValueError):
                continue
        return ids

    def text(self) -> str:
        data = self.cleaned_data
        return data.get("note", "") if data.get("bulk_action") == FORWARD else data.get("reason", "")


class BuyerTranslationsForm(TranslatedTextsForm, ServiceForm):
    """The counsellor's translations of a buyer's texts: the originals are shown, not edited."""

    translated = {"company_name": _("Company name"), "description": _("What the company does")}
    up_front = ()

    company_name = forms.CharField(disabled=True, required=False, label=_("Company name"), max_length=200)
    description = forms.CharField(
        disabled=True,
        required=False,
        max_length=5000,
        label=_("What the company does"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The language of the buyer's own texts is the buyer's to say.
        self.fields["language"].disabled = True
        self.later_fields = set()  # translations are all this page is for: none folded away

    def service_data(self) -> dict[str, Any]:
        return {"translations": super().service_data().get("translations", {})}

    @staticmethod
    def initial_from(buyer) -> dict[str, Any]:
        return texts_initial(buyer, BuyerTranslationsForm.translated)
