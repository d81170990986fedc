"""Sign-up, sign-in and profile forms, and the form helpers the apps above share.

Forms here parse and present; the rules live in the services. A profile form (or
the catalogue's product form) hands `service_data()` to a service and shows the
service's `ValidationError` beside the fields with `add_service_errors`
(`ServiceForm.submit` does both), so a page and the API report the same message
for the same bad input.
"""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from allauth.account import forms as allauth_forms
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from portal import formatting, languages
from portal.text_forms import TranslatedTextsForm, texts_initial
from portal.validation import MAX_NUMBER_LENGTH, max_length
from taxonomy.models import CapacityUnit, SectorLevel
from taxonomy.widgets import CountryPickerWidget, HSCodesPickerWidget

from .models import BuyerProfile, DocumentKind, Language, ProducerProfile, Role, User
from .places import HOME_PROVINCE, city_stored, place_shown, province_stored
from .services import founded_years, user_set_language, user_set_role
from .verifications import DocumentInput

# Only these roles can be chosen by oneself; counsellors and staff are made by staff.
SELF_SERVICE_ROLES = [
    (Role.PRODUCER.value, _("Producer — my company makes products and wants to export them")),
    (Role.BUYER.value, _("Buyer — my company abroad buys products")),
]


# --- Presentation helpers ----------------------------------------------------


def _css_class_for(widget: forms.Widget) -> str | None:
    if widget.is_hidden:
        return None
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
        return "form-check-input"
    if isinstance(widget, forms.Select):  # also SelectMultiple
        return "form-select"
    return "form-control"


def _add_css_class(widget: forms.Widget, css: str) -> None:
    classes = widget.attrs.get("class", "").split()
    if css not in classes:
        widget.attrs["class"] = " ".join([*classes, css])


class BootstrapFormMixin:
    """Bootstrap classes on every widget, and `is-invalid` on a field once it has an error.

    Labels, `aria-invalid` and `aria-describedby` (help text and errors) come from
    Django and from `accounts/includes/field.html`, which renders each field.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = _css_class_for(field.widget)
            if css:
                _add_css_class(field.widget, css)

    def add_error(self, field, error) -> None:
        super().add_error(field, error)
        names = [field] if field else []
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            names = list(error.error_dict)
        for name in names:
            if name in self.fields:
                _add_css_class(self.fields[name].widget, "is-invalid")


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's `{field: [messages]}` beside the form's fields (others on top)."""
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for field, messages in error.message_dict.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


def country_choices() -> list[tuple[str, str]]:
    """ISO 3166 countries named and sorted in the active language (evaluated per render)."""
    return [(country.code, country.name) for country in countries]


def _country_choices_with_blank() -> list[tuple[str, str]]:
    return [("", _("Choose a country"))] + country_choices()


def quantity_field(label, *, required: bool = False, help_text: str = "") -> forms.CharField:
    """A quantity typed in a text box (a decimal keyboard, left to right)."""
    # Text, not a number field: the service reads Persian digits too and owns the range rules.
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=MAX_NUMBER_LENGTH,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "dir": "ltr", "autocomplete": "off"}),
    )


# Comma-separated lists typed in one box: room for the service's most items (which it
# counts), each as long as a code may be typed.
CODES_TEXT_LENGTH = 2000
CERTIFICATIONS_TEXT_LENGTH = 1000
SMALL_NUMBER_LENGTH = 20  # a year, a head count, a number of days


def plain_number(value: Decimal | int | None) -> str:
    """1200.00 → "1200" for an input's initial value."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def codes_text(values) -> str:
    """["ISO9001", "CE"] → "ISO9001, CE" for an input's initial value."""
    return ", ".join(str(value) for value in values or [])


class ServiceForm(BootstrapFormMixin, forms.Form):
    """A form whose cleaned data goes to a service as a {field: value} dict."""

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data}

    def submit(self, save: Callable[[dict[str, Any]], Any]) -> bool:
        """Validate, call `save` (a service) with `service_data()`; on the service's
        ValidationError show it on the form. True when saved."""
        if not self.is_valid():
            return False
        try:
            save(self.service_data())
        except ValidationError as error:
            add_service_errors(self, error)
            return False
        return True


# --- Sign-up and the allauth pages ---------------------------------------------


