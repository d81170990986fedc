"""The demo's buying requests and what follows them: matches, interests, quotes, messages, outcomes.

Each request is keyed on its buyer and its title (in the buyer's language). A request the
database does not hold yet is written by its buyer and played to its fate in one go, through
the services and as the demo's own people (the buyer, the counsellor of its market, the
producers): so a second seed finds every request and adds nothing. Dates are relative to the
day of the seed (deadlines ahead, validities), so a demo seeded any day passes the services'
checks.

    iq-appliances  awarded    two producers quote, one quote expires, one is declined, one
                              accepted; the buyer declares the deal won, the producer confirms;
                              the counsellor records the other producer's match as lost
    iq-basra       published  two producers' open quotes to compare; a conversation
    iq-cookers     pending    awaiting the counsellor of Iraq
    ru-harvester   published  a producer's interest, forwarded; a conversation, unread
    ru-seeders     returned   with the counsellor's note
    tr-carpet      published  a producer's interest waiting in the counsellor's queue
    ae-dried-fruit published  a producer's interest, forwarded; a conversation
    am-lathes      closed     by its buyer
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from catalogue.models import Product
from deals import conversations, quote_expiry, quotes
from deals.models import Message, Quote
from matchmaking import interest, lifecycle, outcomes
from matchmaking.models import Match, MatchSource, MatchStatus
from matchmaking.request_matching import rematch_request
from sourcing import services as requests
from sourcing.models import BuyingRequest, RequestStatus

DOMAIN = "demo.exportbridge.ir"
IRAQ_BUYER = f"buyer.iraq@{DOMAIN}"
RUSSIA_BUYER = f"buyer.russia@{DOMAIN}"
TURKEY_BUYER = f"buyer.turkey@{DOMAIN}"
UAE_BUYER = f"buyer.uae@{DOMAIN}"
ARMENIA_BUYER = f"buyer.armenia@{DOMAIN}"
APPLIANCES = f"appliances@{DOMAIN}"
PUMPS = f"pumps@{DOMAIN}"
TRACTORS = f"tractors@{DOMAIN}"
TEXTILES = f"textiles@{DOMAIN}"
FOOD = f"food@{DOMAIN}"


@dataclass(frozen=True)
class DemoRequest:
    key: str
    buyer: str
    counsellor: str
    fate: str  # a RequestStatus: where the request is left
    data: dict
    deadline_days: int = 120
    note: str = ""  # the counsellor's (returned) or the buyer's (closed) note
    play: tuple = field(default_factory=tuple)  # the deals played on it, in order (see PLAYS)


def _line(hs_code: str, quantity, unit: str, target_price=None, specification: str = "") -> dict:
    return {
        "hs_code": hs_code,
        "quantity": Decimal(quantity),
        "unit": unit,
        "target_price": None if target_price is None else Decimal(target_price),
        "specification": specification,
    }


REQUESTS = [
    DemoRequest(
        "iq-appliances",
        IRAQ_BUYER,
        f"counsellor.iraq@{DOMAIN}",
        RequestStatus.AWARDED,
        {
            "language": "ar",
            "title": "ثلاجات وغسالات ومضخات طرد مركزي لموسم الصيف",
            "description": "نستورد لموسم الصيف ٢٠٠٠ ثلاجة مزدوجة و١٥٠٠ غسالة أوتوماتيكية لمعارضنا في بغداد، "
            "و٢٠٠٠ مضخة طرد مركزي لمشاريع المياه. التسليم CIF ميناء أم قصر، البصرة.",
            "translations": {
                "en": {
                    "title": "Refrigerators, washing machines and centrifugal pumps for the summer season",
                    "description": "For the summer season we import 2,000 twin refrigerators and 1,500 "
                    "automatic washing machines for our Baghdad showrooms, and 2,000 centrifugal "
                    "pumps for water projects. Delivery CIF Umm Qasr port, Basra.",
                }
            },
            "currency": "USD",
            "incoterm": "CIF",
            "destination_port": "Umm Qasr, Basra",
            "required_certifications": [],
            "lines": [
                _line(
                    "841810", 2000, "units", 460, "Twin refrigerator-freezer, 22-24 cu ft, A+ class, 220 V"
                ),
                _line("845011", 1500, "units", 270, "Front-loading, 8 kg, Arabic control panel"),
                _line("841370", 2000, "units", 900, "Centrifugal water pump, 50-150 m3/h"),
            ],
        },
        deadline_days=110,
        play=("appliances_awarded",),
    ),
    DemoRequest(
        "iq-basra",
        IRAQ_BUYER,
        f"counsellor.iraq@{DOMAIN}",
        RequestStatus.PUBLISHED,
        {
            "language": "ar",
            "title": "مضخات وغسالات لمجمع سكني في البصرة",
            "description": "مجمع سكني من ٦٠٠ شقة في البصرة: غسالة لكل شقة ومضخات رفع المياه للأبراج.",
            "translations": {
                "en": {
                    "title": "Pumps and washing machines for a housing complex in Basra",
                    "description": "A 600-flat housing complex in Basra: a washing machine for each "
                    "flat and booster pumps for the towers.",
                }
            },
            "currency": "USD",
            "incoterm": "DAP",
            "destination_port": "Basra",
            "lines": [
                _line("841370", 400, "units", 1100, "Booster pump sets, 30 m head"),
                _line("845011", 600, "units", 250, "Top-loading or front-loading, 7-8 kg"),
            ],
        },
        deadline_days=150,
        play=("basra_compare",),
    ),
    DemoRequest(
        "iq-cookers",
        IRAQ_BUYER,
        f"counsellor.iraq@{DOMAIN}",
        RequestStatus.PENDING,
        {
            "language": "ar",
            "title": "طباخات غازية بخمس عيون لبغداد",
            "description": "١٠٠٠ طباخ غازي بخمس عيون مع فرن، ستانلس ستيل، للبيع بالتجزئة في بغداد.",
            "translations": {
                "en": {
                    "title": "Five-burner gas cookers for Baghdad",
                    "description": "1,000 five-burner gas cookers with oven, stainless steel, for "
                    "retail in Baghdad.",
                }
            },
            "currency": "USD",
            "incoterm": "CPT",
            "destination_port": "Baghdad",
            "lines": [_line("732111", 1000, "units", 210, "90 cm, five burners, gas oven, LPG")],
        },
        deadline_days=140,
    ),
    DemoRequest(
        "ru-harvester",
        RUSSIA_BUYER,
        f"counsellor.russia@{DOMAIN}",
        RequestStatus.PUBLISHED,
        {
            "language": "ru",
            "title": "Запчасти для зерноуборочных комбайнов и коробки передач",
            "description": "Перед уборочной кампанией: ножи, ремни и подшипники для комбайнов, "
            "а также коробки передач для тракторов 80–100 л.с. Поставка DAP Казань.",
            "translations": {
                "en": {
                    "title": "Combine harvester spare parts and tractor gearboxes",
                    "description": "Ahead of the harvest: blades, belts and bearings for combines, "
                    "and gearboxes for 80-100 hp tractors. Delivery DAP Kazan.",
                }
            },
            "currency": "USD",
            "incoterm": "DAP",
            "destination_port": "Kazan",
            "required_certifications": ["ISO9001"],
            "lines": [
                _line("843390", 20000, "units", 12, "Knife sections, V-belts, bearings for grain combines"),
                _line("870840", 300, "units", 1500, "Gearboxes for 80-100 hp tractors"),
            ],
        },
        deadline_days=180,
        play=("harvester_interest",),
    ),
    DemoRequest(
        "ru-seeders",
        RUSSIA_BUYER,
        f"counsellor.russia@{DOMAIN}",
        RequestStatus.REJECTED,
        {
            "language": "ru",
            "title": "Сеялки для весеннего сева",
            "description": "Нужны сеялки.",
            "translations": {
                "en": {"title": "Seed drills for the spring sowing", "description": "We need seed drills."}
            },
            "currency": "USD",
            "lines": [_line("843239", 40, "units")],
        },
        deadline_days=90,
        note="Please give the working width, the number of rows and the Incoterm; "
        "producers cannot quote on «we need seed drills».",
    ),
    DemoRequest(
        "tr-carpet",
        TURKEY_BUYER,
        f"counsellor.turkey@{DOMAIN}",
        RequestStatus.PUBLISHED,
        {
            "language": "tr",
            "title": "Makine halısı, 1200 tarak, doğu illeri bayileri için",
            "description": "Van, Erzurum ve Kars bayilerimiz için akrilik makine halısı; klasik "
            "Tebriz desenleri, 150×225 ve 200×300 cm.",
            "translations": {
                "en": {
                    "title": "Machine-made carpet, 1,200 reeds, for dealers in the eastern provinces",
                    "description": "Acrylic machine-made carpet for our dealers in Van, Erzurum and "
                    "Kars; classic Tabriz designs, 150×225 and 200×300 cm.",
                }
            },
            "currency": "USD",
            "incoterm": "DAP",
            "destination_port": "Van",
            "lines": [_line("570242", 15000, "m2", 14, "1,200 reeds, acrylic, classic Tabriz designs")],
        },
        deadline_days=100,
        play=("carpet_interest",),
    ),
    DemoRequest(
        "ae-dried-fruit",
        UAE_BUYER,
        f"counsellor.uae@{DOMAIN}",
        RequestStatus.PUBLISHED,
        {
            "language": "ar",
            "title": "زبيب وبسكويت لمتاجر الخليج قبل رمضان",
            "description": "زبيب أخضر وبسكويت بالكريمة، حلال، بعبوات للبيع بالتجزئة، تسليم CFR جبل علي.",
            "translations": {
                "en": {
                    "title": "Raisins and biscuits for Gulf stores before Ramadan",
                    "description": "Green raisins and cream biscuits, halal, in retail packs, "
                    "delivered CFR Jebel Ali.",
                }
            },
            "currency": "USD",
            "incoterm": "CFR",
            "destination_port": "Jebel Ali",
            "required_certifications": ["HALAL"],
            "lines": [
                _line("080620", 120, "tonnes", 2100, "Green raisins, 500 g and 1 kg packs"),
                _line("190531", 60, "tonnes", 1800, "Cream sandwich biscuits, 24-pack cartons"),
            ],
        },
        deadline_days=75,
        play=("dried_fruit_interest",),
    ),
    DemoRequest(
        "am-lathes",
        ARMENIA_BUYER,
        f"counsellor.armenia@{DOMAIN}",
        RequestStatus.CLOSED,
        {
            "language": "en",
            "title": "CNC lathes for a pump repair workshop",
            "description": "Four CNC lathes, 1,500 mm between centres, CE marked, with training in Russian.",
            "currency": "USD",
            "incoterm": "DAP",
            "destination_port": "Yerevan",
            "required_certifications": ["CE"],
            "lines": [
                _line("845811", 4, "units", 45000, "1,500 mm between centres, Fanuc or Siemens control")
            ],
        },
        deadline_days=160,
        note="We bought two lathes locally; we will post again next year.",
    ),
]


# --- The people and the pieces -------------------------------------------------------------------


def _user(email: str) -> User:
    return User.objects.get(email=email)


def _product(producer_email: str, hs_code: str) -> Product:
    return Product.objects.get(producer__owner__email=producer_email, hs_code_id=hs_code)


def _match(request: BuyingRequest, producer_email: str, hs_code: str, message: str = "") -> Match:
    """The producer's match on `request`: the engine's, or (a `message` given, or none made by
    the engine) the producer's interest with its product under `hs_code`."""
    found = Match.objects.filter(request=request, producer__owner__email=producer_email).first()
    if found is None or message:
        found = interest.express_interest(
            request=request,
            product=_product(producer_email, hs_code),
            actor=_user(producer_email),
            message=message,
        )
    return found


