"""A match's service levels: when a proposed match is ageing, when it is overdue (escalated to
staff), and when a connected one is due for the outcome check-in.

The one definition of each cutoff (and `service_state`, the same for one match), read by the counsellors' queue and dashboard, the escalation
and check-in tasks (`matchmaking.notifications`) and the digests, each measured at a moment
`now` (the current time by default; a digest measures at the end of its window):

    ageing      proposed, created more than MATCH_AGEING_DAYS before `now`
    overdue     proposed, created more than MATCH_ESCALATION_DAYS before `now`, or escalated
                to staff by `now`
    escalation  overdue and not escalated yet: the escalation task's work
    check-in    connected more than MATCH_CHECKIN_DAYS before `now`

The day counts are settings read on each call (tests and operators change them).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from matchmaking.models import MatchStatus


@dataclass(frozen=True)
class ServiceLevels:
    """The day counts, for pages and emails that state them."""

    ageing_days: int
    escalation_days: int
    checkin_days: int


def service_levels() -> ServiceLevels:
    return ServiceLevels(
        ageing_days=settings.MATCH_AGEING_DAYS,
        escalation_days=settings.MATCH_ESCALATION_DAYS,
        checkin_days=settings.MATCH_CHECKIN_DAYS,
    )


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def ageing_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    """A proposed match created before this is ageing."""
    return _now(now) - datetime.timedelta(days=settings.MATCH_AGEING_DAYS)


def escalation_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    """A proposed match created before this is overdue."""
    return _now(now) - datetime.timedelta(days=settings.MATCH_ESCALATION_DAYS)


def checkin_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    """A match connected before this is due for the outcome check-in."""
    return _now(now) - datetime.timedelta(days=settings.MATCH_CHECKIN_DAYS)


# --- As filters -------------------------------------------------------------------------------


def ageing_q(now: datetime.datetime | None = None) -> Q:
    """Proposed matches waiting longer than the first service level (overdue ones too)."""
    return Q(status=MatchStatus.PROPOSED, created_at__lt=ageing_cutoff(now))


def overdue_q(now: datetime.datetime | None = None) -> Q:
    """Proposed matches past the escalation age, or escalated to staff by `now`."""
    now = _now(now)
    return Q(status=MatchStatus.PROPOSED) & (
        Q(created_at__lt=escalation_cutoff(now)) | Q(escalated_at__isnull=False, escalated_at__lte=now)
    )


def escalation_due_q(now: datetime.datetime | None = None) -> Q:
    """Proposed matches past the escalation age that were not escalated yet."""
    return Q(status=MatchStatus.PROPOSED, created_at__lt=escalation_cutoff(now), escalated_at__isnull=True)


def checkin_due_q(now: datetime.datetime | None = None) -> Q:
    """Connected matches past the check-in age (whether or not the check-in was sent)."""
    return Q(status=MatchStatus.CONNECTED, connected_at__lt=checkin_cutoff(now))


# --- For one match (a model or a row of values) -----------------------------------------------

OVERDUE, AGEING = "overdue", "ageing"


def service_state(
    *,
    status: str,
    created_at: datetime.datetime,
    escalated_at: datetime.datetime | None,
    now: datetime.datetime | None = None,
) -> str:
    """Where one match stands against the service levels at `now`: OVERDUE (the per-match form
    of `overdue_q`), AGEING (past the first level, not overdue) or "" (neither, or not
    proposed)."""
    now = _now(now)
    if status != MatchStatus.PROPOSED:
        return ""
    if created_at < escalation_cutoff(now) or (escalated_at is not None and escalated_at <= now):
        return OVERDUE
    if created_at < ageing_cutoff(now):
        return AGEING
    return ""
