"""What a digest says, per role (docs/design.md "Digests", issue 6).

`build_digests` gathers the changes of a window (since, until] for many users at once: a
fixed number of queries per role, whatever the number of users or of rows (one query for
all the producers' and buyers' newly forwarded matches, one for the events on them, and so
on), grouped per user in Python. It then writes each user's sections in the active language
(or the one given per user), with absolute links to the page where the user acts.

A digest never shows more than the pages would (`matchmaking.policies`): producers and
buyers see their matches once forwarded and only company names (contacts stay on the match
page); counsellors the matches routed to them plus the unassigned pool; staff everything.

    producer    new leads · changes in the leads · unread messages
    buyer       new introductions · changes in them · new products in the sought sectors ·
                unread messages
    counsellor  new in the queue · ageing in the queue · responses · outcomes due · unread messages
    staff       escalations (proposed past the escalation age)

Unread messages: the conversations (deals) with messages others wrote in the window that the
reader has still not read, one line each (one query for every role of the batch).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_countries import countries

from accounts.models import BuyerProfile
from catalogue.models import Product
from counsellors.selectors import queue_sort_key, short_name
from deals.conversation_selectors import unread_in_window
from deals.policies import CONVERSATION_STATUSES
from digests.content import Digest, DigestItem, DigestSection
from matchmaking.ageing import OVERDUE, ageing_q, checkin_due_q, overdue_q, service_levels, service_state
from matchmaking.models import Match, MatchEvent, MatchSource, MatchStatus, PartyResponse
from matchmaking.policies import in_pool_q, visible_to_parties_q
from portal.bidi import isolate
from portal.formatting import format_date, format_number, is_persian, localize_digits
from taxonomy.models import SectorLevel

# Items shown per section; the rest is counted in `more`, with a link to the page listing all.
MAX_ITEMS = 10
# Up to this many users of a role, the queries are filtered by their ids; past it, by the
# window alone, and the rows of users outside the batch are dropped in Python (a statement
# never carries more parameters than any database takes: 999 on older SQLite).
ID_FILTER_LIMIT = 400

PRODUCER, BUYER = "producer", "buyer"
OTHER_SIDE = {PRODUCER: BUYER, BUYER: PRODUCER}

_MATCH_FIELDS = (
    "pk",
    "status",
    "source",
    "score",
    "counsellor",
    "counsellor__full_name",
    "counsellor__email",
    "created_at",
    "forwarded_at",
    "connected_at",
    "escalated_at",
    "producer_response",
    "buyer_response",
    "producer__owner",
    "producer__name",
    "producer__city",
    "producer__province",
    "buyer__owner",
    "buyer__company_name",
    "buyer__country",
    "requested_product__name",
)
_PARTY_MATCH_FIELDS = tuple(
    name for name in _MATCH_FIELDS if not name.startswith("counsellor") and name != "escalated_at"
)
_EVENT_FIELDS = ("at", "actor", "from_status", "to_status")


# --- Entry points ---------------------------------------------------------------------------


def build_digest(user, *, since: datetime, until: datetime) -> Digest:
    """`user`'s digest of the changes in (since, until], in the active language."""
    return build_digests([user], since=since, until=until)[user.pk]


def build_digests(
    users: Iterable, *, since: datetime, until: datetime, languages: Mapping[int, str] | None = None
) -> dict[int, Digest]:
    """The digests of many users, keyed by user id, with a fixed number of queries in all.

    Each digest is written in the active language, or in `languages[user.pk]` where given
    (so one call serves users of every language).
    """
    users = [user for user in users if user.pk is not None]
    facts = _Facts(since=since, until=until)
    facts.gather(users)
    digests = {}
    for user in users:
        language = (languages or {}).get(user.pk)
        with translation.override(language) if language else nullcontext():
            sections = _sections(user, facts) if user.is_active else []
        digests[user.pk] = Digest(user=user, since=since, until=until, sections=sections)
    return digests


# --- Gathering: every query of a run --------------------------------------------------------


def _among(field_name: str, ids: list[int]) -> Q:
    return Q(**{f"{field_name}__in": ids}) if len(ids) <= ID_FILTER_LIMIT else Q()


def _event_row(row: dict) -> dict:
    """An event row with its match's fields under their match names (`match__x` → `x`)."""
    return {key.removeprefix("match__"): value for key, value in row.items()}