def _forward(match: Match, counsellor: User, note: str) -> Match:
    return lifecycle.match_forward(match=match, actor=_reviewer(match, counsellor), note=note)


def _reviewer(match: Match, counsellor: User) -> User:
    match.refresh_from_db()
    return match.counsellor or counsellor


def _quote(match: Match, days_valid: int, **data) -> Quote:
    today = timezone.localdate()
    return quotes.quote_create(
        match=match,
        actor=match.producer.owner,
        data={**data, "valid_until": today + datetime.timedelta(days=days_valid)},
    )


def _say(match: Match, author: User, body: str, language: str) -> None:
    conversations.post_message(match=match, author=author, body=body, language=language)


# --- The deals played on the requests ---------------------------------------------------------


def appliances_awarded(request: BuyingRequest, counsellor: User) -> None:
    buyer = request.buyer.owner
    fridges = _forward(
        _match(request, APPLIANCES, "841810"), counsellor, "تولیدکننده معتبر؛ سابقه صادرات به عراق دارد."
    )
    pumps = _forward(_match(request, PUMPS, "841370"), counsellor, "ظرفیت کافی برای ۲۰۰۰ پمپ.")
    _say(
        fridges,
        fridges.producer.owner,
        "سلام، یخچال ۲۴ فوت ما با برچسب A+ آماده ارسال است. کاتالوگ را پیوست می‌کنیم.",
        "fa",
    )
    _say(fridges, buyer, "شكراً. هل يمكنكم التسليم إلى أم قصر خلال ثمانية أسابيع؟", "ar")
    _say(fridges, counsellor, "The buyer is reliable; the Baghdad fair is a good place to meet.", "en")
    _say(fridges, fridges.producer.owner, "بله، تحویل CIF ام‌قصر در هفت هفته ممکن است.", "fa")
    _say(pumps, pumps.producer.owner, "پمپ‌های ما گواهی API دارند؛ قیمت را امروز می‌فرستیم.", "fa")
    too_dear = _quote(
        pumps, 30, unit_price="980", lead_time_days=45, note="Price includes CIF freight to Umm Qasr."
    )
    _quote(fridges, 0, unit_price="470", lead_time_days=50, note="Valid today only: steel prices move.")
    # The first quote lapses: the expiry service, as the daily task runs it tomorrow.
    quote_expiry.expire_quotes(today=timezone.localdate() + datetime.timedelta(days=1))
    revised = _quote(
        fridges, 30, unit_price="455", lead_time_days=49, note="Revised price for 2,000 units, CIF Umm Qasr."
    )
    quotes.quote_decline(quote=too_dear, actor=buyer, note="السعر أعلى من السعر المستهدف.")
    quotes.quote_accept(quote=revised, actor=buyer, note="نقبل العرض. يرجى إرسال الفاتورة الأولية.")
    _say(fridges, buyer, "أرسلنا خطاب الاعتماد اليوم.", "ar")
    won = outcomes.match_record_outcome(
        match=fridges,
        actor=buyer,
        outcome=MatchStatus.WON,
        value=Decimal("910000"),
        currency="USD",
        note="2,000 refrigerators, letter of credit opened.",
    )
    outcomes.match_confirm_outcome(
        match=won, actor=won.producer.owner, note="تأیید می‌کنیم؛ محموله اول در راه است."
    )
    outcomes.match_record_outcome(
        match=pumps,
        actor=_reviewer(pumps, counsellor),
        outcome=MatchStatus.LOST,
        note="Price 9% above the buyer's target; the buyer awarded the request for the refrigerators.",
    )


