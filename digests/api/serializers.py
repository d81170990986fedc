"""API shapes of the digest preferences: output per docs/api.md, input types only
(digests.services decides what is valid)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from digests.models import DigestPreference, Frequency


class DigestPreferenceOutputSerializer(serializers.ModelSerializer):
    frequency = serializers.ChoiceField(choices=Frequency.choices, read_only=True)
    language = serializers.CharField(
        read_only=True, help_text=_("A language code, or empty for the user's preferred language.")
    )

    class Meta:
        model = DigestPreference
        fields = ["frequency", "language"]
        read_only_fields = fields


class DigestPreferenceInputSerializer(serializers.Serializer):
    frequency = serializers.CharField(
        required=False,
        max_length=DigestPreference._meta.get_field("frequency").max_length,
        help_text=_("daily, weekly or off."),
    )
    language = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=DigestPreference._meta.get_field("language").max_length,
        help_text=_("fa, en, ar, ru or tr; empty for the user's preferred language. Left out: unchanged."),
    )