@dataclass
class _Facts:
    """The rows of one window for a batch of users, grouped per user."""

    since: datetime
    until: datetime
    # (side, user id) → matches forwarded in the window / events on the side's matches
    forwarded: dict = field(default_factory=lambda: defaultdict(list))
    party_events: dict = field(default_factory=lambda: defaultdict(list))
    # buyer user id → sought codes / new products
    sought: dict = field(default_factory=lambda: defaultdict(list))
    products: dict = field(default_factory=lambda: defaultdict(list))
    # counsellor user id → rows (the pool's new matches are everyone's)
    queue_new: dict = field(default_factory=lambda: defaultdict(list))
    pool_new: list = field(default_factory=list)
    ageing: dict = field(default_factory=lambda: defaultdict(list))
    responses: dict = field(default_factory=lambda: defaultdict(list))
    outcomes_due: dict = field(default_factory=lambda: defaultdict(list))
    escalations: list = field(default_factory=list)
    # user id → match id → that conversation's unread messages of the window
    unread: dict = field(default_factory=lambda: defaultdict(dict))

    def window(self, field_name: str) -> Q:
        return Q(**{f"{field_name}__gt": self.since, f"{field_name}__lte": self.until})

    def gather(self, users: list) -> None:
        active = [user for user in users if user.is_active]
        producers = {user.pk for user in active if user.is_producer}
        buyers = {user.pk for user in active if user.is_buyer}
        counsellors = {user.pk for user in active if user.is_counsellor}
        if producers or buyers:
            self._gather_parties(producers, buyers)
        if buyers:
            self._gather_products(buyers)
        if counsellors:
            self._gather_counsellors(counsellors)
        if producers or buyers or counsellors:
            self._gather_messages(producers, buyers, counsellors)
        if any(user.is_portal_staff for user in active):
            self._gather_staff()

    # Producers and buyers: their forwarded matches (two queries for both roles).

    def _parties_q(self, prefix: str, producers: set[int], buyers: set[int]) -> Q:
        condition = Q(pk__in=[])
        if producers:
            condition |= Q(**{f"{prefix}producer__owner__isnull": False}) & _among(
                f"{prefix}producer__owner", sorted(producers)
            )
        if buyers:
            condition |= Q(**{f"{prefix}buyer__owner__isnull": False}) & _among(
                f"{prefix}buyer__owner", sorted(buyers)
            )
        return condition

    def _file_party_row(self, row: dict, producers: set[int], buyers: set[int], target: dict) -> None:
        if row["producer__owner"] in producers:
            target[PRODUCER, row["producer__owner"]].append(row)
        if row["buyer__owner"] in buyers:
            target[BUYER, row["buyer__owner"]].append(row)

    def _gather_parties(self, producers: set[int], buyers: set[int]) -> None:
        forwarded = (
            Match.objects.filter(self.window("forwarded_at"), visible_to_parties_q())
            .filter(self._parties_q("", producers, buyers))
            .order_by("-forwarded_at", "-pk")
            .values(*_PARTY_MATCH_FIELDS)
        )
        for row in forwarded:
            self._file_party_row(row, producers, buyers, self.forwarded)
        # What happened after the forward: responses, the connection, the outcome (and the
        # counsellors' handovers, which the parties do not see: dropped when composing).
        events = (
            MatchEvent.objects.filter(
                self.window("at"),
                visible_to_parties_q("match__"),
                from_status__in=(MatchStatus.FORWARDED, MatchStatus.CONNECTED),
            )
            .exclude(details__has_key="quote")  # a quote's event keeps the status: no response
            .filter(self._parties_q("match__", producers, buyers))
            .order_by("at", "pk")
            .values(*_EVENT_FIELDS, *(f"match__{name}" for name in _PARTY_MATCH_FIELDS))
        )
        for row in events:
            row = _event_row(row)
            self._file_party_row(row, producers, buyers, self.party_events)

    # Buyers: new products in their sought sectors (two queries).

    def _gather_products(self, buyers: set[int]) -> None:
        through = BuyerProfile.sought_sectors.through
        by_code: dict[str, list[int]] = defaultdict(list)
        chapters, sections = set(), set()
        rows = through.objects.filter(_among("buyerprofile__owner", sorted(buyers))).values_list(
            "buyerprofile__owner", "sector", "sector__level"
        )
        for owner, code, level in rows:
            if owner not in buyers:
                continue
            self.sought[owner].append(code)
            by_code[code].append(owner)
            if level == SectorLevel.SECTION:
                sections.add(code)
            else:
                chapters.add(code[:2])
        if not by_code:
            return
        # A product is in a sought sector when its code is at or under a sought code (or in a
        # sought HS section): narrowed in the database to the chapters and sections involved.
        products = (
            Product.objects.filter(self.window("created_at"), is_active=True)
            .annotate(chapter=Substr("hs_code", 1, 2))
            .filter(Q(chapter__in=sorted(chapters)) | Q(hs_code__section__in=sorted(sections)))
            .order_by("-created_at", "-pk")
            .values(
                "pk",
                "name",
                "created_at",
                "hs_code",
                "hs_code__section",
                "hs_code__name",
                "hs_code__name_fa",
                "producer__name",
            )
        )
        for product in products:
            code = product["hs_code"]
            prefixes = {code[:2], code[:4], code[:6], product["hs_code__section"]}
            owners = {owner for prefix in prefixes if prefix for owner in by_code.get(prefix, ())}
            for owner in owners:
                self.products[owner].append(product)

    # Counsellors: their queue, the responses on their matches, outcomes due (four queries).

    def _gather_counsellors(self, counsellors: set[int]) -> None:
        ids = sorted(counsellors)
        routed = Q(counsellor__isnull=False) & _among("counsellor", ids)
        # New in the queue: created in the window, or back in it (a buyer's request on a pair
        # that was withdrawn or rejected, or a handover from a colleague).
        back = MatchEvent.objects.filter(
            self.window("at"), match=OuterRef("pk"), to_status=MatchStatus.PROPOSED
        ).filter(
            ~Q(from_status=MatchStatus.PROPOSED) | (Q(actor__isnull=False) & ~Q(actor=OuterRef("counsellor")))
        )
        new = list(
            Match.objects.filter(status=MatchStatus.PROPOSED)
            .filter(routed | in_pool_q())
            .filter(self.window("created_at") | Exists(back))
            .order_by("-score", "pk")
            .values(*_MATCH_FIELDS)
        )
        for row in new:
            if row["counsellor"] is None:
                self.pool_new.append(row)
        _file_by_counsellor(new, counsellors, self.queue_new)
        ageing = (
            Match.objects.filter(routed, ageing_q(self.until))
            .order_by("created_at", "pk")
            .values(*_MATCH_FIELDS)
        )
        _file_by_counsellor(ageing, counsellors, self.ageing)
        responses = (
            MatchEvent.objects.filter(
                self.window("at"),
                match__counsellor__isnull=False,
                from_status=MatchStatus.FORWARDED,
                to_status__in=(MatchStatus.FORWARDED, MatchStatus.DECLINED, MatchStatus.CONNECTED),
            )
            .exclude(details__has_key="quote")  # a quote's event keeps the status: no response
            .filter(_among("match__counsellor", ids))
            .order_by("-at", "-pk")
            .values(*_EVENT_FIELDS, *(f"match__{name}" for name in _MATCH_FIELDS))
        )
        for row in responses:
            row = _event_row(row)
            # A response is the producer's or the buyer's (not a colleague's handover).
            if row["counsellor"] in counsellors and row["actor"] in (
                row["producer__owner"],
                row["buyer__owner"],
            ):
                self.responses[row["counsellor"]].append(row)
        due = (
            Match.objects.filter(routed, checkin_due_q(self.until))
            .order_by("connected_at", "pk")
            .values(*_MATCH_FIELDS)
        )
        _file_by_counsellor(due, counsellors, self.outcomes_due)

    # Producers, buyers and counsellors: messages of the window they have not read (one query).

    def _gather_messages(self, producers: set[int], buyers: set[int], counsellors: set[int]) -> None:
        readers = self._parties_q("match__", producers, buyers)
        if counsellors:
            readers |= Q(match__counsellor__isnull=False) & _among("match__counsellor", sorted(counsellors))
        rows = unread_in_window(
            since=self.since,
            until=self.until,
            recipients=readers & Q(match__status__in=CONVERSATION_STATUSES),
        )
        for row in rows:
            for reader, read, batch in (
                (row["match__producer__owner"], row["producer_read"], producers),
                (row["match__buyer__owner"], row["buyer_read"], buyers),
                (row["match__counsellor"], row["counsellor_read"], counsellors),
            ):
                if reader not in batch or row["author"] == reader or row["id"] <= read:
                    continue
                entry = self.unread[reader].setdefault(
                    row["match_id"],
                    {
                        "pk": row["match_id"],
                        "producer__name": row["match__producer__name"],
                        "buyer__company_name": row["match__buyer__company_name"],
                        "count": 0,
                    },
                )
                entry["count"] += 1
                entry["latest"] = row["created_at"]

    # Staff: proposed matches past the escalation age (one query, shared by all staff).

    def _gather_staff(self) -> None:
        self.escalations = list(
            Match.objects.filter(overdue_q(self.until)).order_by("created_at", "pk").values(*_MATCH_FIELDS)
        )