def basra_compare(request: BuyingRequest, counsellor: User) -> None:
    buyer = request.buyer.owner
    pumps = _forward(_match(request, PUMPS, "841370"), counsellor, "Booster pumps: good fit.")
    washers = _forward(
        _match(request, APPLIANCES, "845011"), counsellor, "ماشین لباسشویی ۸ کیلویی مناسب است."
    )
    _quote(pumps, 30, unit_price="1050", lead_time_days=40, note="Booster set with control panel.")
    _quote(washers, 21, unit_price="245", lead_time_days=40, note="8 kg front-loading, Arabic panel.")
    _say(pumps, pumps.producer.owner, "آیا تابلو برق پمپ‌ها هم جزو سفارش است؟", "fa")
    _say(pumps, buyer, "Yes, one control panel per tower, 24 towers.", "en")  # the producer has not read it


def harvester_interest(request: BuyingRequest, counsellor: User) -> None:
    match = _match(
        request,
        TRACTORS,
        "843390",
        message="ما قطعات کمباین را برای جان‌دیر و کلاس می‌سازیم و به قزاقستان صادر کرده‌ایم.",
    )
    match = _forward(match, counsellor, "Producer with ISO 9001 and exports to Kazakhstan.")
    _say(match, match.producer.owner, "سلام، فهرست قطعات و مدل‌های کمباین شما را لطفاً بفرستید.", "fa")
    _say(match, request.buyer.owner, "We will send the list of part numbers next week.", "en")
    _say(match, counsellor, "ارسال نمونه به کازان از طریق آستارا حدود ده روز طول می‌کشد.", "fa")


