"""Catalogue search against a naive `icontains` baseline, on 100,000 generated products.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python benchmarks/bench_search.py
    python benchmarks/bench_search.py --products 20000          # SQLite, a temporary file

The script never touches real data: it makes its own database (on PostgreSQL
`bench_search_<pid>` on the server DATABASE_URL points at, dropped at the end; else
a temporary SQLite file), migrates it, generates producers and products spread over
the HS chapters the province makes (84, 85, textiles 52-63, food 02-24, metals,
plastics, furniture…) with Persian and English names, some typed on an Arabic
keyboard, and builds the search index in bulk. Then the same queries (English and
Persian words, Arabic-keyboard variants, typos, HS-code filter combinations) run
through (a) a naive `icontains` OR over product name and description, producer
name and description and HS name, and (b) `catalogue.selectors.product_search`;
both return the first page of 24 ordered results. Prints p50/p95 for both and
their ratio; `--check` exits non-zero when the PostgreSQL targets (p95 ≤ 50 ms,
≥ 10× faster than naive at p50 and p95) are missed.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"

from scratch import scratch_database  # noqa: E402

PAGE_SIZE = 24
P95_TARGET_MS = 50.0
RATIO_TARGET = 10.0

# --- What the province makes: (HS codes, English names, Persian names, share of products) ---------

FAMILIES = [
    # Chapter 84: machinery and appliances, the province's core.
    (
        ["841810", "841821", "841829", "841830", "841840", "841850"],
        [
            "Refrigerator",
            "Side-by-side Refrigerator",
            "Chest Freezer",
            "Upright Freezer",
            "Display Refrigerator",
        ],
        ["یخچال", "یخچال فریزر", "فریزر صندوقی", "یخچال ویترینی", "یخچال صنعتی"],
        7,
    ),
    (
        ["845011", "845012", "845019", "845020"],
        ["Washing Machine", "Front-load Washing Machine", "Twin-tub Washer"],
        ["ماشین لباسشویی", "لباسشویی دوقلو", "ماشین لباسشویی درب از جلو"],
        4,
    ),
    (
        ["841370", "841381", "841360", "841350"],
        ["Centrifugal Pump", "Submersible Pump", "Water Pump", "Booster Pump"],
        ["پمپ آب", "پمپ سانتریفیوژ", "پمپ شناور", "الکتروپمپ"],
        5,
    ),
    (
        ["843290", "843210", "843280", "843221", "843230"],
        ["Tractor Parts", "Plough", "Disc Harrow", "Seed Drill", "Rotary Tiller"],
        ["قطعات تراکتور", "گاوآهن", "دیسک کشاورزی", "بذرکار", "ماشین‌آلات کشاورزی"],
        5,
    ),
    (
        ["841510", "841582", "841430", "841440", "847960"],
        ["Split Air Conditioner", "Air Compressor", "Refrigeration Compressor", "Evaporative Cooler"],
        ["کولر گازی", "کمپرسور هوا", "کمپرسور یخچال", "کولر آبی"],
        4,
    ),
    (
        ["848180", "848120", "848210", "848220"],
        ["Ball Valve", "Industrial Valve", "Ball Bearing", "Roller Bearing"],
        ["شیر صنعتی", "شیر توپی", "بلبرینگ", "رولبرینگ"],
        4,
    ),
    (
        ["845811", "846221", "846150", "847710", "845221", "844630"],
        [
            "CNC Lathe",
            "Press Brake",
            "Injection Moulding Machine",
            "Industrial Sewing Machine",
            "Weaving Loom",
        ],
        ["دستگاه تراش سی‌ان‌سی", "دستگاه پرس", "دستگاه تزریق پلاستیک", "چرخ خیاطی صنعتی", "دستگاه بافندگی"],
        5,
    ),
    # Chapter 85: electrical equipment and home appliances.
    (
        ["850152", "850151", "850140"],
        ["Electric Motor", "Three-phase Induction Motor", "Gear Motor"],
        ["الکتروموتور", "موتور برق سه‌فاز", "گیربکس موتور"],
        5,
    ),
    (
        ["850421", "850422", "850423", "850431"],
        ["Power Transformer", "Distribution Transformer", "Current Transformer"],
        ["ترانسفورماتور", "ترانس توزیع", "ترانسفورماتور جریان"],
        4,
    ),
    (
        ["854449", "854442", "854460"],
        ["Power Cable", "Copper Cable", "Electric Wire"],
        ["کابل برق", "سیم و کابل", "کابل مسی"],
        5,
    ),
    (
        ["851610", "851660", "850940", "851650", "853950"],
        ["Water Heater", "Electric Oven", "Food Processor", "Microwave Oven", "LED Lamp"],
        ["آبگرمکن", "فر برقی", "غذاساز", "مایکروویو", "لامپ ال‌ای‌دی"],
        6,
    ),
    # Textiles, chapters 52-63.
    (
        ["570110", "570190", "570231", "570242"],
        ["Hand-woven Carpet", "Machine-made Carpet", "Tabriz Rug", "Wool Carpet"],
        ["فرش دستباف", "فرش ماشینی", "فرش تبریز", "قالی"],
        5,
    ),
    (
        ["520512", "520811", "540233", "551511"],
        ["Cotton Yarn", "Cotton Fabric", "Polyester Yarn", "Blended Fabric"],
        ["نخ پنبه", "پارچه نخی", "نخ پلی‌استر", "پارچه مخلوط"],
        4,
    ),
    (
        ["620342", "610910", "611020", "630140", "630231"],
        ["Men's Trousers", "T-shirt", "Knitted Sweater", "Blanket", "Bed Linen"],
        ["شلوار مردانه", "تی‌شرت", "پلیور بافتنی", "پتو", "ملحفه"],
        5,
    ),
    # Food, chapters 02-24.
    (
        ["091020", "080251", "080252", "080410", "080620", "081340"],
        ["Saffron", "Pistachio", "Shelled Pistachio", "Dates", "Raisins", "Dried Apricot"],
        ["زعفران", "پسته", "مغز پسته", "خرما", "کشمش", "برگه زردآلو"],
        7,
    ),
    (
        ["200290", "090230", "190531", "040610", "040900", "170490"],
        ["Tomato Paste", "Black Tea", "Biscuits", "White Cheese", "Honey", "Nougat"],
        ["رب گوجه‌فرنگی", "چای سیاه", "بیسکویت", "پنیر سفید", "عسل", "گز"],
        7,
    ),
    # Metals, plastics, vehicles, ceramics, furniture, leather.
    (
        ["730630", "730890", "732111", "721049"],
        ["Steel Pipe", "Steel Structure", "Gas Stove", "Galvanized Sheet"],
        ["لوله فولادی", "سازه فلزی", "اجاق گاز", "ورق گالوانیزه"],
        5,
    ),
    (
        ["392410", "391732", "870899", "870830"],
        ["Plastic Tableware", "PVC Pipe", "Car Body Parts", "Brake Pads"],
        ["ظروف پلاستیکی", "لوله پی‌وی‌سی", "قطعات بدنه خودرو", "لنت ترمز"],
        5,
    ),
    (
        ["690721", "691010", "940360", "940161", "640399", "420221"],
        ["Ceramic Tiles", "Sanitary Ware", "Office Furniture", "Sofa", "Leather Shoes", "Leather Bag"],
        ["کاشی و سرامیک", "چینی بهداشتی", "مبلمان اداری", "مبل", "کفش چرمی", "کیف چرمی"],
        8,
    ),
]
CITIES = [
    ("Tabriz", "تبریز", 60),
    ("Marand", "مرند", 6),
    ("Maragheh", "مراغه", 6),
    ("Ahar", "اهر", 4),
    ("Mianeh", "میانه", 4),
    ("Bonab", "بناب", 5),
    ("Sahand", "سهند", 8),
    ("Azarshahr", "آذرشهر", 7),
]
PROVINCES = [("East Azerbaijan", 75), ("West Azerbaijan", 6), ("Ardabil", 6), ("Zanjan", 5), ("Tehran", 8)]
MARKETS = [
    "IQ",
    "AM",
    "AZ",
    "TR",
    "GE",
    "RU",
    "AF",
    "AE",
    "KZ",
    "TM",
    "UZ",
    "TJ",
    "SY",
    "LB",
    "QA",
    "OM",
    "PK",
    "IN",
    "CN",
    "DE",
]
CERTIFICATIONS = ["ISO9001", "ISO14001", "CE", "HALAL", "HACCP", "OHSAS18001", "ISIRI"]
UNITS = ["units", "units", "units", "sets", "tonnes", "kg", "m2", "pairs"]
EN_FEATURES = [
    "Energy efficient and built for hot climates.",
    "Stainless steel body with a two-year warranty.",
    "Spare parts and after-sales service in the target market.",
    "Made to order in custom sizes and colours.",
    "Tested to international standards before shipment.",
    "Private labelling available for distributors.",
    "Packed for container shipping by road or rail.",
]
FA_FEATURES = [
    "کم‌مصرف و مناسب آب‌وهوای گرم.",
    "بدنه استیل با دو سال گارانتی.",
    "قطعات یدکی و خدمات پس از فروش در بازار هدف.",
    "تولید سفارشی در اندازه و رنگ دلخواه.",
    "آزمون‌شده مطابق استانداردهای بین‌المللی پیش از ارسال.",
    "امکان برند اختصاصی برای توزیع‌کنندگان.",
    "بسته‌بندی مناسب حمل کانتینری زمینی و ریلی.",
]
EN_COMPANY = ["Industries", "Group", "Manufacturing Co.", "Works", "Industrial Co.", "Trading"]
FA_COMPANY = ["صنایع", "گروه صنعتی", "شرکت تولیدی", "کارخانه", "شرکت بازرگانی"]
FA_TRADE_NAMES = [
    "آذر",
    "سهند",
    "ارک",
    "ائل‌گلی",
    "سبلان",
    "پارس",
    "ایران",
    "شمس",
    "کوثر",
    "البرز",
    "تابان",
    "نوین",
]
EN_TRADE_NAMES = [
    "Azar",
    "Sahand",
    "Arg",
    "Elgoli",
    "Sabalan",
    "Pars",
    "Shams",
    "Kowsar",
    "Alborz",
    "Taban",
    "Novin",
]
ARABIC_KEYBOARD = str.maketrans({"ی": "ي", "ک": "ك"})
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")

# --- The queries -----------------------------------------------------------------------------------

QUERIES: list[dict[str, str]] = [
    # English words
    *(
        {"search": word}
        for word in [
            "refrigerator",
            "freezer",
            "washing machine",
            "centrifugal pump",
            "tractor parts",
            "air conditioner",
            "compressor",
            "ball bearing",
            "electric motor",
            "transformer",
            "power cable",
            "water heater",
            "carpet",
            "cotton yarn",
            "saffron",
            "pistachio",
            "tomato paste",
            "steel pipe",
            "ceramic tiles",
            "leather shoes",
        ]
    ),
    # Persian words, and the same typed on an Arabic keyboard or without the zero-width non-joiner
    *(
        {"search": word}
        for word in [
            "یخچال",
            "ماشین لباسشویی",
            "پمپ آب",
            "قطعات تراکتور",
            "بلبرینگ",
            "الکتروموتور",
            "فرش دستباف",
            "زعفران",
            "رب گوجه‌فرنگی",
            "يخچال",
            "ماشين لباسشويي",
            "كولر گازي",
            "كابل برق",
            "فرش دستباف تبريز",
            "رب گوجهفرنگي",
        ]
    ),
    # Typos
    *(
        {"search": word}
        for word in [
            "refrigirator",
            "compresor",
            "transfomer",
            "pistashio",
            "saffran",
            "waching machine",
            "یخچل",
            "زعفرن",
        ]
    ),
    # HS codes as words, and filter combinations
    {"search": "8418"},
    {"search": "۸۴۱۳"},
    {"search": "pump", "hs": "8413"},
    {"search": "motor", "hs": "85"},
    {"search": "yarn", "section": "XI"},
    {"search": "یخچال", "hs": "8418", "target_market": "IQ"},
    {"search": "valve", "hs": "84", "min_capacity": "1000"},
    {"search": "carpet", "target_market": "IQ", "certification": "ISO9001"},
    {"search": "tabriz", "hs": "84"},
    {"hs": "84", "target_market": "AM"},
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


# --- Data ------------------------------------------------------------------------------------------


def weighted(rng: random.Random, items):
    """One of `items` (tuples whose last element is the weight), without its weight."""
    item = rng.choices(items, [item[-1] for item in items])[0]
    return item[0] if len(item) == 2 else item[:-1]


def persian_variant(rng: random.Random, text: str) -> str:
    """How Persian arrives from the field: sometimes on an Arabic keyboard, sometimes without ZWNJ."""
    roll = rng.random()
    if roll < 0.12:
        return text.translate(ARABIC_KEYBOARD)
    if roll < 0.2:
        return text.replace("\u200c", "")
    return text


def generate(*, products: int, producers: int, seed: int = 1405) -> None:
    from decimal import Decimal

    from django.db import connection

    from accounts.companies import with_companies
    from accounts.models import ProducerProfile, Role, User
    from catalogue.models import Product
    from taxonomy.models import Sector

    rng = random.Random(seed)
    known = set(Sector.objects.values_list("code", flat=True))
    families = [
        (tuple(code for code in codes if code in known), en, fa, weight) for codes, en, fa, weight in FAMILIES
    ]
    families = [family for family in families if family[0]]

    users = User.objects.bulk_create(
        [
            User(email=f"bench{n}@producers.example.com", role=Role.PRODUCER, password="!")
            for n in range(producers)
        ],
        batch_size=2000,
    )
    profiles, specialities = [], []
    for n, user in enumerate(users):
        city_en, city_fa = weighted(rng, CITIES)
        speciality = rng.choices(range(len(families)), [family[3] for family in families])[0]
        specialities.append(speciality)
        family_en = families[speciality][1][0]
        if rng.random() < 0.55:
            name = persian_variant(
                rng,
                f"{rng.choice(FA_COMPANY)} {rng.choice(FA_TRADE_NAMES)} {families[speciality][2][0]} {city_fa}",
            )
            description = persian_variant(
                rng,
                f"تولیدکننده {families[speciality][2][0]} در {city_fa} از سال {rng.randint(1350, 1402)}."
                f" {rng.choice(FA_FEATURES)}".translate(PERSIAN_DIGITS),
            )
        else:
            name = f"{rng.choice(EN_TRADE_NAMES)} {family_en} {rng.choice(EN_COMPANY)} {n}"
            description = (
                f"Maker of {family_en.lower()} products in {city_en} since {rng.randint(1970, 2023)}."
            )
        profiles.append(
            ProducerProfile(
                owner=user,
                name=name[:200],
                description=description,
                province=weighted(rng, PROVINCES),
                city=city_en,
                target_markets=rng.sample(MARKETS, rng.randint(1, 4)),
                certifications=rng.sample(CERTIFICATIONS, rng.randint(0, 3)),
                verified=rng.random() < 0.3,
            )
        )
    profiles = ProducerProfile.objects.bulk_create(with_companies(profiles, "producer"), batch_size=2000)

    batch: list[Product] = []
    for n in range(products):
        index = rng.randrange(len(profiles))
        family_index = (
            specialities[index]
            if rng.random() < 0.8
            else rng.choices(range(len(families)), [f[3] for f in families])[0]
        )
        codes, names_en, names_fa, _weight = families[family_index]
        which = rng.randrange(len(names_en))
        model = rng.randint(100, 9999)
        city = profiles[index].city
        if rng.random() < 0.5:
            base = names_fa[min(which, len(names_fa) - 1)]
            name = persian_variant(rng, f"{base} مدل {str(model).translate(PERSIAN_DIGITS)}")
            description = persian_variant(
                rng,
                f"{base} ساخت {city}. {rng.choice(FA_FEATURES)} {rng.choice(FA_FEATURES)}"
                f" ظرفیت تولید {str(rng.randint(1, 500) * 100).translate(PERSIAN_DIGITS)} در سال.",
            )
        else:
            base = names_en[which]
            name = f"{rng.choice(['', 'Pro ', 'Eco ', 'Industrial ', 'Compact '])}{base} {chr(65 + n % 26)}-{model}"
            description = (
                f"{base} made in {city}. {rng.choice(EN_FEATURES)} {rng.choice(EN_FEATURES)}"
                f" Yearly output about {rng.randint(1, 500) * 100} units."
            )
        annual = Decimal(rng.choice([50, 200, 500, 1000, 5000, 20000, 100000]) * rng.randint(1, 9))
        batch.append(
            Product(
                producer_id=profiles[index].pk,
                name=name[:200],
                description=description,
                hs_code_id=rng.choice(codes),
                annual_capacity=annual,
                available_capacity=(annual * Decimal(rng.randint(20, 100)) / 100).quantize(Decimal("1")),
                capacity_unit=rng.choice(UNITS),
                moq=Decimal(rng.choice([1, 10, 50, 100, 500])) if rng.random() < 0.7 else None,
                certifications=rng.sample(CERTIFICATIONS, rng.randint(0, 2)),
                is_active=rng.random() < 0.97,
            )
        )
        if len(batch) == 5000:
            Product.objects.bulk_create(batch)
            batch = []
    Product.objects.bulk_create(batch)
    # Listed over the last three years, not all at this instant.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE catalogue_product SET created_at = now() - random() * interval '1100 days'"
            )
        else:
            cursor.execute(
                "UPDATE catalogue_product SET created_at ="
                " datetime('now', '-' || (abs(random()) % 1100) || ' days', '-' || (abs(random()) % 86400) || ' seconds')"
            )


# --- The two ways ----------------------------------------------------------------------------------


def naive_page(params: dict[str, str]) -> list:
    """What one writes first: `icontains` over every text column, newest first."""
    from django.db.models import Q

    from catalogue.models import Product

    products = Product.objects.filter(is_active=True).select_related("producer", "hs_code")
    if "search" in params:
        text = params["search"]
        products = products.filter(
            Q(name__icontains=text)
            | Q(description__icontains=text)
            | Q(producer__name__icontains=text)
            | Q(producer__description__icontains=text)
            | Q(hs_code__name__icontains=text)
        )
    if "hs" in params:
        products = products.filter(hs_code__code__startswith=params["hs"])
    if "section" in params:
        products = products.filter(hs_code__section_id=params["section"])
    if "target_market" in params:
        products = products.filter(producer__target_markets__contains=params["target_market"])
    if "certification" in params:
        code = f'"{params["certification"]}"'
        products = products.filter(
            Q(certifications__icontains=code) | Q(producer__certifications__icontains=code)
        )
    if "min_capacity" in params:
        products = products.filter(available_capacity__gte=params["min_capacity"])
    return list(products.order_by("-created_at", "-id")[:PAGE_SIZE])


def search_page(params: dict[str, str]) -> list:
    from django.contrib.auth.models import AnonymousUser

    from catalogue.selectors import product_search

    return list(product_search(user=AnonymousUser(), params=params)[:PAGE_SIZE])


def search_page_with_count(params: dict[str, str]) -> list:
    """The catalogue page's cost: the page and the result count."""
    from django.contrib.auth.models import AnonymousUser

    from catalogue.selectors import product_search

    products = product_search(user=AnonymousUser(), params=params)
    products.count()
    return list(products[:PAGE_SIZE])