def _file_by_counsellor(rows: Iterable[dict], counsellors: set[int], target: dict) -> None:
    """File each row under its counsellor, if one of the batch's."""
    for row in rows:
        if row["counsellor"] in counsellors:
            target[row["counsellor"]].append(row)


# --- Composing: one user's sections in the active language ----------------------------------
#
# Only the items shown are written (MAX_ITEMS per section); the rest are counted.


def _url(name: str, *args, query: dict | None = None) -> str:
    path = reverse(name, args=args)
    return settings.PORTAL_BASE_URL + path + (f"?{urlencode(query)}" if query else "")


def _match_url(row: dict) -> str:
    return _url("matchmaking:match_detail", row["pk"])


def _section(
    key: str, title: str, rows: list, make: Callable[[Any], DigestItem], more_url: str
) -> DigestSection | None:
    """A section of the first MAX_ITEMS `rows` (each written by `make`); None when empty."""
    if not rows:
        return None
    return DigestSection(
        key=key,
        title=title,
        items=[make(row) for row in rows[:MAX_ITEMS]],
        more=max(0, len(rows) - MAX_ITEMS),
        more_url=more_url,
    )


def _sections(user, facts: _Facts) -> list[DigestSection]:
    sections: list[DigestSection | None] = []
    side = user.party_side
    if side is not None:
        sections += _party_sections(user, facts, side)
        if side == BUYER:
            sections.append(_new_products(user, facts))
        sections.append(_unread_messages(user, facts, side))
    elif user.is_counsellor:
        sections += _counsellor_sections(user, facts)
        sections.append(_unread_messages(user, facts, None))
    if user.is_portal_staff:
        sections.append(_escalations(facts))
    return [section for section in sections if section is not None]


