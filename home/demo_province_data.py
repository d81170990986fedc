"""What the province demo is made of: East Azerbaijan's product lines at 6-digit HS codes, the
names its companies go by, its cities, and the 21 markets it sells to with their buyers.

Plain data and pure functions of a seed (no database): `producer_spec(sector, i)` and
`buyer_spec(market, i)` give the i-th company of a sector or market the same way every time,
whatever the size asked for, so a bigger province is the smaller one plus more companies.

The 21 markets are the province's neighbours and trade partners (Iraq and Afghanistan by
road, the Caucasus and Central Asia, Russia, the Gulf, the Levant, South Asia and China):
the counsellors' desks for issue 14's demo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

SEED = 1405
DOMAIN = "province.demo.exportbridge.ir"


@dataclass(frozen=True)
class Line:
    """A product line a province plant makes: HS subheading, names, unit, typical ranges."""

    hs: str
    fa: str
    en: str
    unit: str
    capacity: tuple[int, int]  # annual capacity of one plant's line, low-high
    moq: tuple[int, int]
    price: tuple[int, int]  # USD per unit


@dataclass(frozen=True)
class Sector:
    key: str
    kinds: tuple[tuple[str, str], ...]  # company-name kinds (fa, en)
    groups: tuple[tuple[Line, ...], ...]  # lines a plant makes together (look-alikes)
    certifications: tuple[str, ...]
    count: int  # plants at full province scale


def _l(hs, fa, en, unit, capacity, moq, price) -> Line:
    return Line(hs, fa, en, unit, capacity, moq, price)


APPLIANCES = Sector(
    "appliances",
    (
        ("لوازم خانگی", "Home Appliances"),
        ("صنایع برودتی", "Refrigeration Industries"),
        ("الکتریک", "Electric"),
        ("صنایع گرمایشی", "Heating Industries"),
        ("ظروف آشپزخانه", "Kitchenware"),
    ),
    (
        (
            _l(
                "841810",
                "یخچال فریزر دوقلو",
                "Combined refrigerator-freezer",
                "units",
                (3000, 60000),
                (50, 300),
                (300, 650),
            ),
            _l(
                "841821",
                "یخچال خانگی",
                "Household refrigerator",
                "units",
                (2000, 40000),
                (50, 200),
                (180, 420),
            ),
            _l("841830", "فریزر صندوقی", "Chest freezer", "units", (1000, 20000), (30, 150), (200, 450)),
            _l(
                "841899",
                "قطعات یخچال (کمپرسور، قفسه)",
                "Refrigerator parts (shelves, housings)",
                "units",
                (20000, 400000),
                (500, 5000),
                (2, 30),
            ),
        ),
        (
            _l(
                "845011",
                "ماشین لباسشویی تمام‌اتوماتیک",
                "Fully automatic washing machine",
                "units",
                (2000, 40000),
                (50, 200),
                (220, 380),
            ),
            _l(
                "842211",
                "ماشین ظرفشویی خانگی",
                "Household dishwasher",
                "units",
                (1000, 15000),
                (30, 150),
                (280, 450),
            ),
            _l(
                "845090",
                "قطعات ماشین لباسشویی",
                "Washing machine parts",
                "units",
                (20000, 300000),
                (500, 5000),
                (3, 40),
            ),
        ),
        (
            _l(
                "732111",
                "اجاق گاز فردار",
                "Gas cooker with oven",
                "units",
                (3000, 80000),
                (50, 300),
                (120, 380),
            ),
            _l(
                "851660",
                "فر برقی و اجاق برقی",
                "Electric oven and cooker",
                "units",
                (1000, 20000),
                (30, 200),
                (90, 300),
            ),
            _l("851650", "مایکروویو", "Microwave oven", "units", (2000, 30000), (100, 300), (60, 140)),
            _l(
                "732190",
                "قطعات اجاق گاز (شعله‌پخش‌کن، شبکه)",
                "Gas cooker parts (burners, grates)",
                "units",
                (50000, 800000),
                (1000, 10000),
                (1, 12),
            ),
        ),
        (
            _l("847960", "کولر آبی", "Evaporative air cooler", "units", (3000, 90000), (50, 400), (90, 260)),
            _l(
                "841451",
                "پنکه رومیزی و ایستاده",
                "Table and floor fan",
                "units",
                (5000, 120000),
                (200, 1000),
                (12, 45),
            ),
            _l(
                "841510",
                "کولر گازی اسپلیت",
                "Split air conditioner",
                "units",
                (1000, 30000),
                (50, 200),
                (280, 700),
            ),
        ),
        (
            _l("850811", "جاروبرقی", "Vacuum cleaner", "units", (3000, 60000), (100, 500), (45, 140)),
            _l(
                "850940",
                "غذاساز و مخلوط‌کن",
                "Food processor and blender",
                "units",
                (5000, 80000),
                (200, 1000),
                (15, 70),
            ),
            _l(
                "851671",
                "چای‌ساز و قهوه‌ساز",
                "Tea and coffee maker",
                "units",
                (5000, 100000),
                (200, 1000),
                (12, 55),
            ),
            _l("851640", "اتو برقی", "Electric iron", "units", (5000, 120000), (300, 1500), (8, 30)),
            _l("851631", "سشوار", "Hair dryer", "units", (5000, 80000), (300, 1500), (7, 25)),
        ),
        (
            _l(
                "851610",
                "آبگرمکن برقی",
                "Electric storage water heater",
                "units",
                (2000, 30000),
                (50, 200),
                (70, 190),
            ),
            _l(
                "841911",
                "آبگرمکن گازی دیواری",
                "Gas instantaneous water heater",
                "units",
                (2000, 40000),
                (50, 200),
                (110, 260),
            ),
        ),
        (
            _l(
                "732393",
                "ظروف استیل",
                "Stainless steel cookware",
                "units",
                (20000, 500000),
                (500, 5000),
                (4, 40),
            ),
            _l(
                "761510",
                "ظروف آلومینیومی",
                "Aluminium cookware",
                "units",
                (20000, 600000),
                (500, 5000),
                (3, 25),
            ),
            _l(
                "691110", "ظروف چینی", "Porcelain tableware", "units", (50000, 900000), (1000, 10000), (1, 15)
            ),
            _l(
                "701337",
                "لیوان و ظروف شیشه‌ای",
                "Glassware",
                "units",
                (100000, 2000000),
                (2000, 20000),
                (1, 5),
            ),
        ),
    ),
    ("ISIRI", "ISO9001", "CE", "ISO14001", "EAC"),
    340,
)

MACHINERY = Sector(
    "machinery",
    (
        ("ماشین‌سازی", "Machinery"),
        ("صنایع فلزی", "Metal Industries"),
        ("صنعت", "Industrial Co."),
        ("قطعه‌سازی", "Parts Manufacturing"),
    ),
    (
        (
            _l("841370", "پمپ گریز از مرکز", "Centrifugal pump", "units", (500, 20000), (5, 50), (300, 4500)),
            _l(
                "841381",
                "پمپ شناور و سیرکوله",
                "Submersible and circulating pump",
                "units",
                (500, 15000),
                (10, 100),
                (90, 1200),
            ),
            _l("848180", "شیرآلات صنعتی", "Industrial valves", "units", (2000, 80000), (50, 500), (20, 900)),
        ),
        (
            _l("845811", "ماشین تراش CNC", "CNC lathe", "units", (20, 600), (1, 3), (25000, 90000)),
            _l("845961", "ماشین فرز CNC", "CNC milling machine", "units", (20, 450), (1, 3), (30000, 110000)),
            _l(
                "846229",
                "ماشین خم‌کن ورق",
                "Sheet bending machine",
                "units",
                (20, 400),
                (1, 3),
                (12000, 60000),
            ),
        ),
        (
            _l("843351", "کمباین غلات", "Combine harvester", "units", (20, 500), (1, 5), (60000, 180000)),
            _l(
                "843290",
                "قطعات ماشین‌آلات کشاورزی",
                "Agricultural machinery parts",
                "units",
                (10000, 200000),
                (200, 2000),
                (5, 120),
            ),
            _l("870840", "گیربکس تراکتور", "Tractor gearbox", "units", (1000, 15000), (20, 100), (900, 3500)),
        ),
        (
            _l(
                "870899", "قطعات خودرو", "Motor vehicle parts", "units", (20000, 600000), (500, 5000), (3, 90)
            ),
            _l(
                "840991",
                "قطعات موتور (پیستون، سرسیلندر)",
                "Engine parts (pistons, cylinder heads)",
                "units",
                (10000, 300000),
                (300, 3000),
                (5, 150),
            ),
            _l(
                "848340",
                "چرخ‌دنده و گیربکس صنعتی",
                "Gears and industrial gearboxes",
                "units",
                (1000, 40000),
                (20, 200),
                (80, 2500),
            ),
            _l("848210", "بلبرینگ", "Ball bearings", "units", (50000, 2000000), (1000, 20000), (1, 20)),
        ),
        (
            _l(
                "850211",
                "دیزل ژنراتور",
                "Diesel generating set",
                "units",
                (100, 3000),
                (2, 20),
                (4000, 40000),
            ),
            _l(
                "850440",
                "یو‌پی‌اس و مبدل برق",
                "UPS and static converters",
                "units",
                (2000, 50000),
                (50, 300),
                (60, 1500),
            ),
            _l(
                "853710",
                "تابلو برق صنعتی",
                "Electrical control panels",
                "units",
                (500, 12000),
                (5, 50),
                (400, 9000),
            ),
        ),
        (
            _l(
                "731100",
                "کپسول گاز فولادی",
                "Steel gas cylinders",
                "units",
                (10000, 300000),
                (500, 3000),
                (18, 60),
            ),
            _l(
                "842139",
                "فیلتر صنعتی هوا و گاز",
                "Industrial air and gas filters",
                "units",
                (1000, 30000),
                (20, 200),
                (150, 4000),
            ),
            _l("841459", "فن صنعتی", "Industrial fans", "units", (1000, 40000), (20, 200), (60, 1800)),
        ),
        (
            _l(
                "843880",
                "ماشین‌آلات صنایع غذایی",
                "Food processing machinery",
                "units",
                (50, 1500),
                (1, 5),
                (5000, 60000),
            ),
            _l("842959", "بیل مکانیکی", "Excavators", "units", (20, 400), (1, 3), (60000, 150000)),
        ),
    ),
    ("ISO9001", "CE", "ISIRI", "EAC", "API", "ISO14001"),
    140,
)

TEXTILES = Sector(
    "textiles",
    (
        ("نساجی", "Textiles"),
        ("پوشاک", "Apparel"),
        ("ریسندگی و بافندگی", "Spinning & Weaving"),
    ),
    (
        (
            _l(
                "520812",
                "پارچه پنبه‌ای ساده",
                "Plain woven cotton fabric",
                "m2",
                (200000, 6000000),
                (5000, 50000),
                (1, 4),
            ),
            _l(
                "551311",
                "پارچه پلی‌استر-پنبه",
                "Polyester-cotton fabric",
                "m2",
                (200000, 5000000),
                (5000, 50000),
                (1, 3),
            ),
            _l(
                "540752",
                "پارچه پلی‌استر رنگی",
                "Dyed polyester fabric",
                "m2",
                (300000, 8000000),
                (5000, 50000),
                (1, 3),
            ),
        ),
        (
            _l(
                "630221",
                "ملحفه و روتختی پنبه‌ای",
                "Cotton bed linen",
                "sets",
                (10000, 300000),
                (200, 2000),
                (8, 40),
            ),
            _l(
                "630260",
                "حوله پنبه‌ای",
                "Cotton terry towels",
                "units",
                (50000, 1500000),
                (1000, 10000),
                (1, 12),
            ),
        ),
        (
            _l("610910", "تی‌شرت پنبه‌ای", "Cotton T-shirts", "units", (50000, 1500000), (1000, 10000), (2, 9)),
            _l(
                "620342",
                "شلوار مردانه پنبه‌ای",
                "Men's cotton trousers",
                "units",
                (20000, 600000),
                (500, 5000),
                (6, 25),
            ),
            _l("611030", "پلیور بافتنی", "Knitted pullovers", "units", (20000, 500000), (500, 5000), (5, 22)),
        ),
    ),
    ("OEKO-TEX", "ISO9001", "ISIRI"),
    60,
)

CARPETS = Sector(
    "carpets",
    (
        ("فرش", "Carpets"),
        ("فرش دستباف", "Hand-woven Carpets"),
        ("فرش ماشینی", "Machine Carpets"),
    ),
    (
        (
            _l(
                "570110",
                "فرش دستباف پشمی تبریز",
                "Hand-knotted wool Tabriz carpet",
                "m2",
                (500, 15000),
                (10, 60),
                (150, 900),
            ),
            _l(
                "570190",
                "فرش دستباف ابریشمی",
                "Hand-knotted silk carpet",
                "m2",
                (100, 3000),
                (5, 30),
                (600, 4000),
            ),
            _l("570210", "گلیم و ورنی", "Kilim and verni", "m2", (1000, 20000), (20, 200), (30, 160)),
        ),
        (
            _l(
                "570242",
                "فرش ماشینی ۱۲۰۰ شانه",
                "Machine-woven carpet, 1,200 reeds",
                "m2",
                (100000, 3000000),
                (1000, 10000),
                (6, 18),
            ),
            _l(
                "570500",
                "موکت و کفپوش",
                "Rugs and floor coverings",
                "m2",
                (100000, 2000000),
                (1000, 10000),
                (3, 10),
            ),
        ),
    ),
    ("ISO9001", "ISIRI"),
    70,
)

FOOD = Sector(
    "food",
    (
        ("صنایع غذایی", "Foods"),
        ("شیرین و عسل", "Confectionery"),
        ("خشکبار", "Dried Fruit & Nuts"),
        ("کشت و صنعت", "Agro-Industry"),
    ),
    (
        (
            _l("190531", "بیسکویت کرمدار", "Cream biscuits", "tonnes", (500, 15000), (10, 40), (1200, 2200)),
            _l("190532", "ویفر", "Wafers", "tonnes", (300, 10000), (10, 40), (1400, 2500)),
            _l("180632", "شکلات", "Chocolate bars", "tonnes", (200, 8000), (5, 20), (2500, 5000)),
            _l(
                "170490",
                "آبنبات و شیرینی",
                "Sugar confectionery",
                "tonnes",
                (300, 10000),
                (5, 20),
                (1200, 2600),
            ),
        ),
        (
            _l(
                "080620",
                "کشمش سبز و آفتابی",
                "Green and sun-dried raisins",
                "tonnes",
                (500, 12000),
                (10, 25),
                (1500, 2600),
            ),
            _l(
                "080251", "پسته با پوست", "In-shell pistachios", "tonnes", (100, 3000), (5, 20), (8000, 14000)
            ),
            _l("080212", "مغز بادام", "Shelled almonds", "tonnes", (100, 2500), (5, 20), (5000, 9000)),
            _l("081310", "برگه زردآلو", "Dried apricots", "tonnes", (100, 3000), (5, 20), (2500, 4500)),
        ),
        (
            _l("040690", "پنیر لیقوان", "Lighvan cheese", "tonnes", (200, 6000), (5, 20), (3500, 6500)),
            _l("200799", "مربا", "Jams", "tonnes", (200, 5000), (5, 20), (1100, 2100)),
            _l("200979", "آب سیب", "Apple juice", "litres", (1000000, 30000000), (10000, 60000), (1, 2)),
        ),
        (
            _l(
                "151219", "روغن آفتابگردان", "Sunflower oil", "tonnes", (2000, 60000), (20, 100), (1100, 1600)
            ),
            _l("190219", "ماکارونی", "Pasta", "tonnes", (2000, 50000), (20, 100), (700, 1100)),
            _l(
                "210390",
                "رب و سس",
                "Sauces and tomato paste",
                "tonnes",
                (1000, 30000),
                (20, 100),
                (900, 1500),
            ),
        ),
    ),
    ("HALAL", "ISO22000", "HACCP", "ISIRI"),
    80,
)

SECTORS = (APPLIANCES, MACHINERY, TEXTILES, CARPETS, FOOD)
SECTOR_BY_KEY = {s.key: s for s in SECTORS}

ROOTS = (
    ("سهند", "Sahand"),
    ("سبلان", "Sabalan"),
    ("آذر", "Azar"),
    ("ارس", "Aras"),
    ("ائل‌گلی", "El-Goli"),
    ("ارک", "Arg"),
    ("کندوان", "Kandovan"),
    ("شفق", "Shafagh"),
    ("افق", "Ofogh"),
    ("پارس", "Pars"),
    ("نوین", "Novin"),
    ("پیشرو", "Pishro"),
    ("البرز", "Alborz"),
    ("ستاره", "Setareh"),
    ("آرین", "Arian"),
    ("بهار", "Bahar"),
    ("کوثر", "Kowsar"),
    ("مهر", "Mehr"),
    ("آیدین", "Aydin"),
    ("آیلار", "Aylar"),
    ("یاشار", "Yashar"),
    ("باغمیشه", "Baghmisheh"),
    ("شهریار", "Shahriar"),
    ("آتروپات", "Atropat"),
    ("آذرخش", "Azarakhsh"),
    ("آرتا", "Arta"),
    ("دنا", "Dena"),
    ("کیان", "Kian"),
    ("آراز", "Araz"),
    ("اوجان", "Ujan"),
    ("قوشاچای", "Qoshachay"),
    ("ایلگار", "Ilgar"),
    ("توان", "Tavan"),
    ("پویا", "Pooya"),
    ("ماهان", "Mahan"),
    ("سپهر", "Sepehr"),
    ("پرتو", "Partow"),
    ("درخشان", "Derakhshan"),
    ("آفتاب", "Aftab"),
    ("سیمین", "Simin"),
    ("زرین", "Zarrin"),
    ("آذین", "Azin"),
    ("ثمین", "Samin"),
    ("آینده", "Ayandeh"),
    ("ائل‌داغی", "El-Daghi"),
    ("ساوالان", "Savalan"),
    ("ارومیه", "Urmia"),
    ("گنجینه", "Ganjineh"),
)
# East Azerbaijan's cities with industry (Tabriz, and the towns of its industrial estates).
CITIES = (
    ("تبریز", "Tabriz"),
    ("تبریز", "Tabriz"),
    ("تبریز", "Tabriz"),
    ("تبریز", "Tabriz"),
    ("مراغه", "Maragheh"),
    ("مرند", "Marand"),
    ("میانه", "Mianeh"),
    ("اهر", "Ahar"),
    ("سراب", "Sarab"),
    ("بناب", "Bonab"),
    ("شبستر", "Shabestar"),
    ("آذرشهر", "Azarshahr"),
    ("عجب‌شیر", "Ajabshir"),
    ("هشترود", "Hashtrud"),
    ("جلفا", "Jolfa"),
    ("ملکان", "Malekan"),
    ("اسکو", "Osku"),
    ("بستان‌آباد", "Bostanabad"),
    ("صوفیان", "Sufian"),
    ("ایلخچی", "Ilkhchi"),
    ("سهند", "Sahand"),
)
FIRST_NAMES = (
    "رضا",
    "علی",
    "حسین",
    "مهدی",
    "سارا",
    "مریم",
    "بهروز",
    "یوسف",
    "لیلا",
    "نازنین",
    "جواد",
    "ایلناز",
)
LAST_NAMES = (
    "صمدی",
    "نوروزی",
    "جعفری",
    "احمدی",
    "قاسمی",
    "کریمی",
    "رسولی",
    "اصغرزاده",
    "عباس‌زاده",
    "نجفی",
    "پورمحمد",
    "خلیلی",
)


@dataclass(frozen=True)
class Market:
    code: str
    fa: str  # the country in Persian, for the counsellor's title
    count: int  # buyers at full province scale
    cities: tuple[str, ...]
    roots: tuple[str, ...]
    kinds: tuple[str, ...]
    contacts: tuple[str, ...]
    languages: tuple[str, ...]
    sectors: dict[str, int]  # what the market buys from the province, by weight
    certifications: dict[str, tuple[str, ...]] = field(default_factory=dict)  # by sector


_ARAB_KINDS = ("Trading Co.", "General Trading", "Import & Export", "Distribution Group")
_RU_KINDS = ("LLC", "Trade House", "Import LLC", "Distribution")
MARKETS = (
    Market(
        "IQ",
        "عراق",
        60,
        ("Baghdad", "Basra", "Erbil", "Sulaymaniyah", "Najaf", "Karbala", "Mosul"),
        ("Al-Rafidain", "Dijla", "Al-Furat", "Babil", "Sumer", "Al-Noor", "Ashur", "Zagros"),
        _ARAB_KINDS,
        ("Mustafa Al-Jabouri", "Ali Hassan", "Karwan Ahmed", "Zainab Kadhim"),
        ("ar", "ku", "en"),
        {"appliances": 5, "food": 3, "machinery": 2, "carpets": 1, "textiles": 1},
        {"food": ("HALAL",)},
    ),
    Market(
        "AF",
        "افغانستان",
        40,
        ("Herat", "Kabul", "Mazar-i-Sharif", "Kandahar"),
        ("Herat", "Ariana", "Khorasan", "Hindu Kush", "Pamir", "Amu"),
        ("Trading", "Import Co.", "Brothers Trading"),
        ("احمد نوری", "Mohammad Rahimi", "Gul Agha Sherzad", "Farid Ahmadi"),
        ("fa", "ps"),
        {"appliances": 4, "food": 3, "machinery": 2, "textiles": 2},
    ),
    Market(
        "TR",
        "ترکیه",
        35,
        ("Van", "Istanbul", "Erzurum", "Ankara", "Gaziantep"),
        ("Van", "Anadolu", "Ağrı", "Doğu", "Ararat", "Bosphorus"),
        ("Tekstil İthalat", "Ticaret A.Ş.", "Dış Ticaret", "Halı Pazarlama"),
        ("Mehmet Yılmaz", "Ayşe Demir", "Hasan Kaya", "Elif Şahin"),
        ("tr", "en"),
        {"carpets": 4, "textiles": 3, "machinery": 2, "food": 1},
    ),
    Market(
        "AZ",
        "آذربایجان",
        35,
        ("Baku", "Ganja", "Nakhchivan", "Sumgait"),
        ("Xəzər", "Araz", "Qafqaz", "Gəncə", "Şirvan", "Naxçıvan"),
        ("MMC", "Trade LLC", "Import MMC"),
        ("Leyla Mammadova", "Rashad Aliyev", "Tural Huseynov", "Aysel Guliyeva"),
        ("az", "ru", "en"),
        {"appliances": 3, "food": 3, "machinery": 2, "carpets": 1, "textiles": 1},
        {"food": ("HALAL",)},
    ),
    Market(
        "AM",
        "ارمنستان",
        20,
        ("Yerevan", "Gyumri", "Meghri", "Vanadzor"),
        ("Ararat", "Sevan", "Masis", "Arax", "Hayk"),
        ("LLC", "Industrial Supply", "Trade CJSC"),
        ("Armen Petrosyan", "Anna Hakobyan", "Tigran Sargsyan", "Lilit Grigoryan"),
        ("hy", "ru", "en"),
        {"machinery": 3, "appliances": 3, "food": 2},
        {"machinery": ("CE",), "appliances": ("EAC",)},
    ),
    Market(
        "GE",
        "گرجستان",
        15,
        ("Tbilisi", "Batumi", "Rustavi", "Kutaisi"),
        ("Kartli", "Mtkvari", "Colchis", "Iveria", "Tao"),
        ("LLC", "Trading House", "Group"),
        ("Nino Beridze", "Giorgi Kapanadze", "Levan Gelashvili", "Tamar Lomidze"),
        ("ka", "ru", "en"),
        {"appliances": 3, "machinery": 2, "food": 2, "carpets": 1},
        {"appliances": ("CE",)},
    ),
    Market(
        "RU",
        "روسیه",
        35,
        ("Moscow", "Kazan", "Astrakhan", "Makhachkala", "Yekaterinburg", "Samara"),
        ("Volga", "Kazan", "Ural", "Kaspiy", "Sever", "Tatarstan"),
        _RU_KINDS,
        ("Irina Sokolova", "Dmitry Ivanov", "Alexey Morozov", "Olga Volkova"),
        ("ru", "en"),
        {"machinery": 3, "food": 3, "appliances": 2, "carpets": 1, "textiles": 1},
        {"machinery": ("EAC",), "appliances": ("EAC",), "food": ("EAC",)},
    ),
    Market(
        "KZ",
        "قزاقستان",
        15,
        ("Almaty", "Astana", "Shymkent", "Aktau"),
        ("Alatau", "Steppe", "Altyn", "Kaspiy", "Saryarka"),
        ("LLP", "Trade LLP", "Distribution LLP"),
        ("Daniyar Nurlanov", "Aigerim Sadykova", "Yerlan Bekov", "Saule Omarova"),
        ("kk", "ru", "en"),
        {"machinery": 3, "appliances": 2, "food": 2},
        {"machinery": ("EAC",), "appliances": ("EAC",)},
    ),
    Market(
        "TM",
        "ترکمنستان",
        12,
        ("Ashgabat", "Mary", "Turkmenabat", "Dashoguz"),
        ("Altyn Asyr", "Garagum", "Kopetdag", "Merw"),
        ("HJ", "Trading", "Import Enterprise"),
        ("Merdan Atayev", "Ogulgerek Nurmuhammedova", "Batyr Orazov"),
        ("tk", "ru"),
        {"appliances": 3, "machinery": 2, "food": 2, "textiles": 1},
    ),
    Market(
        "UZ",
        "ازبکستان",
        12,
        ("Tashkent", "Samarkand", "Bukhara", "Andijan"),
        ("Turon", "Zarafshan", "Registan", "Fergana", "Orient"),
        ("LLC", "Trade LLC", "Group"),
        ("Jasur Karimov", "Dilnoza Yusupova", "Sardor Rakhimov"),
        ("uz", "ru"),
        {"appliances": 3, "machinery": 3, "food": 1, "textiles": 1},
        {"machinery": ("EAC",)},
    ),
    Market(
        "TJ",
        "تاجیکستان",
        10,
        ("Dushanbe", "Khujand", "Bokhtar"),
        ("Pamir", "Somon", "Varzob", "Sughd"),
        ("LLC", "Trading", "Import LLC"),
        ("Farrukh Nazarov", "Manizha Saidova", "Rustam Sharipov"),
        ("tg", "ru", "fa"),
        {"appliances": 3, "food": 2, "machinery": 2, "textiles": 1},
    ),
    Market(
        "KG",
        "قرقیزستان",
        8,
        ("Bishkek", "Osh"),
        ("Ala-Too", "Issyk", "Tian Shan", "Manas"),
        ("LLC", "Trade Company"),
        ("Azamat Toktogulov", "Aida Mamatova", "Bakyt Asanov"),
        ("ky", "ru"),
        {"appliances": 2, "machinery": 2, "food": 1},
        {"machinery": ("EAC",)},
    ),
    Market(
        "AE",
        "امارات",
        30,
        ("Dubai", "Sharjah", "Abu Dhabi", "Ajman"),
        ("Gulf", "Al Khaleej", "Emirates", "Al Ain", "Deira", "Jebel Ali"),
        _ARAB_KINDS,
        ("Omar Haddad", "Fatima Al Mansoori", "Rashid Al Qasimi", "Samir Nasser"),
        ("ar", "en", "fa"),
        {"carpets": 3, "food": 3, "appliances": 2, "machinery": 1, "textiles": 1},
        {"food": ("HALAL",)},
    ),
    Market(
        "OM",
        "عمان",
        10,
        ("Muscat", "Sohar", "Salalah"),
        ("Muscat", "Batinah", "Dhofar", "Al Hajar"),
        _ARAB_KINDS,
        ("Said Al Busaidi", "Maryam Al Balushi", "Khalid Al Harthy"),
        ("ar", "en"),
        {"food": 3, "appliances": 2, "machinery": 1},
        {"food": ("HALAL",)},
    ),
    Market(
        "QA",
        "قطر",
        8,
        ("Doha", "Al Wakrah"),
        ("Doha", "Al Rayyan", "Lusail", "Pearl"),
        _ARAB_KINDS,
        ("Hamad Al Thani", "Noora Al Kuwari", "Ahmed Al Sulaiti"),
        ("ar", "en"),
        {"food": 2, "carpets": 2, "machinery": 1},
        {"food": ("HALAL",)},
    ),
    Market(
        "KW",
        "کویت",
        8,
        ("Kuwait City", "Hawalli"),
        ("Al Kuwait", "Failaka", "Al Sabah", "Gulf Star"),
        _ARAB_KINDS,
        ("Yousef Al Mutairi", "Dana Al Enezi", "Bader Al Rashidi"),
        ("ar", "en"),
        {"food": 2, "appliances": 2, "carpets": 1},
        {"food": ("HALAL",)},
    ),
    Market(
        "SY",
        "سوریه",
        15,
        ("Damascus", "Aleppo", "Latakia", "Homs"),
        ("Al Sham", "Barada", "Orontes", "Qasioun", "Ugarit"),
        _ARAB_KINDS,
        ("Bassam Khoury", "Rania Haddad", "Fadi Mansour"),
        ("ar", "en"),
        {"appliances": 3, "machinery": 2, "food": 2, "textiles": 1},
    ),
    Market(
        "LB",
        "لبنان",
        8,
        ("Beirut", "Tripoli", "Sidon"),
        ("Cedars", "Phoenicia", "Byblos", "Levant"),
        ("SARL", "Trading SAL", "Import & Export"),
        ("Georges Khalil", "Maya Saad", "Rami Aoun"),
        ("ar", "fr", "en"),
        {"food": 2, "appliances": 2, "carpets": 1},
    ),
    Market(
        "PK",
        "پاکستان",
        15,
        ("Karachi", "Quetta", "Lahore", "Peshawar"),
        ("Indus", "Bolan", "Khyber", "Ravi", "Makran"),
        ("Traders", "Enterprises", "Import (Pvt) Ltd"),
        ("Imran Qureshi", "Ayesha Siddiqui", "Bilal Khan", "Nadeem Baloch"),
        ("ur", "en"),
        {"food": 3, "machinery": 2, "appliances": 1, "textiles": 1},
        {"food": ("HALAL",)},
    ),
    Market(
        "IN",
        "هند",
        10,
        ("Mumbai", "New Delhi", "Chennai", "Ahmedabad"),
        ("Ganga", "Deccan", "Malabar", "Saffron", "Konkan"),
        ("Pvt Ltd", "Exim", "Traders"),
        ("Rahul Mehta", "Priya Nair", "Vikram Shah", "Anjali Rao"),
        ("hi", "en"),
        {"food": 3, "carpets": 1, "machinery": 1},
    ),
    Market(
        "CN",
        "چین",
        10,
        ("Urumqi", "Shanghai", "Guangzhou", "Yiwu"),
        ("Silk Road", "Tianshan", "Golden Dragon", "Jade", "Pearl River"),
        ("Trading Co., Ltd", "Import & Export Co."),
        ("Li Wei", "Wang Fang", "Zhang Min", "Chen Jie"),
        ("zh", "en"),
        {"food": 3, "carpets": 2, "textiles": 1},
    ),
)
MARKET_BY_CODE = {m.code: m for m in MARKETS}

# Where each sector sells, by weight: a plant's target markets are drawn from these.
SECTOR_MARKETS = {
    key: {m.code: m.sectors[key] * m.count for m in MARKETS if key in m.sectors} for key in SECTOR_BY_KEY
}


def _rng(*parts) -> random.Random:
    return random.Random(":".join(str(p) for p in (SEED, *parts)))


def _weighted(rng: random.Random, weights: dict[str, int], k: int) -> list[str]:
    """`k` distinct keys drawn by weight, in a stable order."""
    pool, chosen = dict(weights), []
    while pool and len(chosen) < k:
        key = rng.choices(list(pool), weights=list(pool.values()))[0]
        chosen.append(key)
        del pool[key]
    return chosen


def _amount(rng: random.Random, low: int, high: int, size: float) -> int:
    """A quantity in [low, high], placed by the plant's size (0 small … 1 large) with noise."""
    place = min(1.0, max(0.0, size + rng.uniform(-0.15, 0.15)))
    value = low * (high / low) ** place
    magnitude = 10 ** max(0, len(str(int(value))) - 2)
    return max(low, int(round(value / magnitude) * magnitude))


