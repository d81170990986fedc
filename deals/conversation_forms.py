"""The form of the conversation page: a message and its files (the service judges both); the
files input the quote form shares."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import BootstrapFormMixin

from . import attachments
from .conversations import BODY_LENGTH

ACCEPT = (
    ".pdf,.png,.jpg,.jpeg,.webp,.txt,.csv,application/pdf,image/png,image/jpeg,image/webp,text/plain,text/csv"
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); a list, empty when none."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True, "accept": ACCEPT}))
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


FILES_HELP = _(
    "Up to %(n)d files: PDF, PNG, JPEG or WebP images, .txt or .csv; each at most %(mb)s MB. "
    "Photos are sent without their location and camera data."
)


def files_help_text() -> str:
    """The help under a files input, with the deals' limits as configured now."""
    return FILES_HELP % {"n": attachments.max_files(), "mb": f"{attachments.max_bytes() / (1024 * 1024):g}"}


def attachment_files_field() -> MultipleFileField:
    """The files input of a message or a quote (its help set by the form: `files_help_text`)."""
    return MultipleFileField(label=_("Attach files"), required=False)


class MessageForm(BootstrapFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=BODY_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto", "maxlength": BODY_LENGTH}),
    )
    files = attachment_files_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = files_help_text()
