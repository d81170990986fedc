"""Verification requests over the API (docs/api.md "Trust, media and companies"): thin views over
accounts.verifications and its policies.

POST /api/v1/verifications/ is multipart: `documents` (the files, one part each), and for each
document, in the same order, one `kind` part (licence, chamber, certificate, other), one
`certificate` part (the certification's code for a certificate, e.g. ISO9001; empty otherwise)
and one `expires_on` part (YYYY-MM-DD; required for a certificate, may be empty otherwise);
`note` for the reviewer. A document's `url` is the checked download view (never a storage URL).
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts import verifications
from accounts.companies import buyer_of, producer_of
from accounts.models import DocumentKind, Verification, VerificationDocument, VerificationStatus
from accounts.policies import can_review_verification, verifications_visible_to
from portal.api.fields import BoundedListField

from .. import badges


@extend_schema_field(
    {
        "type": "string",
        "format": "binary",
        "maxLength": verifications.max_file_bytes(),
        "description": "A PDF (without scripts or embedded files) or a PNG, JPEG or WebP image, "
        "of at most DEALS_ATTACHMENT_MAX_BYTES bytes.",
    }
)
class EvidenceFileField(serializers.FileField):
    """A piece of evidence: judged by its content in the service (portal.uploads)."""


class VerificationInputSerializer(serializers.Serializer):
    """Multipart only. Each list holds one entry per document, in the order of `documents`."""

    documents = BoundedListField(
        child=EvidenceFileField(allow_empty_file=True, use_url=False),
        max_length=verifications.MAX_DOCUMENTS,
        help_text=_(
            "The files, one part each (at most 10, each at most 10 MB): at least one business "
            "licence or chamber of commerce membership."
        ),
    )
    kind = BoundedListField(
        child=serializers.ChoiceField(choices=DocumentKind.choices),
        max_length=verifications.MAX_DOCUMENTS,
        help_text=_("One part per document, in the order of `documents`: what it is."),
    )
    certificate = BoundedListField(
        child=serializers.CharField(max_length=40, allow_blank=True),
        max_length=verifications.MAX_DOCUMENTS,
        required=False,
        help_text=_(
            "One part per document, in the order of `documents`: for a certificate, the "
            "certification it proves (e.g. ISO9001); empty for the others."
        ),
    )
    expires_on = BoundedListField(
        child=serializers.CharField(max_length=10, allow_blank=True),
        max_length=verifications.MAX_DOCUMENTS,
        required=False,
        help_text=_(
            "One part per document, in the order of `documents`: its expiry date (YYYY-MM-DD), "
            "required for a certificate, empty when it has none."
        ),
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=verifications.NOTE_LENGTH,
        help_text=_("For the reviewer (optional)."),
    )


class VerificationDocumentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text=_("The download, for those who may see it."))
    counts = serializers.SerializerMethodField(help_text=_("Not past its expiry date."))

    class Meta:
        model = VerificationDocument
        fields = ["id", "kind", "certificate", "expires_on", "counts", "name", "size", "content_type", "url"]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return settings.PORTAL_BASE_URL + reverse("accounts:verification_document", args=[obj.token])

    def get_counts(self, obj) -> bool:
        return verifications.counts(obj, self.context.get("today"))


class VerificationOutputSerializer(serializers.ModelSerializer):
    company_kind = serializers.CharField(source="company.kind", read_only=True)
    company_name = serializers.SerializerMethodField()
    documents = VerificationDocumentSerializer(many=True, read_only=True)
    reviewer = serializers.SerializerMethodField(
        help_text=_("Who decided, as the badge names them: the counsellor, or “Export Bridge staff”.")
    )
    current = serializers.SerializerMethodField(
        help_text=_("The company's standing: its badge comes from it.")
    )

    class Meta:
        model = Verification
        fields = [
            "id",
            "company",
            "company_kind",
            "company_name",
            "status",
            "note",
            "documents",
            "reviewer",
            "reason",
            "decided_at",
            "expired_at",
            "current",
            "created_at",
        ]
        read_only_fields = fields

    def get_company_name(self, obj) -> str:
        return str(obj.company)

    def get_reviewer(self, obj) -> str | None:
        return badges.reviewer_name(obj)

    def get_current(self, obj) -> bool:
        return obj.company.standing_id == obj.pk


class VerificationReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True, max_length=verifications.NOTE_LENGTH, help_text=_("Why (required).")
    )


class VerificationNoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=verifications.NOTE_LENGTH, help_text=_("Optional.")
    )


def _decision_schema(description: str, request):
    return extend_schema(
        request=request,
        responses={
            200: VerificationOutputSerializer,
            400: OpenApiResponse(description="A missing reason (refuse), too long a text."),
            403: OpenApiResponse(description="The caller sees the request but does not review it."),
            404: OpenApiResponse(description="No such request, or not one the caller may see."),
            409: OpenApiResponse(description="The request is already decided."),
        },
        description=description,
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "status",
                str,
                enum=VerificationStatus.values,
                description="Only the requests in this status (e.g. pending: the reviewer's queue).",
            )
        ]
    )
)
class VerificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """A company's requests to be verified: its members see theirs and ask; the counsellors in
    scope and staff see them and decide. Newest first; `?status=pending` for a queue."""

    serializer_class = VerificationOutputSerializer
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    queryset = Verification.objects.none()
    filter_backends: list = []
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        queryset = Verification.objects.select_related(
            "company__producer", "company__buyer", "reviewer"
        ).prefetch_related("documents")
        queryset = verifications_visible_to(self.request.user, queryset).order_by("-created_at", "-id")
        wanted = self.request.query_params.get("status", "") if self.action == "list" else ""
        if wanted in VerificationStatus.values:
            queryset = queryset.filter(status=wanted)
        return queryset

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    @extend_schema(
        request={"multipart/form-data": VerificationInputSerializer},
        responses={
            201: VerificationOutputSerializer,
            400: OpenApiResponse(
                description="A refused file (by its content), a missing kind, certificate or expiry "
                "date, no licence or membership: nothing is stored."
            ),
            403: OpenApiResponse(description="Not a producer or buyer with a company profile."),
            409: OpenApiResponse(description="A request of the company is already waiting for review."),
        },
        description="Ask for the caller's company to be verified, with its evidence (multipart).",
    )
    def create(self, request, *args, **kwargs):
        user = request.user
        profile = producer_of(user) if user.is_producer else buyer_of(user) if user.is_buyer else None
        if profile is None:
            raise PermissionDenied()
        data = VerificationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        verification = verifications.verification_request(
            company=profile.company,
            actor=user,
            documents=verifications.request_input(values, values.get("documents") or []),
            note=values.get("note", ""),
        )
        return self._answer(verification, status.HTTP_201_CREATED)

    def _answer(self, verification, code=status.HTTP_200_OK):
        verification = self.get_queryset().get(pk=verification.pk)
        return Response(self.get_serializer(verification).data, status=code)

    def _reviewable(self):
        verification = self.get_object()
        if not can_review_verification(self.request.user, verification):
            raise PermissionDenied()
        return verification

    @_decision_schema(
        "Pending → verified: the company's badge and its unexpired certificates count.",
        VerificationNoteInputSerializer,
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, FormParser, MultiPartParser])
    def verify(self, request, pk=None):
        verification = self._reviewable()
        data = VerificationNoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        verification = verifications.verification_verify(
            verification=verification, actor=request.user, note=data.validated_data.get("note", "")
        )
        return self._answer(verification)

    @_decision_schema(
        "Pending → refused, with the reason the company is told.", VerificationReasonInputSerializer
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, FormParser, MultiPartParser])
    def refuse(self, request, pk=None):
        verification = self._reviewable()
        data = VerificationReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        verification = verifications.verification_refuse(
            verification=verification, actor=request.user, reason=data.validated_data["reason"]
        )
        return self._answer(verification)
