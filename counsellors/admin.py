"""Staff's admin of counsellor profiles and market briefs. Every save goes through the same
services as the API (validation, routing of the pool, Markdown rendering), and the forms
refuse what the services would refuse, beside the field."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Language
from taxonomy.widgets import CountryPickerWidget

from . import briefs, services
from .models import CounsellorProfile, MarketBrief

# --- Counsellor profiles ---------------------------------------------------------------


def _profile_data(cleaned: dict) -> dict:
    """The form's values as the services take them (codes, not objects)."""
    data = {field: cleaned[field] for field in services.PROFILE_FIELDS if field in cleaned}
    if "sectors" in data:
        data["sectors"] = [sector.code for sector in data["sectors"]]
    if "covered_countries" in data:
        data["covered_countries"] = [str(code) for code in data["covered_countries"]]
    if "posted_country" in data:
        data["posted_country"] = str(data["posted_country"])
    return data


class CounsellorProfileForm(forms.ModelForm):
    class Meta:
        model = CounsellorProfile
        fields = ["user", *services.PROFILE_FIELDS]
        widgets = {"covered_countries": CountryPickerWidget()}

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            if self.instance.pk is None:
                services.check_counsellor_user(cleaned["user"])
            services.apply_profile_fields(CounsellorProfile(), _profile_data(cleaned))
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


@admin.register(CounsellorProfile)
class CounsellorProfileAdmin(admin.ModelAdmin):
    form = CounsellorProfileForm
    list_display = ["user", "posted_country", "covered_list", "is_active", "updated_at"]
    list_filter = ["posted_country", "is_active"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__full_name"]
    raw_id_fields = ["user", "sectors"]
    readonly_fields = ["created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        # A profile stays with its user; a new one is made for another user.
        return [*self.readonly_fields, "user"] if obj is not None else self.readonly_fields

    @admin.display(description=_("also covers"))
    def covered_list(self, obj) -> str:
        return ", ".join(country.code for country in obj.covered_countries)

    def save_model(self, request, obj, form, change):
        data = _profile_data(form.cleaned_data)
        if change:
            profile = services.counsellor_profile_update(profile=obj, actor=request.user, data=data)
        else:
            profile = services.counsellor_profile_create(actor=request.user, user=obj.user, data=data)
        obj.pk, obj._state.adding = profile.pk, False  # the admin's message and redirect name it

    def save_related(self, request, form, formsets, change):
        """The service set the sectors."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


# --- Market briefs --------------------------------------------------------------------------


class MarketBriefForm(forms.ModelForm):
    language = forms.ChoiceField(label=_("language"), choices=Language.choices)

    class Meta:
        model = MarketBrief
        fields = ["country", "title", "body", "sectors", "language"]

    def clean_sectors(self):
        sectors = self.cleaned_data["sectors"]
        if len(sectors) > briefs.MAX_SECTORS:
            raise ValidationError(_("Tag at most %(n)d sectors.") % {"n": briefs.MAX_SECTORS})
        return sectors


@admin.register(MarketBrief)
class MarketBriefAdmin(admin.ModelAdmin):
    """Staff read, correct and take down briefs; a brief written here is authored by the staff
    member. Saved through counsellors.briefs, which renders and sanitises the HTML."""

    form = MarketBriefForm
    list_display = ["title", "country", "author", "language", "published_at"]
    list_filter = ["country", "language", "published_at"]
    list_select_related = ["author"]
    search_fields = ["title", "body", "author__email", "author__full_name"]
    raw_id_fields = ["sectors"]
    date_hierarchy = "published_at"
    readonly_fields = ["author", "published_at", "updated_at", "body_html"]
    fields = [
        "country",
        "title",
        "body",
        "sectors",
        "language",
        "author",
        "published_at",
        "updated_at",
        "body_html",
    ]

    def save_model(self, request, obj, form, change):
        data = {field: form.cleaned_data[field] for field in ("country", "title", "body", "language")}
        data["country"] = str(data["country"])
        data["sectors"] = [sector.code for sector in form.cleaned_data["sectors"]]
        if change:
            brief = briefs.brief_update(
                brief=MarketBrief.objects.get(pk=obj.pk), actor=request.user, data=data
            )
        else:
            brief = briefs.brief_create(author=request.user, data=data)
        obj.pk, obj._state.adding = brief.pk, False

    def save_related(self, request, form, formsets, change):
        """The service set the sectors."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        briefs.brief_delete(brief=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for brief in queryset:
            briefs.brief_delete(brief=brief, actor=request.user)
