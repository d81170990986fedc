"""A match's conversation over the API (docs/api.md, "Buying requests, quotes and messages").

    GET  /api/v1/matches/{id}/messages/        the messages, oldest first, paginated, with the
                                               caller's `unread` count beside the page
    POST /api/v1/matches/{id}/messages/        JSON `{"body", "language"}`, or multipart with
                                               `files` too; 201 with the message
    POST /api/v1/matches/{id}/messages/read/   the caller has read up to the newest message

A match the caller may not open is a 404 (deals.policies); posting on one that is not live (a
proposed match its counsellor sees, a declined one) a 409. The rules are the services'.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from matchmaking.models import Match
from matchmaking.policies import matches_visible_to
from portal.api.pagination import StandardPagination
from portal.api.parsers import JSONParser

from .. import conversations
from ..authors import ROLE_CHOICES, author_name, author_role
from ..conversation_selectors import conversation_messages, last_read, unread_count
from ..models import Message
from ..policies import is_participant
from .attachments import AttachmentOutputSerializer, attachment_files_field

# --- Shapes ---------------------------------------------------------------------------------


class AuthorSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=_("Their name, or their company's; never an email address."))
    role = serializers.ChoiceField(
        choices=ROLE_CHOICES,
        allow_null=True,
        help_text=_("Their part in the match: producer, buyer, counsellor or staff (null: a deleted user)."),
    )


class MessageOutputSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    attachments = AttachmentOutputSerializer(many=True, read_only=True)
    mine = serializers.SerializerMethodField(help_text=_("Written by the caller."))
    unread = serializers.SerializerMethodField(help_text=_("Not read by the caller yet."))

    class Meta:
        model = Message
        fields = ["id", "author", "body", "language", "created_at", "attachments", "mine", "unread"]
        read_only_fields = fields

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    @extend_schema_field(AuthorSerializer)
    def get_author(self, obj) -> dict:
        match = self.context["match"]
        return {"name": author_name(obj, match), "role": author_role(obj, match)}

    def get_mine(self, obj) -> bool:
        user = self._user()
        return user is not None and obj.author_id == user.pk

    def get_unread(self, obj) -> bool:
        """Others' messages after the caller's last read one (staff, not in it: never)."""
        if not self.context.get("counts_unread", False):
            return False
        return not self.get_mine(obj) and obj.pk > self.context.get("last_read", 0)


class MessageTextInputSerializer(serializers.Serializer):
    """A message as JSON: its text (files come as multipart, `MessageInputSerializer`)."""

    body = serializers.CharField(
        allow_blank=True,
        trim_whitespace=False,
        max_length=conversations.BODY_LENGTH,
        help_text=_("The message (required, at most 5,000 characters)."),
    )
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        help_text=_("The language it is written in; guessed from its letters when left out."),
    )


class MessageInputSerializer(MessageTextInputSerializer):
    """A message as multipart: its text and up to five files."""

    files = attachment_files_field()


class ReadOutputSerializer(serializers.Serializer):
    last_read = serializers.IntegerField(help_text=_("The id of the newest message, now read (0: none)."))
    unread = serializers.IntegerField()


class ConversationPagination(StandardPagination):
    """The standard page, with the caller's unread count in the whole conversation beside it."""

    def get_paginated_response(self, data, unread: int = 0):
        response = super().get_paginated_response(data)
        response.data["unread"] = unread
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["unread"] = {
            "type": "integer",
            "description": "Messages in the conversation the caller has not read.",
        }
        schema["required"] = [*schema.get("required", []), "unread"]
        return schema


# --- Views ----------------------------------------------------------------------------------


def _visible_match(request, pk) -> Match:
    queryset = Match.objects.select_related("producer", "buyer", "counsellor")
    match = matches_visible_to(request.user, queryset).filter(pk=pk).first()
    if match is None:
        raise NotFound()
    return match


class MatchMessagesView(GenericAPIView):
    """The conversation of a forwarded match among its producer, its buyer and its trade
    counsellor (staff read it and may write too). Oldest message first."""

    permission_classes = [IsAuthenticated]
    pagination_class = ConversationPagination
    serializer_class = MessageOutputSerializer
    filter_backends: list = []  # the match scopes the messages; no filters, no ordering
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    queryset = Message.objects.none()  # the schema's model; the match scopes the messages

    def _context(self, match: Match) -> dict:
        return {
            "request": self.request,
            "match": match,
            "last_read": last_read(self.request.user, match),
            "counts_unread": is_participant(self.request.user, match),
        }

    @extend_schema(
        responses={200: MessageOutputSerializer(many=True)},
        description="The messages, oldest first; `unread` beside the page counts the caller's unread ones.",
    )
    def get(self, request, pk: int):
        match = _visible_match(request, pk)
        page = self.paginate_queryset(conversation_messages(match))
        serializer = MessageOutputSerializer(page, many=True, context=self._context(match))
        return self.paginator.get_paginated_response(
            serializer.data, unread=unread_count(request.user, match)
        )

    @extend_schema(
        request={
            "application/json": MessageTextInputSerializer,
            "multipart/form-data": MessageInputSerializer,
        },
        responses={
            201: MessageOutputSerializer,
            400: OpenApiResponse(
                description="An empty or too long body, an unknown language, a refused file."
            ),
            409: OpenApiResponse(
                description="The match takes no messages: not forwarded yet, or declined (read-only)."
            ),
        },
        description="Write in the conversation (the match forwarded, connected, won or lost).",
    )
    def post(self, request, pk: int):
        match = _visible_match(request, pk)
        data = MessageInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        message = conversations.post_message(
            match=match,
            author=request.user,
            body=data.validated_data["body"],
            language=data.validated_data.get("language"),
            files=data.validated_data.get("files") or [],
        )
        message = conversation_messages(match).get(pk=message.pk)
        serializer = MessageOutputSerializer(message, context=self._context(match))
        return Response(serializer.data, status=status.HTTP_201_CREATED)


class MatchMessagesReadView(GenericAPIView):
    """Mark the conversation read up to its newest message (its unread count drops to 0)."""

    permission_classes = [IsAuthenticated]
    serializer_class = ReadOutputSerializer
    filter_backends: list = []
    queryset = Message.objects.none()

    @extend_schema(request=None, responses={200: ReadOutputSerializer})
    def post(self, request, pk: int):
        match = _visible_match(request, pk)
        newest = conversations.mark_read(match=match, user=request.user)
        body = {"last_read": newest, "unread": unread_count(request.user, match)}
        return Response(ReadOutputSerializer(body).data)