class SignupForm(BootstrapFormMixin, allauth_forms.SignupForm):
    """allauth's sign-up plus the role (producer or buyer), full name and language."""

    full_name = forms.CharField(
        label=_("Full name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    role = forms.ChoiceField(
        label=_("I am registering as"),
        choices=SELF_SERVICE_ROLES,
        widget=forms.RadioSelect,
        help_text=_("Trade counsellors and staff accounts are made by the portal’s staff."),
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=Language.choices,
        help_text=_("Emails and pages will use this language."),
    )

    field_order = ["full_name", "email", "role", "preferred_language", "password1", "password2"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["preferred_language"].initial = languages.supported_or_default(get_language())

    def save(self, request: HttpRequest) -> User:
        # One transaction: a user is never left without the role they chose.
        with transaction.atomic():
            user = super().save(request)
            user_set_role(user=user, role=self.cleaned_data["role"])
            user_set_language(user=user, language=self.cleaned_data["preferred_language"])
        return user


class LoginForm(BootstrapFormMixin, allauth_forms.LoginForm):
    pass


class ResetPasswordForm(BootstrapFormMixin, allauth_forms.ResetPasswordForm):
    pass


class ResetPasswordKeyForm(BootstrapFormMixin, allauth_forms.ResetPasswordKeyForm):
    pass


class ChangePasswordForm(BootstrapFormMixin, allauth_forms.ChangePasswordForm):
    pass


class SetPasswordForm(BootstrapFormMixin, allauth_forms.SetPasswordForm):
    pass


class AddEmailForm(BootstrapFormMixin, allauth_forms.AddEmailForm):
    pass


class ReauthenticateForm(BootstrapFormMixin, allauth_forms.ReauthenticateForm):
    """The password asked again before a change to the account's security (allauth passes
    the signed-in `user`)."""

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, user=user, **kwargs)


# --- Producer profile -----------------------------------------------------------


def contact_fields() -> tuple[forms.Field, ...]:
    """A company's contact block (contact person, email, phone, website), the same on the
    producer's and the buyer's forms; made where the form declares it, so it keeps its place."""
    return (
        forms.CharField(label=_("Contact person"), required=False, max_length=150),
        forms.CharField(
            label=_("Contact email"),
            required=False,
            max_length=max_length(ProducerProfile, "email"),
            widget=forms.EmailInput(attrs={"dir": "ltr", "autocomplete": "email"}),
        ),
        forms.CharField(
            label=_("Phone"),
            required=False,
            max_length=max_length(ProducerProfile, "phone"),
            widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "tel"}),
        ),
        forms.CharField(
            label=_("Website"),
            required=False,
            max_length=max_length(ProducerProfile, "website"),
            widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "url"}),
        ),
    )


