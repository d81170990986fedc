"""Reads of the conversations: their messages, where each participant is, the unread counts.

A message is unread by a participant when another wrote it after the last one the participant
read (`ConversationState.last_read`, a message id: ids only grow). Each count is one query,
for one match, a list of matches or all of a user's conversations (the nav badge).
"""

from __future__ import annotations

from django.db.models import Count, F, IntegerField, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from matchmaking.models import Match

from .models import Attachment, ConversationState, Message
from .policies import conversations_of, counts_unread, participant_q


def _last_read(user, match_ref: str = "match") -> Coalesce:
    """The last message `user` read in the conversation of the match `match_ref` names (an
    OuterRef's field), 0 before any."""
    state = ConversationState.objects.filter(match=OuterRef(match_ref), user=user).values("last_read")[:1]
    return Coalesce(Subquery(state, output_field=IntegerField()), Value(0))


def _unread_of(user, messages: QuerySet[Message]) -> QuerySet[Message]:
    """`messages` narrowed to those `user` has not read (others' messages after their last read)."""
    return messages.exclude(author=user).filter(pk__gt=_last_read(user))


def conversation_messages(match: Match) -> QuerySet[Message]:
    """A match's messages, oldest first, with their authors and files."""
    return (
        Message.objects.filter(match=match)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
        .order_by("created_at", "id")
    )


def last_read(user, match: Match) -> int:
    """The id of the last message `user` read in `match` (0: none; staff and others: 0)."""
    if not user.is_authenticated:
        return 0
    value = (
        ConversationState.objects.filter(match=match, user=user).values_list("last_read", flat=True).first()
    )
    return value or 0


def unread_count(user, match: Match) -> int:
    """How many messages of `match` `user` has not read (one query; 0 for a non-participant)."""
    return unread_counts(user, [match.pk]).get(match.pk, 0)


def unread_counts(user, match_ids) -> dict[int, int]:
    """{match id: unread messages} for the matches among `match_ids` whose conversation `user`
    is in (one query; matches with none unread are left out)."""
    scope = participant_q(user, "match__") if counts_unread(user) else None
    ids = list(match_ids)
    if scope is None or not ids:
        return {}
    rows = (
        _unread_of(user, Message.objects.filter(scope, match_id__in=ids))
        .order_by()
        .values("match_id")
        .annotate(unread=Count("pk"))
        .values_list("match_id", "unread")
    )
    return dict(rows)


def unread_total(user) -> int:
    """Unread messages in all of `user`'s conversations: the nav badge (one query)."""
    scope = participant_q(user, "match__") if counts_unread(user) else None
    if scope is None:
        return 0
    return _unread_of(user, Message.objects.filter(scope)).count()


def conversation_list(user) -> QuerySet[Match]:
    """The conversations `user` lists on the "Messages" page: those with a message, newest
    first, each with `message_count`, `last_message_at`, `last_message` (its text) and, for a
    participant, `unread` (one query for a page of them)."""
    latest = Message.objects.filter(match=OuterRef("pk")).order_by("-created_at", "-id")
    queryset = (
        conversations_of(user, Match.objects.select_related("producer", "buyer", "counsellor"))
        .annotate(
            message_count=Count("messages", distinct=True),
            last_message_at=Max("messages__created_at"),
            last_message=Subquery(latest.values("body")[:1]),
            last_author=Subquery(latest.values("author")[:1]),
        )
        .filter(message_count__gt=0)
    )
    if counts_unread(user):
        unread = (
            _unread_of(user, Message.objects.filter(match=OuterRef("pk")))
            .order_by()
            .values("match")
            .annotate(n=Count("pk"))
            .values("n")
        )
        queryset = queryset.annotate(unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)))
    else:
        queryset = queryset.annotate(unread=Value(0, output_field=IntegerField()))
    return queryset.order_by(F("last_message_at").desc(nulls_last=True), "-pk")


def pending_notice(user, match: Match, *, after: int) -> list[Message]:
    """The messages of `match` others wrote after message id `after`, oldest first: what an
    email to `user` covers."""
    return list(
        Message.objects.filter(match=match, pk__gt=after)
        .exclude(author=user)
        .select_related("author")
        .annotate(files=Count("attachments"))
        .order_by("id")
    )


def unread_in_window(*, since, until, recipients: Q) -> list[dict]:
    """For the digests: each message written in (since, until] on a conversation, with what
    each participant had read (`producer_read`, `buyer_read`, `counsellor_read`) and the match's
    names, for the matches `recipients` (a filter on Message) lets through; one query."""
    rows = (
        Message.objects.filter(created_at__gt=since, created_at__lte=until)
        .filter(recipients)
        .annotate(
            producer_read=_read_by("match__producer__owner"),
            buyer_read=_read_by("match__buyer__owner"),
            counsellor_read=_read_by("match__counsellor"),
        )
        .order_by("match_id", "id")
        .values(
            "id",
            "author",
            "created_at",
            "producer_read",
            "buyer_read",
            "counsellor_read",
            "match_id",
            "match__status",
            "match__counsellor",
            "match__producer__owner",
            "match__producer__name",
            "match__buyer__owner",
            "match__buyer__company_name",
        )
    )
    return list(rows)


def _read_by(user_field: str) -> Coalesce:
    state = ConversationState.objects.filter(match=OuterRef("match"), user=OuterRef(user_field)).values(
        "last_read"
    )[:1]
    return Coalesce(Subquery(state, output_field=IntegerField()), Value(0))


def newest_message_id(match: Match) -> int:
    return Message.objects.filter(match=match).aggregate(newest=Max("pk"))["newest"] or 0
