"""The period a dashboard shows: a preset (this month, the last three months, this year, all
time) or dates the reader typed, and its months in the reader's calendar.

A period runs from the first moment of its first day to the end of its last day, in local time;
"all time" has no first day. Months are Jalali for Persian readers (`portal.dates`): "this
month" in Persian is the Jalali month, "this year" starts on 1 Farvardin. The monthly series
cuts a period at the months' first days (a typed period may start or end inside a month: its
first and last buckets are then parts of a month).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import dates
from portal.formatting import format_date, uses_jalali

MONTH, QUARTER, YEAR, ALL, CUSTOM = "month", "quarter", "year", "all", "custom"
PRESETS = {
    MONTH: _("This month"),
    QUARTER: _("Last 3 months"),
    YEAR: _("This year"),
    ALL: _("All time"),
}
DEFAULT = ALL
# A typed period spans ten years at most, and its dates lie between these (a year such as 99999
# or 0001 is a typing mistake, not a period anyone has figures for).
MAX_MONTHS = 120
EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 12, 31)


def midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass(frozen=True)
class Period:
    """`start` and `end` are the first and last days shown (both included); no `start`: from
    the beginning. `jalali`: months in the Persian calendar."""

    kind: str
    start: datetime.date | None
    end: datetime.date
    jalali: bool

    @property
    def label(self) -> str:
        return str(PRESETS.get(self.kind, _("Chosen dates")))

    @property
    def since(self) -> datetime.datetime | None:
        return None if self.start is None else midnight(self.start)

    @property
    def until(self) -> datetime.datetime:
        """The first moment after the period."""
        return midnight(self.end + datetime.timedelta(days=1))

    def q(self, field: str) -> Q:
        """`field` (a date-time, or an annotation's name) falls in the period."""
        within = Q(**{f"{field}__lt": self.until})
        if self.since is not None:
            within &= Q(**{f"{field}__gte": self.since})
        return within

    @property
    def params(self) -> dict[str, str]:
        """The query parameters that give this period again (for the download links)."""
        if self.kind != CUSTOM:
            return {"period": self.kind}
        typed = {"end": dates.date_text(self.end, self.jalali)}
        if self.start is not None:
            typed["start"] = dates.date_text(self.start, self.jalali)
        return typed

    @property
    def query(self) -> str:
        return urlencode(self.params)

    @property
    def shown(self) -> str:
        """The days covered, in the reader's calendar ("1 Farvardin 1405 – 31 Ordibehesht 1405")."""
        end = format_date(self.end)
        return end if self.start is None else f"{format_date(self.start)} – {end}"

    def months(self) -> list[datetime.date]:
        """The first day of each month the period's series shows, oldest first: at most
        MAX_MONTHS, the latest ones (an open start shows what came before in one bucket)."""
        last = dates.month_start(self.end, self.jalali)
        first = last if self.start is None else dates.month_start(self.start, self.jalali)
        if self.start is None:
            first = dates.add_months(last, 1 - MAX_MONTHS, self.jalali)
        starts = [first]
        while starts[-1] < last and len(starts) < MAX_MONTHS:
            starts.append(dates.add_months(starts[-1], 1, self.jalali))
        return starts


def preset(kind: str = DEFAULT, today: datetime.date | None = None, jalali: bool | None = None) -> Period:
    """A preset period ending today, in the reader's calendar."""
    today = today or timezone.localdate()
    jalali = uses_jalali() if jalali is None else jalali
    if kind == MONTH:
        start = dates.month_start(today, jalali)
    elif kind == QUARTER:
        start = dates.add_months(dates.month_start(today, jalali), -2, jalali)
    elif kind == YEAR:
        start = dates.year_start(today, jalali)
    elif kind == ALL:
        start = None
    else:
        raise ValueError(kind)
    return Period(kind, start, today, jalali)


def chosen(
    start: datetime.date | None,
    end: datetime.date | None,
    today: datetime.date | None = None,
    jalali: bool | None = None,
) -> Period:
    """A period from typed dates (no end: today). ValidationError, by field, for a date out of
    EARLIEST–LATEST, an end before the start, or more than MAX_MONTHS months."""
    jalali = uses_jalali() if jalali is None else jalali
    end = end or today or timezone.localdate()
    errors: dict[str, list] = {}
    for name, day in (("start", start), ("end", end)):
        if day is not None and not EARLIEST <= day <= LATEST:
            errors[name] = [
                _("Choose a date between %(earliest)s and %(latest)s.")
                % {"earliest": format_date(EARLIEST), "latest": format_date(LATEST)}
            ]
    if not errors and start is not None:
        if end < start:
            errors["end"] = [_("The end of the period must not be before its start.")]
        elif dates.add_months(dates.month_start(start, jalali), MAX_MONTHS, jalali) <= end:
            errors["end"] = [_("A period can span ten years at most.")]
    if errors:
        raise ValidationError(errors)
    return Period(CUSTOM, start, end, jalali)