def timed(function, params) -> tuple[float, int]:
    start = time.perf_counter()
    rows = function(params)
    return (time.perf_counter() - start) * 1000, len(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--producers", type=int, default=5_000)
    parser.add_argument(
        "--repeat", type=int, default=5, help="timed runs of each query, after one warm-up run"
    )
    parser.add_argument("--verbose", action="store_true", help="print each query's figures")
    parser.add_argument("--check", action="store_true", help="exit 1 when the targets are missed")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database (to study plans)")
    args = parser.parse_args()

    with scratch_database(os.environ.get("DATABASE_URL", ""), prefix="bench_search", keep=args.keep) as url:
        os.environ["DATABASE_URL"] = url
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from catalogue.search import refresh_search_index

        vendor = connection.vendor
        fate = "kept" if args.keep else "dropped at the end"
        print(f"database: {vendor} ({url.rsplit('/', 1)[-1]}), scratch, {fate}")
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"migrated in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        generate(products=args.products, producers=args.producers)
        print(
            f"generated {args.products:,} products of {args.producers:,} producers in {time.perf_counter() - started:.1f} s"
        )

        started = time.perf_counter()
        indexed = refresh_search_index()
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk load
        print(f"indexed {indexed:,} products in {time.perf_counter() - started:.1f} s")

        ways = {"naive": naive_page, "search": search_page, "search+count": search_page_with_count}
        timings: dict[str, list[float]] = {way: [] for way in ways}
        per_query: dict[str, dict[str, list[float]]] = {way: {} for way in ways}
        found: dict[str, dict[str, int]] = {way: {} for way in ways}
        for params in QUERIES:  # warm-up: caches, plans, connections
            for way, function in ways.items():
                found[way][repr(params)] = timed(function, params)[1]
        for _ in range(args.repeat):
            for params in QUERIES:
                for way, function in ways.items():
                    elapsed, _rows = timed(function, params)
                    timings[way].append(elapsed)
                    per_query[way].setdefault(repr(params), []).append(elapsed)

        if args.verbose:
            print(f"\n{'query':60} {'naive ms':>9} {'rows':>5} {'search ms':>10} {'rows':>5}")
            for params in QUERIES:
                key = repr(params)
                print(
                    f"{key[:60]:60} {statistics.median(per_query['naive'][key]):9.1f} {found['naive'][key]:5}"
                    f" {statistics.median(per_query['search'][key]):10.1f} {found['search'][key]:5}"
                )

        figures = {
            way: (percentile(values, 0.5), percentile(values, 0.95)) for way, values in timings.items()
        }
        naive, ours = figures["naive"], figures["search"]
        empty_naive = sum(1 for rows in found["naive"].values() if rows == 0)
        empty_ours = sum(1 for rows in found["search"].values() if rows == 0)
        print(
            f"\n{len(QUERIES)} queries × {args.repeat} runs, first page of {PAGE_SIZE} ordered results each"
        )
        print(f"{'':14} {'p50 ms':>8} {'p95 ms':>8}   queries with no result")
        print(f"{'naive':14} {naive[0]:8.1f} {naive[1]:8.1f}   {empty_naive}")
        print(f"{'search':14} {ours[0]:8.1f} {ours[1]:8.1f}   {empty_ours}")
        print(f"{'search+count':14} {figures['search+count'][0]:8.1f} {figures['search+count'][1]:8.1f}")
        ratio = (naive[0] / ours[0], naive[1] / ours[1])
        print(f"{'ratio':14} {ratio[0]:7.1f}× {ratio[1]:7.1f}×   (naive ÷ search)")

        missed = []
        if vendor != "postgresql":
            print("targets: not checked (they are PostgreSQL figures; SQLite is the embedded fallback)")
        else:
            if ratio[0] < RATIO_TARGET or ratio[1] < RATIO_TARGET:
                missed.append(f"search is not {RATIO_TARGET:.0f}× faster than naive")
            if ours[1] > P95_TARGET_MS:
                missed.append(f"p95 {ours[1]:.1f} ms is above {P95_TARGET_MS:.0f} ms")
            print("targets: " + ("met" if not missed else "MISSED: " + "; ".join(missed)))
    return 1 if (args.check and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