def carpet_interest(request: BuyingRequest, counsellor: User) -> None:
    _match(
        request,
        TEXTILES,
        "570242",
        message="فرش ماشینی ۱۲۰۰ شانه با نقشه‌های کلاسیک تبریز، آماده ارسال به وان.",
    )


def dried_fruit_interest(request: BuyingRequest, counsellor: User) -> None:
    match = _match(request, FOOD, "080620", message="کشمش سبز مراغه با گواهی حلال؛ بسته‌بندی ۵۰۰ گرمی داریم.")
    match = _forward(match, counsellor, "Halal-certified producer; first export to the Gulf.")
    _say(match, match.producer.owner, "نمونه کشمش را با DHL به دبی می‌فرستیم.", "fa")
    _say(match, request.buyer.owner, "نرجو إرسال شهادة الحلال وشهادة المنشأ مع العينة.", "ar")
    conversations.mark_read(match=match, user=counsellor)


PLAYS = {
    "appliances_awarded": appliances_awarded,
    "basra_compare": basra_compare,
    "harvester_interest": harvester_interest,
    "carpet_interest": carpet_interest,
    "dried_fruit_interest": dried_fruit_interest,
}


# --- The seed --------------------------------------------------------------------------------


def _post(spec: DemoRequest) -> BuyingRequest:
    """Write the request as its buyer and take it to its fate (its deals played on the way)."""
    buyer, counsellor = _user(spec.buyer), _user(spec.counsellor)
    deadline = timezone.localdate() + datetime.timedelta(days=spec.deadline_days)
    request = requests.request_create(actor=buyer, data={**spec.data, "deadline": deadline})
    if spec.fate == RequestStatus.REJECTED:
        return requests.request_return(request=request, actor=counsellor, note=spec.note)
    if spec.fate == RequestStatus.PENDING:
        return request
    request = requests.request_approve(request=request, actor=counsellor)
    # What the approval triggers once committed, run now: the matches are played on below.
    rematch_request(request.pk)
    for name in spec.play:
        PLAYS[name](request, counsellor)
    if spec.fate == RequestStatus.CLOSED:
        request = requests.request_close(request=request, actor=buyer, note=spec.note)
        rematch_request(request.pk)  # its still-proposed matches withdrawn, as the signal does
    request.refresh_from_db()
    return request