class ProducerCompanyForm(TranslatedTextsForm, ServiceForm):
    translated = {"name": _("Company name"), "description": _("What your company makes")}

    name = forms.CharField(label=_("Company name"), max_length=200)
    description = forms.CharField(
        label=_("What your company makes"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    # The province prefilled in the reader's language (nearly every producer is in it); the city
    # only suggested, as the province's plants are spread over its towns (accounts.places).
    province = forms.CharField(label=_("Province"), required=False, max_length=100)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    contact_name, email, phone, website = contact_fields()
    employees = forms.CharField(
        label=_("Employees"),
        required=False,
        max_length=SMALL_NUMBER_LENGTH,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr"}),
    )
    founded = forms.CharField(
        label=_("Year founded"),
        required=False,
        max_length=SMALL_NUMBER_LENGTH,
        help_text=_("Gregorian year, e.g. 1998."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["province"].initial = place_shown(HOME_PROVINCE)
        self.fields["city"].widget.attrs["placeholder"] = _("e.g. Tabriz")
        if formatting.uses_jalali():  # Persian pages: the year in the solar hijri calendar
            self.fields["founded"].help_text = _("Year in the solar hijri (Jalali) calendar, e.g. 1377.")

    def clean_province(self) -> str:
        return province_stored(self.cleaned_data["province"])

    def clean_city(self) -> str:
        return city_stored(self.cleaned_data["city"])

    def clean_founded(self) -> str:
        """The year typed in the reader's calendar (portal.formatting.parse_year), as the
        Gregorian year the service takes; out of range worded in the reader's calendar."""
        try:
            year = formatting.parse_year(self.cleaned_data["founded"])
        except ValueError:
            raise ValidationError(
                _("Enter the year in digits, e.g. %(year)s.") % {"year": formatting.format_year(1998)}
            ) from None
        if year is None:
            return ""
        years = founded_years()
        if year not in years:
            raise ValidationError(
                _("Enter a year between %(first)s and %(last)s.")
                % {"first": formatting.format_year(years[0]), "last": formatting.format_year(years[-1])}
            )
        return str(year)

    @staticmethod
    def initial_from(profile: ProducerProfile | None) -> dict[str, Any]:
        if profile is None:
            return {}
        return {
            **texts_initial(profile, ProducerCompanyForm.translated),
            "province": place_shown(profile.province),
            "city": place_shown(profile.city),
            "contact_name": profile.contact_name,
            "email": profile.email,
            "phone": profile.phone,
            "website": profile.website,
            "employees": plain_number(profile.employees),
            "founded": formatting.format_year(profile.founded),
        }


class ProducerMarketsForm(ServiceForm):
    target_markets = forms.MultipleChoiceField(
        label=_("Target markets"),
        required=False,
        choices=country_choices,
        widget=CountryPickerWidget(),
        help_text=_("The countries you want to sell to; choose as many as you like."),
    )
    open_to_any_market = forms.BooleanField(
        label=_("We are open to buyers from any country"),
        required=False,
    )
    export_experience = forms.MultipleChoiceField(
        label=_("Countries you already export to"),
        required=False,
        choices=country_choices,
        widget=CountryPickerWidget(),
    )

    @staticmethod
    def initial_from(profile: ProducerProfile | None) -> dict[str, Any]:
        if profile is None:
            return {}
        return {
            "target_markets": [country.code for country in profile.target_markets],
            "open_to_any_market": profile.open_to_any_market,
            "export_experience": [country.code for country in profile.export_experience],
        }


class ProducerProfileForm(ProducerCompanyForm, ProducerMarketsForm):
    """The whole producer profile on one page (company and markets)."""

    @staticmethod
    def initial_from(profile: ProducerProfile | None) -> dict[str, Any]:
        return {**ProducerCompanyForm.initial_from(profile), **ProducerMarketsForm.initial_from(profile)}


# --- Buyer profile ----------------------------------------------------------------


class BuyerCompanyForm(TranslatedTextsForm, ServiceForm):
    translated = {"company_name": _("Company name"), "description": _("What your company does")}

    company_name = forms.CharField(label=_("Company name"), max_length=200)
    country = forms.ChoiceField(label=_("Country"), choices=_country_choices_with_blank)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    description = forms.CharField(
        label=_("What your company does"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    contact_name, email, phone, website = contact_fields()

    @staticmethod
    def initial_from(profile: BuyerProfile | None) -> dict[str, Any]:
        if profile is None:
            return {}
        return {
            **texts_initial(profile, BuyerCompanyForm.translated),
            "country": profile.country.code if profile.country else "",
            "city": profile.city,
            "contact_name": profile.contact_name,
            "email": profile.email,
            "phone": profile.phone,
            "website": profile.website,
        }


class BuyerDemandForm(ServiceForm):
    sought_sectors = forms.CharField(
        label=_("Sectors you buy from (HS codes)"),
        required=False,
        max_length=CODES_TEXT_LENGTH,
        # Several codes in one box; the picker beside it adds one at a time, found by name in
        # the reader's language or any other.
        widget=HSCodesPickerWidget(min_level=SectorLevel.CHAPTER),
        help_text=_(
            "Harmonized System codes of 2, 4 or 6 digits, separated by commas, e.g. 8418, 8450. "
            "A chapter (84) covers every product under it."
        ),
    )
    seeks_parts = forms.BooleanField(
        label=_("Also parts and components"),
        required=False,
        help_text=_(
            "Also propose makers of the parts and components of what you seek (e.g. vehicle parts for vehicles)."
        ),
    )
    annual_demand = quantity_field(_("Annual demand"))
    demand_unit = forms.ChoiceField(
        label=_("Unit of the demand"),
        required=False,
        choices=[("", _("Choose a unit"))] + CapacityUnit.choices,
    )
    typical_order = quantity_field(
        _("Typical order size"), help_text=_("In the same unit as the annual demand.")
    )
    required_certifications = forms.CharField(
        label=_("Required certifications"),
        required=False,
        max_length=CERTIFICATIONS_TEXT_LENGTH,
        help_text=_("Separated by commas, e.g. ISO9001, CE."),
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )

    @staticmethod
    def initial_from(profile: BuyerProfile | None) -> dict[str, Any]:
        if profile is None:
            return {}
        return {
            "sought_sectors": codes_text(profile.sought_sectors.values_list("code", flat=True)),
            "seeks_parts": profile.seeks_parts,
            "annual_demand": plain_number(profile.annual_demand),
            "demand_unit": profile.demand_unit,
            "typical_order": plain_number(profile.typical_order),
            "required_certifications": codes_text(profile.required_certifications),
        }


class BuyerProfileForm(BuyerCompanyForm, BuyerDemandForm):
    """The whole buyer profile on one page (company and demand)."""

    @staticmethod
    def initial_from(profile: BuyerProfile | None) -> dict[str, Any]:
        return {**BuyerCompanyForm.initial_from(profile), **BuyerDemandForm.initial_from(profile)}


# --- Verification: the company's request with its evidence --------------------------------

VERIFICATION_SLOTS = 4


class VerificationRequestForm(BootstrapFormMixin, forms.Form):
    """Up to four documents, each with what it is, its certification (for a certificate) and
    its expiry date; a note. accounts.verifications judges them (files by their content)."""

    note = forms.CharField(
        label=_("Note for the reviewer"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = [("", _("Choose…")), *DocumentKind.choices]
        for i in range(1, VERIFICATION_SLOTS + 1):
            self.fields[f"file_{i}"] = forms.FileField(
                label=_("File"),
                required=False,
                widget=forms.ClearableFileInput(
                    attrs={"accept": "application/pdf,image/png,image/jpeg,image/webp"}
                ),
                help_text=_("A PDF, or a PNG, JPEG or WebP image; at most 10 MB."),
            )
            self.fields[f"kind_{i}"] = forms.ChoiceField(
                label=_("What it is"), choices=kinds, required=False, initial="licence" if i == 1 else ""
            )
            self.fields[f"certificate_{i}"] = forms.CharField(
                label=_("Certification (certificates only)"),
                required=False,
                max_length=40,
                help_text=_("As on your profile, e.g. ISO9001."),
                widget=forms.TextInput(attrs={"dir": "ltr"}),
            )
            self.fields[f"expires_on_{i}"] = forms.DateField(
                label=_("Expires on"),
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                help_text=_("Required for a certificate; leave empty if it does not expire."),
            )
        for field in self.fields.values():  # the slots came after the mixin's pass
            css = _css_class_for(field.widget)
            if css:
                _add_css_class(field.widget, css)

    def slots(self) -> list[dict]:
        """Each slot's bound fields, for the template."""
        return [
            {
                "number": i,
                "file": self[f"file_{i}"],
                "kind": self[f"kind_{i}"],
                "certificate": self[f"certificate_{i}"],
                "expires_on": self[f"expires_on_{i}"],
            }
            for i in range(1, VERIFICATION_SLOTS + 1)
        ]

    def documents(self) -> list:
        """The filled slots as the service takes them."""
        found = []
        for i in range(1, VERIFICATION_SLOTS + 1):
            upload = self.cleaned_data.get(f"file_{i}")
            if not upload:
                continue
            found.append(
                DocumentInput(
                    file=upload,
                    kind=self.cleaned_data.get(f"kind_{i}") or "",
                    certificate=self.cleaned_data.get(f"certificate_{i}") or "",
                    expires_on=self.cleaned_data.get(f"expires_on_{i}"),
                )
            )
        return found


class VerificationRefuseForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for the company"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required: the company is told why, and what to send instead."),
    )


class VerificationVerifyForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Note (optional, for the history)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 1}),
    )


# --- A company's team ------------------------------------------------------------------


class InviteForm(ServiceForm):
    """Invite someone by email to join the company as an editor (accounts.teams.invite)."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "dir": "ltr"}),
        help_text=_(
            "They receive a link to sign up or sign in with this address; the link works for 7 days."
        ),
    )
