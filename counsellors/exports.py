"""The review queue's export (portal/exports.py): the matches' columns
(`matchmaking.exports.MATCH_COLUMNS`) with the queue page's own filters
(`filtersets.QueueFilterSet`: one status, proposed unless another is named; the score in
percent; waiting time, ageing) and its order, so the page's "Download" links give what the
page shows, every page of it. Counsellors and staff, as the queue (`selectors.review_queue`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from matchmaking.exports import MATCH_COLUMNS
from portal import exports

from .filtersets import QueueFilterSet
from .selectors import review_queue

QUEUE = exports.Export(
    name="queue",
    title=_("Review queue"),
    columns=MATCH_COLUMNS,
    queryset=review_queue,
    filterset_class=QueueFilterSet,
)


def register() -> None:
    exports.register(QUEUE)