def _country(code: str) -> str:
    return str(countries.name(code)) or code


def _pair(row: dict) -> str:
    return f"{isolate(row['producer__name'])} ↔ {isolate(row['buyer__company_name'])}"


def _days_old(since: datetime, until: datetime) -> str:
    days = max(0, (until - since).days)
    return ngettext("%(shown)s day old", "%(shown)s days old", days) % {"shown": format_number(days)}


def _sentences(*parts: str) -> str:
    return " ".join(part for part in parts if part)


# Producers and buyers.


def _counterpart(row: dict, side: str) -> str:
    return isolate(row["buyer__company_name"] if side == PRODUCER else row["producer__name"])


def _new_match_item(row: dict, side: str) -> DigestItem:
    if side == PRODUCER:
        detail = _("A buyer in %(country)s.") % {"country": _country(row["buyer__country"])}
    else:
        detail = _("A producer in %(city)s.") % {
            "city": isolate(row["producer__city"] or row["producer__province"])
        }
    product = row["requested_product__name"]
    if product and side == BUYER:
        detail = _sentences(
            detail, _("This answers your request about “%(product)s”.") % {"product": product}
        )
    elif product:
        detail = _sentences(detail, _("They asked to meet you about “%(product)s”.") % {"product": product})
    badge = ""
    if row["status"] != MatchStatus.FORWARDED:
        badge = str(MatchStatus(row["status"]).label)
    elif row[f"{side}_response"] == PartyResponse.PENDING:
        detail = _sentences(detail, _("Accept or decline it on the match page."))
    return DigestItem(title=_counterpart(row, side), url=_match_url(row), detail=detail, badge=badge)


