"""The files of quotes and messages over the API (docs/api.md, "Buying requests, quotes and messages").

    GET /api/v1/attachments/{token}/   the file itself, to whoever may read the message's
                                       conversation or see the quote (deals.policies
                                       .can_read_attachment), signed in by token or session;
                                       a 404 for anyone else and for a token that names nothing

The shapes every endpoint taking or showing files shares: a file as read (`AttachmentOutputSerializer`,
its `url` this endpoint) and the multipart `files` field (`attachment_files_field`), with the
deals' limits (deals.attachments). The service judges each file by its content.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from portal.api.fields import BoundedListField
from portal.storage import serve_private

from .. import attachments
from ..attachment_selectors import readable_attachment
from ..models import Attachment

# The media types a stored file is served as (deals.attachments.KINDS, as portal.uploads names them).
SERVED_TYPES = (
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/webp",
    "text/plain",
    "text/csv",
)

# --- Shapes ---------------------------------------------------------------------------------


class AttachmentOutputSerializer(serializers.ModelSerializer):
    token = serializers.CharField(read_only=True, help_text=_("The file's identifier, in its `url`."))
    url = serializers.SerializerMethodField(
        help_text=_(
            "Where the file is downloaded: by those who may read the conversation or see the quote, "
            "signed in by token or session."
        )
    )

    class Meta:
        model = Attachment
        fields = ["token", "name", "size", "content_type", "url"]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        path = reverse("attachment-download", args=[obj.token])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else settings.PORTAL_BASE_URL + path


@extend_schema_field(
    {
        "type": "string",
        "format": "binary",
        "maxLength": attachments.max_bytes(),
        "description": "A file of at most DEALS_ATTACHMENT_MAX_BYTES bytes.",
    }
)
class AttachmentFileField(serializers.FileField):
    """A file of a message or a quote: its size and content are judged by the service
    (deals.attachments)."""


def attachment_files_field() -> BoundedListField:
    """The multipart `files` of a message or a quote: up to DEALS_ATTACHMENT_MAX_FILES files."""
    return BoundedListField(
        child=AttachmentFileField(allow_empty_file=True, use_url=False),
        max_length=attachments.max_files(),
        required=False,
        help_text=_(
            "Multipart only: up to 5 files, each at most 10 MB: PDF (without scripts or embedded "
            "files), PNG, JPEG or WebP images (re-encoded without their metadata), .txt or .csv text."
        ),
    )


# --- The download ---------------------------------------------------------------------------


class AnyAccept(BaseContentNegotiation):
    """The file is what it is, whatever the client accepts; an error is JSON (the first renderer)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class AttachmentDownloadView(APIView):
    """A file of a quote or a message, streamed from the private store as a download."""

    permission_classes = [IsAuthenticated]
    content_negotiation_class = AnyAccept

    @extend_schema(
        operation_id="attachments_download",
        parameters=[
            OpenApiParameter(
                "token",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                pattern=r"^[A-Za-z0-9_-]{16,64}$",
                description="The file's `token` (its `url` in a quote's or a message's `attachments`).",
            )
        ],
        responses={
            **{
                (200, media_type): OpenApiResponse(
                    response=OpenApiTypes.BINARY,
                    description=(
                        "The file, as a download under its cleaned name (Content-Disposition), "
                        "never cached by a shared cache (Cache-Control: private, no-store)."
                    ),
                )
                for media_type in SERVED_TYPES
            },
            404: OpenApiResponse(
                description="No such file, or the caller may not read its conversation or quote."
            ),
        },
        description=(
            "Download a file of a quote or a message: the match's parties, its counsellor and "
            "staff (who may read the conversation or see the quote). Token or session."
        ),
    )
    def get(self, request, token: str):
        found = readable_attachment(request.user, token)
        if found is None:
            raise NotFound(_("No such file."))
        return serve_private(found.file, filename=found.name, content_type=found.content_type)