def producer_email(sector: Sector, i: int) -> str:
    return f"{sector.key}.{i:04d}@{DOMAIN}"


def buyer_email(market: Market, i: int) -> str:
    return f"buyer.{market.code.lower()}.{i:03d}@{DOMAIN}"


def counsellor_email(market: Market) -> str:
    """The desk's address: the small demo's eight keep theirs (home.demo_pipeline.DESKS)."""
    names = {"IQ": "iraq", "AM": "armenia", "RU": "russia", "TR": "turkey", "GE": "georgia", "AE": "uae"}
    names |= {"AF": "afghanistan", "AZ": "azerbaijan"}
    return f"counsellor.{names.get(market.code, market.code.lower())}@demo.exportbridge.ir"


def producer_spec(sector: Sector, i: int) -> dict:
    """The i-th plant of `sector`: its owner's name, its profile's data and its products' data."""
    rng = _rng("producer", sector.key, i)
    root_fa, root_en = ROOTS[(i * 7 + len(sector.key)) % len(ROOTS)]
    kind_fa, kind_en = sector.kinds[(i // len(ROOTS)) % len(sector.kinds)]
    city_fa, city_en = CITIES[rng.randrange(len(CITIES))]
    round_ = i // (len(ROOTS) * len(sector.kinds))  # names repeat only past roots × kinds
    suffix_fa, suffix_en = (f" {city_fa}", f", {city_en}") if round_ else ("", "")
    if round_ > 1:
        suffix_fa, suffix_en = f"{suffix_fa} {round_}", f"{suffix_en} {round_}"
    name = f"{kind_fa} {root_fa}{suffix_fa} ({root_en} {kind_en}{suffix_en})"
    size = rng.betavariate(1.6, 2.4)  # most plants are small or medium, a few are large
    group = sector.groups[rng.randrange(len(sector.groups))]
    lines = rng.sample(group, k=min(len(group), rng.choice((1, 1, 2, 2, 3))))
    markets = _weighted(rng, SECTOR_MARKETS[sector.key], rng.randint(2, 5))
    experience = markets[: rng.randint(0, len(markets))]
    certifications = sorted(
        {c for c in sector.certifications if rng.random() < 0.45} | {sector.certifications[0]}
    )
    contact = (
        f"{rng.choice(('مهندس ', 'آقای ', 'خانم ', ''))}{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    )
    slug = f"{root_en.lower().replace(' ', '-')}-{sector.key}-{i}"
    profile = {
        "name": name,
        "description": (
            f"تولیدکننده {'، '.join(line.fa for line in lines)} در {city_fa}. "
            f"Maker of {', '.join(line.en.lower() for line in lines)} in {city_en}, East Azerbaijan."
        ),
        "city": city_en,
        "website": f"https://{slug}.{DOMAIN}",
        "email": f"export@{slug}.{DOMAIN}",
        "phone": f"+98 41 {rng.randint(3200, 3699)} {rng.randint(1000, 9999)}",
        "contact_name": contact,
        "target_markets": markets,
        "export_experience": experience,
        "open_to_any_market": rng.random() < 0.15,
        "certifications": certifications,
        "languages": ["fa", "az", "en"] + [x for x in ("ru", "ar", "tr") if rng.random() < 0.3],
        "employees": int(10 + size * 1500),
        "founded": rng.randint(1965, 2020),
        "verified": rng.random() < 0.6,
    }
    products = []
    for line in lines:
        capacity = _amount(rng, *line.capacity, size)
        price_low = _amount(rng, *line.price, rng.random())
        products.append(
            {
                "name": line.fa,
                "description": f"{line.fa}. {line.en}, made in {city_en}.",
                "hs_code": line.hs,
                "annual_capacity": capacity,
                "available_capacity": int(capacity * rng.choice((1, 1, 0.8, 0.6, 0.4))),
                "capacity_unit": line.unit,
                "moq": _amount(rng, *line.moq, size),
                "lead_time_days": rng.choice((14, 21, 30, 45, 60, 90)),
                "price_min": price_low,
                "price_max": int(price_low * rng.uniform(1.2, 1.8)) + 1,
                "currency": "USD",
                "incoterms": sorted(rng.sample(("EXW", "FCA", "CPT", "DAP", "FOB", "CIP"), k=2)),
                "certifications": certifications[:2],
            }
        )
    full_name = f"{root_fa} {kind_fa}"
    return {
        "email": producer_email(sector, i),
        "full_name": full_name,
        "profile": profile,
        "products": products,
    }


def buyer_spec(market: Market, i: int) -> dict:
    """The i-th buyer of `market`: what it seeks (subheadings or headings of what the province
    makes; a few deliberately broad chapters), how much, and what it requires."""
    rng = _rng("buyer", market.code, i)
    sector = SECTOR_BY_KEY[_weighted(rng, market.sectors, 1)[0]]
    group = sector.groups[rng.randrange(len(sector.groups))]
    lines = rng.sample(group, k=min(len(group), rng.choice((1, 1, 1, 2))))
    level = rng.random()
    if level < 0.55:
        sought = [line.hs for line in lines]
    elif level < 0.94:
        sought = sorted({line.hs[:4] for line in lines})
    else:
        sought = sorted({line.hs[:2] for line in lines})  # a deliberately broad buyer
    unit = lines[0].unit
    demand = _amount(rng, *lines[0].capacity, rng.betavariate(1.5, 3)) // rng.choice((2, 3, 5, 10))
    demand = max(demand, lines[0].moq[0] * 2)
    order = max(1, demand // rng.choice((4, 6, 10, 12)))
    root = market.roots[i % len(market.roots)]
    kind = market.kinds[(i // len(market.roots)) % len(market.kinds)]
    round_ = i // (len(market.roots) * len(market.kinds))
    city = market.cities[rng.randrange(len(market.cities))]
    name = f"{root} {kind}" + (f" ({city})" if round_ else "") + (f" {round_ + 1}" if round_ > 1 else "")
    required = list(market.certifications.get(sector.key, ()))
    if rng.random() < 0.2:
        required.append("ISO9001")
    slug = f"{root.lower().replace(' ', '-')}-{market.code.lower()}-{i}"
    what = ", ".join(line.en.lower() for line in lines)
    profile = {
        "company_name": name,
        "country": market.code,
        "city": city,
        "email": f"purchasing@{slug}.buyers.{DOMAIN}",
        "phone": f"+{rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
        "contact_name": market.contacts[rng.randrange(len(market.contacts))],
        "description": f"Importer of {what} for {city} and the region.",
        "sought_sectors": sought,
        "annual_demand": demand,
        "demand_unit": unit,
        "typical_order": order,
        "required_certifications": sorted(set(required)),
        "languages": list(market.languages),
    }
    return {"email": buyer_email(market, i), "full_name": name, "profile": profile}


@dataclass(frozen=True)
class ProvinceSize:
    """How big a province to make: `scale` 1.0 is the real one (690 plants, 421 buyers in 21
    markets); a test makes a small one with the same generator (every market keeps a buyer)."""

    scale: float = 1.0

    def producers(self, sector: Sector) -> int:
        return max(1, round(sector.count * self.scale))

    def buyers(self, market: Market) -> int:
        return max(1, round(market.count * self.scale))


PROVINCE = ProvinceSize(1.0)