def _party_change(row: dict, side: str) -> str | None:
    """What an event on a match is to one side: "accepted" or "declined" (by the other side),
    "connected", "won", "lost"; None for what the side did itself or does not see (a
    counsellors' handover)."""
    by_other = row["actor"] is not None and row["actor"] == row[f"{OTHER_SIDE[side]}__owner"]
    from_status, to_status = row["from_status"], row["to_status"]
    if from_status == MatchStatus.FORWARDED:
        if to_status == MatchStatus.FORWARDED and by_other:
            return "accepted"
        if to_status == MatchStatus.DECLINED and by_other:
            return "declined"
        if to_status == MatchStatus.CONNECTED:
            return "connected"
    elif from_status == MatchStatus.CONNECTED and to_status in (MatchStatus.WON, MatchStatus.LOST):
        return to_status
    return None


def _change_item(entry: tuple[dict, str], side: str) -> DigestItem:
    row, change = entry
    by_buyer = side == PRODUCER
    texts = {
        "accepted": _("The buyer accepted. Accept too, and you are connected.")
        if by_buyer
        else _("The producer accepted. Accept too, and you are connected."),
        "declined": _("The buyer declined the match.") if by_buyer else _("The producer declined the match."),
        "connected": _("You are connected: both of you accepted. Their contacts are on the match page."),
        "won": _("The trade counsellor recorded a deal won."),
        "lost": _("The trade counsellor recorded that no deal came of it."),
    }
    badge = PartyResponse.ACCEPTED.label if change == "accepted" else MatchStatus(change).label
    return DigestItem(
        title=_counterpart(row, side), url=_match_url(row), detail=texts[change], badge=str(badge)
    )


def _party_sections(user, facts: _Facts, side: str) -> list[DigestSection | None]:
    forwarded = facts.forwarded.get((side, user.pk), [])
    new_ids = {row["pk"] for row in forwarded}
    # One line per match: its latest change in the window (the events come oldest first); a
    # match forwarded in the window is listed as new, with its status, instead.
    latest: dict[int, tuple[dict, str]] = {}
    for row in facts.party_events.get((side, user.pk), []):
        if row["pk"] not in new_ids and (change := _party_change(row, side)) is not None:
            latest[row["pk"]] = (row, change)
    changes = sorted(latest.values(), key=lambda entry: entry[0]["at"], reverse=True)

    def new(row):
        return _new_match_item(row, side)

    def changed(entry):
        return _change_item(entry, side)

    if side == PRODUCER:
        page = _url("matchmaking:leads")
        return [
            _section("new_leads", _("New leads"), forwarded, new, page),
            _section("lead_changes", _("Changes in your leads"), changes, changed, page),
        ]
    page = _url("matchmaking:introductions")
    return [
        _section("new_introductions", _("New introductions"), forwarded, new, page),
        _section("introduction_changes", _("Changes in your introductions"), changes, changed, page),
    ]


def _product_item(product: dict) -> DigestItem:
    name = (is_persian() and product["hs_code__name_fa"]) or product["hs_code__name"]
    code = localize_digits(product["hs_code"])
    return DigestItem(
        title=isolate(product["name"]),
        url=_url("catalogue:product-detail", product["pk"]),
        detail=_("By %(producer)s · %(sector)s")
        % {"producer": isolate(product["producer__name"]), "sector": f"{code} — {short_name(name)}"},
    )


def _new_products(user, facts: _Facts) -> DigestSection | None:
    query = {"ordering": "-created_at"}
    sought = facts.sought.get(user.pk, [])
    if len(sought) == 1 and sought[0].isdigit():
        query["hs"] = sought[0]
    return _section(
        "new_products",
        _("New products in your sectors"),
        facts.products.get(user.pk, []),
        _product_item,
        _url("catalogue:product-list", query=query),
    )


# Everyone in a conversation: its unread messages.


def _unread_item(row: dict, side: str | None) -> DigestItem:
    count = row["count"]
    return DigestItem(
        title=_counterpart(row, side) if side is not None else _pair(row),
        url=_url("deals:conversation", row["pk"]),
        detail=ngettext("%(shown)s unread message", "%(shown)s unread messages", count)
        % {"shown": format_number(count)},
    )


def _unread_messages(user, facts: _Facts, side: str | None) -> DigestSection | None:
    """The conversations with messages of the window the reader has not read, latest first."""
    rows = sorted(facts.unread.get(user.pk, {}).values(), key=lambda row: row["latest"], reverse=True)
    return _section(
        "unread_messages",
        _("Unread messages"),
        rows,
        lambda row: _unread_item(row, side),
        _url("deals:inbox"),
    )