def demo_requests() -> dict[str, BuyingRequest | None]:
    """The demo's requests by key (None for one not seeded)."""
    found = {}
    for spec in REQUESTS:
        found[spec.key] = BuyingRequest.objects.filter(
            buyer__owner__email=spec.buyer, title=spec.data["title"]
        ).first()
    return found


def seed_deals() -> list[str]:
    """Write the demo's requests the database does not hold yet; return their keys."""
    made = []
    existing = demo_requests()
    for spec in REQUESTS:
        if existing[spec.key] is None:
            _post(spec)
            made.append(spec.key)
    return made


def _counts(queryset, field_name: str) -> dict[str, int]:
    rows = queryset.values(field_name).annotate(n=Count("pk")).order_by(field_name)
    return {row[field_name]: row["n"] for row in rows}


def summary() -> dict[str, dict[str, int]]:
    """What the demo's requests hold now: requests, their matches, quotes by status; messages."""
    ids = [request.pk for request in demo_requests().values() if request is not None]
    matches = Match.objects.filter(request_id__in=ids)
    return {
        "requests": _counts(BuyingRequest.objects.filter(pk__in=ids), "status"),
        "matches": _counts(matches, "status"),
        "interests": _counts(matches.filter(source=MatchSource.PRODUCER_INTEREST), "status"),
        "quotes": _counts(Quote.objects.filter(request_id__in=ids), "status"),
        "messages": {"messages": Message.objects.filter(match__request_id__in=ids).count()},
    }
