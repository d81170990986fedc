"""The match pages' forms: they parse and present; the lifecycle services hold the rules.

Each form is rendered once per match on a page that may list many, so field ids carry the
match and the action (`auto_id`), while the posted names stay plain for the endpoints.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import BootstrapFormMixin
from catalogue.models import Product
from matchmaking.interest import MESSAGE_LENGTH
from matchmaking.lifecycle import NOTE_LENGTH
from matchmaking.models import VISIBLE_TO_PARTIES, MatchStatus, RejectReason
from portal.validation import MAX_ID, MAX_NUMBER_LENGTH


def _note_field(label, *, help_text="", rows: int = 2, required_in_browser: bool = False) -> forms.CharField:
    # Not required here: the service says what is missing, in the same words as the API.
    attrs = {"rows": rows, "maxlength": NOTE_LENGTH}
    if required_in_browser:
        attrs.update({"required": True, "aria-required": "true"})
    return forms.CharField(
        label=label,
        required=False,
        strip=True,
        max_length=NOTE_LENGTH,
        help_text=help_text,
        widget=forms.Textarea(attrs=attrs),
    )


class MatchActionForm(BootstrapFormMixin, forms.Form):
    """A form about one match: its ids name the match and the action."""

    action = ""

    def __init__(self, *args, match=None, **kwargs) -> None:
        if match is not None and "auto_id" not in kwargs:
            kwargs["auto_id"] = f"match-{match.pk}-{self.action}-%s"
        super().__init__(*args, **kwargs)


class ForwardForm(MatchActionForm):
    action = "forward"
    note = _note_field(
        _("Note to both sides"),
        help_text=_("Optional. Why this is a good fit; both companies read it in their email."),
    )


def reason_code_field() -> forms.ChoiceField:
    """Why a match is rejected (RejectReason). Not required here: the service takes none as
    "other", which then needs the text (the same rule as the API)."""
    return forms.ChoiceField(
        label=_("Why"),
        required=False,
        choices=[("", _("Choose a reason"))] + list(RejectReason.choices),
        widget=forms.Select(attrs={"required": True, "aria-required": "true"}),
    )


class RejectForm(MatchActionForm):
    action = "reject"
    reason_code = reason_code_field()
    reason = _note_field(
        _("Reason for rejecting"),
        help_text=_("Required for “Other”. Kept in the match's history; the companies do not see it."),
    )


class RespondForm(MatchActionForm):
    """Accept or decline: the pressed button posts `decision` ("accept" or "decline")."""

    action = "respond"
    note = _note_field(
        _("Note to the trade counsellor and the other company"),
        help_text=_("Optional. For example what you need, or why you decline."),
    )


class OutcomeForm(MatchActionForm):
    action = "outcome"
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(MatchStatus.WON.value, _("Deal won")), (MatchStatus.LOST.value, _("Deal lost"))],
        widget=forms.RadioSelect,
    )
    value = forms.CharField(
        label=_("Deal value"),
        required=False,
        max_length=MAX_NUMBER_LENGTH,
        help_text=_("Optional, for a won deal."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "dir": "ltr", "autocomplete": "off"}),
    )
    currency = forms.CharField(
        label=_("Currency"),
        required=False,
        max_length=3,
        help_text=_("Three letters, e.g. USD or EUR."),
        widget=forms.TextInput(
            attrs={"maxlength": 3, "dir": "ltr", "autocomplete": "off", "class": "text-uppercase"}
        ),
    )
    note = _note_field(_("Note"), help_text=_("Optional. What was agreed, or why it fell through."))


class ReassignForm(MatchActionForm):
    action = "reassign"
    counsellor = forms.TypedChoiceField(label=_("Hand to"), coerce=int, choices=())
    note = _note_field(_("Note to your colleague"), help_text=_("Optional."))

    def __init__(self, *args, counsellors=(), match=None, **kwargs) -> None:
        super().__init__(*args, match=match, **kwargs)
        holder = match.counsellor_id if match is not None else None
        self.fields["counsellor"].choices = [("", _("Choose a counsellor"))] + [
            (user.pk, user.get_full_name()) for user in counsellors if user.pk != holder
        ]


ACTION_FORMS: dict[str, type[MatchActionForm]] = {
    form.action: form for form in (ForwardForm, RejectForm, RespondForm, OutcomeForm, ReassignForm)
}


class PartyStatusFilterForm(BootstrapFormMixin, forms.Form):
    """The leads and introductions pages' filter by status."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All"))] + [(status.value, status.label) for status in VISIBLE_TO_PARTIES],
    )


class RequestIntroductionForm(BootstrapFormMixin, forms.Form):
    """A buyer's request, from a product or a producer page."""

    product = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    producer = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    message = _note_field(
        _("Message to the trade counsellor"),
        help_text=_("Optional. What you are looking for: quantities, timing, terms."),
        rows=3,
    )


class _ProductChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.hs_code_id})"


class InterestForm(BootstrapFormMixin, forms.Form):
    """A producer's interest in a buying request: one of its listed products and a message."""

    product = _ProductChoice(
        label=_("Your product"),
        queryset=Product.objects.none(),
        empty_label=_("Choose one of your products"),
        help_text=_("The product you offer for this request; the counsellor sees its page."),
    )
    message = forms.CharField(
        label=_("Message to the trade counsellor"),
        required=False,
        strip=True,
        max_length=MESSAGE_LENGTH,
        help_text=_("Optional. What you can deliver, by when, on which terms."),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MESSAGE_LENGTH}),
    )

    def __init__(self, *args, products=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if products is not None:
            self.fields["product"].queryset = products