# Counsellors and staff.


def _queue_item(row: dict) -> DigestItem:
    detail = [
        _("Buyer in %(country)s") % {"country": _country(row["buyer__country"])},
        _("score %(score)s%%") % {"score": format_number(round(float(row["score"]) * 100))},
    ]
    if row["counsellor"] is None:
        detail.append(_("in the shared pool"))
    badge = MatchSource.BUYER_REQUEST.label if row["source"] == MatchSource.BUYER_REQUEST else ""
    return DigestItem(title=_pair(row), url=_match_url(row), detail=" · ".join(detail), badge=str(badge))


def _ageing_item(row: dict, facts: _Facts) -> DigestItem:
    state = service_state(
        status=row["status"], created_at=row["created_at"], escalated_at=row["escalated_at"], now=facts.until
    )
    overdue = state == OVERDUE
    detail = _days_old(row["created_at"], facts.until)
    if row["source"] == MatchSource.BUYER_REQUEST:
        detail = f"{detail} · {MatchSource.BUYER_REQUEST.label}"
    return DigestItem(
        title=_pair(row), url=_match_url(row), detail=detail, badge=_("Overdue") if overdue else _("Ageing")
    )


def _response_item(row: dict) -> DigestItem:
    by_producer = row["actor"] == row["producer__owner"]
    if row["to_status"] == MatchStatus.CONNECTED:
        text, badge = _("Both accepted: the two companies are connected."), MatchStatus.CONNECTED.label
    elif row["to_status"] == MatchStatus.DECLINED:
        text = _("The producer declined.") if by_producer else _("The buyer declined.")
        badge = MatchStatus.DECLINED.label
    else:
        text = (
            _("The producer accepted; the buyer has yet to answer.")
            if by_producer
            else _("The buyer accepted; the producer has yet to answer.")
        )
        badge = PartyResponse.ACCEPTED.label
    return DigestItem(title=_pair(row), url=_match_url(row), detail=text, badge=str(badge))


def _outcome_item(row: dict) -> DigestItem:
    return DigestItem(
        title=_pair(row),
        url=_match_url(row),
        detail=_sentences(
            _("Connected on %(date)s.") % {"date": format_date(row["connected_at"])},
            _("Ask both sides how it went and record the outcome."),
        ),
    )


def _counsellor_sections(user, facts: _Facts) -> list[DigestSection | None]:
    ageing = facts.ageing.get(user.pk, [])
    ageing_ids = {row["pk"] for row in ageing}
    # New: routed to them (unless listed as ageing) and the pool's; buyers' requests first,
    # then the best score, as the queue orders them.
    new = [row for row in facts.queue_new.get(user.pk, []) if row["pk"] not in ageing_ids] + facts.pool_new
    new.sort(key=lambda row: queue_sort_key(source=row["source"], score=row["score"], pk=row["pk"]))
    return [
        _section("queue_new", _("New in your review queue"), new, _queue_item, _url("counsellors:queue")),
        _section(
            "queue_ageing",
            _("Waiting too long for your review"),
            ageing,
            lambda row: _ageing_item(row, facts),
            _url("counsellors:queue", query={"ageing": "on"}),
        ),
        _section(
            "responses",
            _("Responses from producers and buyers"),
            facts.responses.get(user.pk, []),
            _response_item,
            _url("counsellors:queue", query={"status": ""}),
        ),
        _section(
            "outcomes_due",
            _("Outcomes to record"),
            facts.outcomes_due.get(user.pk, []),
            _outcome_item,
            _url("counsellors:queue", query={"status": MatchStatus.CONNECTED}),
        ),
    ]


def _escalation_item(row: dict, facts: _Facts) -> DigestItem:
    if row["counsellor"] is None:
        desk = _("Shared pool")
    else:
        desk = row["counsellor__full_name"] or row["counsellor__email"]
    detail = f"{desk} · {_days_old(row['created_at'], facts.until)}"
    return DigestItem(title=_pair(row), url=_match_url(row), detail=detail, badge=_("Overdue"))


def _escalations(facts: _Facts) -> DigestSection | None:
    return _section(
        "escalations",
        _("Waiting for review past the service level"),
        facts.escalations,
        lambda row: _escalation_item(row, facts),
        _url("counsellors:queue", query={"older_than": service_levels().escalation_days}),
    )
