"""What the counsellors taught the engine (docs/design.md, "Matching"): the evidence read back from
decisions, for the engine to use.

- Responsiveness: per producer, the introductions forwarded to it in the last
  `HORIZON_DAYS` that had `ANSWER_DAYS` to be answered, and how many it left unanswered
  (its response still pending). An introduction the buyer declined while the producer had
  not answered yet is left out: it was closed before the producer had to. The engine turns
  the counts into a penalty (matchmaking.engine.responsiveness), once a producer has had
  `engine.responsiveness.MIN_INTRODUCED` introductions.
- A pair rejected as the wrong product stays gone: matchmaking.lifecycle.match_reject keeps
  fingerprints of the HS codes alone, matchmaking.persistence compares those.
- The weights fitted from decisions and outcomes: `manage.py fit_matching_weights`
  (matchmaking.fitting).
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from matchmaking.engine.responsiveness import MIN_INTRODUCED, Responsiveness
from matchmaking.models import Match, PartyResponse

# A forwarded introduction counts once the producer had this long to answer it (two weeks,
# the service level a counsellor has to review a match: MATCH_ESCALATION_DAYS' default), and
# while it is recent enough to say how the producer answers now.
ANSWER_DAYS = 14
HORIZON_DAYS = 365


def load_responsiveness(
    producer_ids: list[int] | None = None, *, now: datetime.datetime | None = None
) -> Responsiveness:
    """Every producer (or these) that left some of at least MIN_INTRODUCED counted
    introductions unanswered, with its counts (one query over the forwarded matches, which a
    partial index holds; the other producers are not penalised, so not loaded)."""
    now = now or timezone.now()
    pending = Q(producer_response=PartyResponse.PENDING)
    forwarded = (
        Match.objects.all() if producer_ids is None else Match.objects.filter(producer_id__in=producer_ids)
    )
    rows = list(
        forwarded.filter(
            forwarded_at__isnull=False,
            forwarded_at__lte=now - datetime.timedelta(days=ANSWER_DAYS),
            forwarded_at__gte=now - datetime.timedelta(days=HORIZON_DAYS),
        )
        .exclude(pending & Q(buyer_response=PartyResponse.DECLINED))
        .values("producer_id")
        .annotate(introduced=Count("pk"), unanswered=Count("pk", filter=pending))
        .filter(introduced__gte=MIN_INTRODUCED, unanswered__gt=0)
        .order_by("producer_id")
        .values_list("producer_id", "introduced", "unanswered")
    )
    return Responsiveness(
        ids=[row[0] for row in rows],
        introduced=[row[1] for row in rows],
        unanswered=[row[2] for row in rows],
    )
