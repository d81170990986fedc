"""The demo province: Tabriz producers, buyers abroad, counsellors posted there, staff.

`seed_demo` calls `seed_demo_province()`; running it again updates the same rows
instead of adding more. Every write goes through the services, so the demo
obeys the same rules as real data. Every later capability extends the data here.
"""

from dataclasses import dataclass, field

from django.db import transaction

from accounts import services as account_services
from accounts.models import BuyerProfile, ProducerProfile, Role, User
from accounts.verification import mark_email_verified
from catalogue import services as catalogue_services
from catalogue.models import Product
from home import demo_deals, demo_pictures, demo_pipeline
from home.demo_verification import verify_demo_company
from matchmaking import services as matchmaking_services

DEMO_PASSWORD = "tabriz-demo-1405"
STAFF_EMAIL = "staff@demo.exportbridge.ir"


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: str
    language: str = "fa"
    profile: dict = field(default_factory=dict)
    products: list[dict] = field(default_factory=list)


def _product(name, description, hs, capacity, unit, **extra) -> dict:
    return {
        "name": name,
        "description": description,
        "hs_code": hs,
        "annual_capacity": capacity,
        "capacity_unit": unit,
        **extra,
    }


PRODUCERS = [
    DemoUser(
        "machinery@demo.exportbridge.ir",
        "ماشین‌سازی تبریز",
        Role.PRODUCER,
        profile={
            "name": "ماشین‌سازی تبریز",
            "description": "سازنده ماشین‌آلات صنعتی، ماشین‌های تراش و فرز CNC و قطعات ماشین از سال ۱۳۴۷.",
            "translations": {
                "en": {
                    "name": "Tabriz Machinery Co.",
                    "description": "Industrial machine tools, CNC lathes and milling machines since 1968.",
                },
                "ru": {"name": "Тебризский станкостроительный завод"},
            },
            "city": "Tabriz",
            "website": "https://machinery.demo.exportbridge.ir",
            "email": "export@machinery.demo.exportbridge.ir",
            "phone": "+98 41 3425 1000",
            "contact_name": "مهندس رضا صمدی",
            "target_markets": ["IQ", "RU", "AM", "AZ"],
            "export_experience": ["IQ", "AF"],
            "certifications": ["ISO9001", "CE"],
            "languages": ["fa", "en", "ru", "az"],
            "employees": 1800,
            "founded": 1968,
            "verified": True,
        },
        products=[
            _product(
                "ماشین تراش CNC مدل TM-500",
                "ماشین تراش CNC با طول کار ۱۵۰۰ میلی‌متر.",
                "845811",
                600,
                "units",
                moq=2,
                lead_time_days=90,
                price_min=38000,
                price_max=52000,
                currency="USD",
                incoterms=["FCA", "DAP"],
                certifications=["CE", "ISO9001"],
                translations={
                    "en": {"name": "CNC lathe TM-500", "description": "CNC lathe, 1,500 mm between centres."},
                    "ru": {"name": "Токарный станок с ЧПУ TM-500"},
                },
            ),
            _product(
                "ماشین فرز عمودی",
                "فرز عمودی صنعتی.",
                "845961",
                450,
                "units",
                moq=1,
                lead_time_days=75,
                incoterms=["FCA"],
                translations={
                    "en": {
                        "name": "Vertical milling machine",
                        "description": "Vertical milling machines for workshops.",
                    }
                },
            ),
        ],
    ),
    DemoUser(
        "appliances@demo.exportbridge.ir",
        "لوازم خانگی آذر",
        Role.PRODUCER,
        profile={
            "name": "لوازم خانگی آذر",
            "description": "یخچال، فریزر و ماشین لباسشویی برای بازارهای منطقه.",
            "translations": {
                "en": {
                    "name": "Azar Home Appliances",
                    "description": "Refrigerators, freezers and washing machines for regional markets.",
                },
                "ar": {"name": "آذر للأجهزة المنزلية"},
            },
            "city": "Tabriz",
            "website": "https://azar.demo.exportbridge.ir",
            "email": "sales@azar.demo.exportbridge.ir",
            "phone": "+98 41 3287 2200",
            "contact_name": "خانم سارا نوروزی",
            "target_markets": ["IQ", "AF", "AM", "GE", "AE"],
            "export_experience": ["IQ", "AF"],
            "certifications": ["ISO9001", "ISIRI"],
            "languages": ["fa", "en", "ar"],
            "employees": 950,
            "founded": 1991,
            "verified": True,
        },
        products=[
            _product(
                "یخچال فریزر دوقلو ۲۴ فوت",
                "یخچال و فریزر دوقلو با برچسب انرژی A+.",
                "841810",
                45000,
                "units",
                available_capacity=20000,
                moq=200,
                lead_time_days=45,
                price_min=380,
                price_max=520,
                currency="USD",
                incoterms=["FOB", "CPT", "DAP"],
                certifications=["ISIRI", "CE"],
                translations={
                    "en": {
                        "name": "Twin refrigerator-freezer, 24 cu ft",
                        "description": "Twin refrigerator-freezer, 24 cu ft, energy class A+.",
                    },
                    "ar": {
                        "name": "ثلاجة وفريزر مزدوج ٢٤ قدم",
                        "description": "ثلاجة وفريزر مزدوج بسعة ٢٤ قدمًا مكعبًا، فئة الطاقة A+.",
                    },
                    "ru": {"name": "Двухкамерный холодильник-морозильник, 24 куб. фута"},
                    "tr": {"name": "İkiz buzdolabı-dondurucu, 24 ft³"},
                },
            ),
            _product(
                "ماشین لباسشویی ۸ کیلویی",
                "ماشین لباسشویی تمام‌اتوماتیک.",
                "845011",
                30000,
                "units",
                moq=100,
                lead_time_days=40,
                price_min=240,
                price_max=310,
                incoterms=["FOB", "DAP"],
                translations={
                    "en": {
                        "name": "8 kg washing machine",
                        "description": "Fully automatic 8 kg washing machine.",
                    },
                    "ar": {"name": "غسالة ملابس ٨ كغ"},
                },
            ),
        ],
    ),
    DemoUser(
        "textiles@demo.exportbridge.ir",
        "نساجی ائل‌گلی",
        Role.PRODUCER,
        profile={
            "name": "نساجی ائل‌گلی",
            "description": "فرش ماشینی و فرش دستباف تبریز، ملحفه و منسوجات خانگی.",
            "translations": {
                "en": {
                    "name": "El-Goli Textiles",
                    "description": "Machine-made and hand-woven Tabriz carpets, bed linen.",
                },
                "tr": {"name": "El-Göli Tekstil"},
            },
            "city": "Tabriz",
            "email": "info@elgoli.demo.exportbridge.ir",
            "phone": "+98 41 3556 7800",
            "contact_name": "آقای حسین جعفری",
            "target_markets": ["TR", "AE", "RU"],
            "open_to_any_market": True,
            "certifications": ["OEKO-TEX"],
            "languages": ["fa", "tr", "en"],
            "employees": 420,
            "founded": 1979,
        },
        products=[
            _product(
                "فرش دستباف تبریز",
                "فرش دستباف پشم و ابریشم، نقشه ماهی.",
                "570110",
                9000,
                "m2",
                moq=20,
                lead_time_days=120,
                price_min=180,
                price_max=900,
                incoterms=["EXW", "CIP"],
                translations={
                    "en": {
                        "name": "Hand-knotted Tabriz carpet",
                        "description": "Hand-knotted wool and silk Tabriz carpet.",
                    },
                    "tr": {"name": "El dokuması Tebriz halısı"},
                },
            ),
            _product(
                "فرش ماشینی ۱۲۰۰ شانه",
                "فرش ماشینی اکریلیک.",
                "570242",
                350000,
                "m2",
                moq=2000,
                lead_time_days=30,
                price_min=9,
                price_max=16,
                incoterms=["FOB", "CPT"],
                translations={
                    "en": {
                        "name": "Machine-made carpet, 1,200 reeds",
                        "description": "Machine-made acrylic carpet, 1,200 reeds.",
                    }
                },
            ),
        ],
    ),
    DemoUser(
        "food@demo.exportbridge.ir",
        "صنایع غذایی سهند",
        Role.PRODUCER,
        profile={
            "name": "صنایع غذایی سهند",
            "description": "بیسکویت، شکلات و آجیل و خشکبار آذربایجان.",
            "translations": {
                "en": {"name": "Sahand Foods", "description": "Biscuits, chocolate, nuts and dried fruit."},
            },
            "city": "Tabriz",
            "email": "export@sahand.demo.exportbridge.ir",
            "phone": "+98 41 3444 9090",
            "contact_name": "خانم مریم احمدی",
            "target_markets": ["IQ", "AZ", "RU", "AF"],
            "certifications": ["HALAL", "ISO22000", "HACCP"],
            "languages": ["fa", "az", "ru"],
            "employees": 610,
            "founded": 1985,
            "verified": True,
        },
        products=[
            _product(
                "بیسکویت کرمدار",
                "بیسکویت ساندویچی با کرم کاکائو.",
                "190531",
                8000,
                "tonnes",
                moq=20,
                lead_time_days=21,
                price_min=1400,
                price_max=1900,
                incoterms=["FCA", "CPT"],
                certifications=["HALAL", "ISO22000"],
                translations={
                    "en": {
                        "name": "Cream biscuits",
                        "description": "Cream sandwich biscuits, cocoa filling.",
                    },
                    "ru": {"name": "Печенье с кремом"},
                },
            ),
            _product(
                "کشمش و خشکبار",
                "کشمش سبز و آفتابی مراغه.",
                "080620",
                5000,
                "tonnes",
                moq=10,
                lead_time_days=14,
                incoterms=["FCA", "CFR"],
                certifications=["HALAL"],
                translations={
                    "en": {
                        "name": "Raisins and dried fruit",
                        "description": "Green and sun-dried raisins from Maragheh.",
                    }
                },
            ),
        ],
    ),
    DemoUser(
        "tractors@demo.exportbridge.ir",
        "Tabriz Tractor Parts Co.",
        Role.PRODUCER,
        "en",
        profile={
            "name": "Tabriz Tractor Parts Co.",
            "description": "Gearboxes, axles and spare parts for agricultural tractors and harvesters.",
            "city": "Tabriz",
            "email": "parts@tractors.demo.exportbridge.ir",
            "phone": "+98 41 3245 6600",
            "contact_name": "Ali Karimi",
            "target_markets": ["RU", "KZ", "UZ", "AF"],
            "certifications": ["ISO9001"],
            "languages": ["fa", "en", "ru"],
            "employees": 300,
            "founded": 2003,
        },
        products=[
            _product(
                "Tractor gearboxes",
                "Gearboxes for 75–110 hp tractors.",
                "870840",
                12000,
                "units",
                moq=50,
                lead_time_days=60,
                incoterms=["FCA", "DAP"],
                translations={
                    "fa": {"name": "گیربکس تراکتور"},
                    "ru": {"name": "Коробки передач для тракторов"},
                },
            ),
            _product(
                "Combine harvester spare parts",
                "Blades, belts and bearings for combine harvesters.",
                "843390",
                80000,
                "units",
                moq=500,
                lead_time_days=30,
                translations={"fa": {"name": "قطعات کمباین"}},
            ),
        ],
    ),
    DemoUser(
        "pumps@demo.exportbridge.ir",
        "پمپ‌سازی ارک",
        Role.PRODUCER,
        profile={
            "name": "پمپ‌سازی ارک",
            "description": "پمپ‌های گریز از مرکز و شیرآلات صنعتی.",
            "translations": {
                "en": {"name": "Arg Pumps", "description": "Centrifugal pumps and industrial valves."},
            },
            "city": "Tabriz",
            "email": "sales@arg.demo.exportbridge.ir",
            "phone": "+98 41 3421 3300",
            "contact_name": "مهندس بهروز قاسمی",
            "target_markets": ["IQ", "KZ", "TM"],
            "certifications": ["ISO9001", "API"],
            "languages": ["fa", "en"],
            "employees": 260,
            "founded": 1996,
        },
        products=[
            _product(
                "پمپ گریز از مرکز صنعتی",
                "پمپ آب گریز از مرکز تا ۲۰۰ متر مکعب بر ساعت.",
                "841370",
                15000,
                "units",
                moq=10,
                lead_time_days=35,
                price_min=450,
                price_max=4200,
                incoterms=["FCA", "DAP"],
                translations={
                    "en": {
                        "name": "Industrial centrifugal pump",
                        "description": "Centrifugal water pumps up to 200 m3/h.",
                    },
                    "ar": {"name": "مضخة طرد مركزي صناعية"},
                    "ru": {"name": "Промышленный центробежный насос"},
                },
            ),
            _product(
                "شیر فلکه صنعتی",
                "شیرآلات صنعتی چدنی و فولادی.",
                "848180",
                60000,
                "units",
                moq=100,
                lead_time_days=30,
                translations={
                    "en": {"name": "Industrial gate valve", "description": "Cast iron and steel gate valves."}
                },
            ),
        ],
    ),
]
BUYERS = [
    DemoUser(
        "buyer.iraq@demo.exportbridge.ir",
        "Baghdad Home Trading",
        Role.BUYER,
        "en",
        profile={
            "company_name": "Baghdad Home Trading",
            # Added by the counsellor of Iraq for the producers who read Arabic or Persian.
            "translations": {
                "ar": {"company_name": "بغداد للتجارة المنزلية"},
                "fa": {"company_name": "بازرگانی خانگی بغداد"},
            },
            "country": "IQ",
            "city": "Baghdad",
            "email": "purchasing@baghdadhome.demo.exportbridge.ir",
            "phone": "+964 770 123 4567",
            "contact_name": "Mustafa Al-Jabouri",
            "description": "Importer and distributor of home appliances and household water pumps across central Iraq.",
            "sought_sectors": ["8418", "8450", "8413"],
            "annual_demand": 5000,
            "demand_unit": "units",
            "typical_order": 500,
            "languages": ["ar", "en"],
        },
    ),
    DemoUser(
        "buyer.armenia@demo.exportbridge.ir",
        "Yerevan Industrial Supply",
        Role.BUYER,
        "en",
        profile={
            "company_name": "Yerevan Industrial Supply",
            "country": "AM",
            "city": "Yerevan",
            "email": "supply@yis.demo.exportbridge.ir",
            "phone": "+374 10 555 010",
            "contact_name": "Armen Petrosyan",
            "description": "Machine tools and pumps for Armenian workshops and utilities.",
            "sought_sectors": ["8458", "8413"],
            "annual_demand": 40,
            "demand_unit": "units",
            "typical_order": 5,
            "required_certifications": ["CE"],
            "languages": ["hy", "ru", "en"],
        },
    ),
    DemoUser(
        "buyer.russia@demo.exportbridge.ir",
        "Kazan Agro Machinery",
        Role.BUYER,
        "en",
        profile={
            "company_name": "Kazan Agro Machinery",
            "translations": {"ru": {"company_name": "Казань Агромашины"}},
            "country": "RU",
            "city": "Kazan",
            "email": "zakupki@kazanagro.demo.exportbridge.ir",
            "phone": "+7 843 200 1122",
            "contact_name": "Irina Sokolova",
            "description": "Dealer of tractors, harvesters and their spare parts in Tatarstan.",
            "sought_sectors": ["8708", "8433"],
            "annual_demand": 3000,
            "demand_unit": "units",
            "typical_order": 300,
            "required_certifications": ["ISO9001"],
            "languages": ["ru", "en"],
        },
    ),
    DemoUser(
        "buyer.turkey@demo.exportbridge.ir",
        "Van Tekstil Ithalat",
        Role.BUYER,
        "en",
        profile={
            "company_name": "Van Tekstil İthalat",
            "country": "TR",
            "city": "Van",
            "email": "ithalat@vantekstil.demo.exportbridge.ir",
            "phone": "+90 432 210 4455",
            "contact_name": "Mehmet Yılmaz",
            "description": "Carpet and home textile wholesaler in eastern Turkey.",
            "sought_sectors": ["5701", "5702"],
            "annual_demand": 60000,
            "demand_unit": "m2",
            "typical_order": 5000,
            "languages": ["tr", "fa"],
        },
    ),
    DemoUser(
        "buyer.georgia@demo.exportbridge.ir",
        "Tbilisi Appliance House",
        Role.BUYER,
        "en",
        profile={
            "company_name": "Tbilisi Appliance House",
            "country": "GE",
            "city": "Tbilisi",
            "email": "buy@tah.demo.exportbridge.ir",
            "phone": "+995 32 240 0000",
            "contact_name": "Nino Beridze",
            "description": "Home appliance retail chain, 14 stores in Georgia, with a repair workshop in Rustavi.",
            "sought_sectors": ["841810", "845011", "8458"],
            "annual_demand": 2500,
            "demand_unit": "units",
            "typical_order": 250,
            "required_certifications": ["CE"],
            "languages": ["ka", "en", "ru"],
        },
    ),
    DemoUser(
        "buyer.uae@demo.exportbridge.ir",
        "Dubai Gulf Distributors",
        Role.BUYER,
        "en",
        profile={
            "company_name": "Dubai Gulf Distributors",
            "country": "AE",
            "city": "Dubai",
            "email": "trade@gulfdist.demo.exportbridge.ir",
            "phone": "+971 4 300 7000",
            "contact_name": "Omar Haddad",
            "description": "Re-export hub for carpets, dried fruit and confectionery to the Gulf.",
            "sought_sectors": ["5701", "0806", "1905"],
            "annual_demand": 1200,
            "demand_unit": "tonnes",
            "typical_order": 40,
            "required_certifications": ["HALAL"],
            "languages": ["ar", "en", "fa"],
        },
    ),
    DemoUser(
        "buyer.afghanistan@demo.exportbridge.ir",
        "بازرگانی هرات",
        Role.BUYER,
        profile={
            "company_name": "بازرگانی هرات",
            "translations": {"en": {"company_name": "Herat Trading"}},
            "country": "AF",
            "city": "هرات",
            "email": "herat@trading.demo.exportbridge.ir",
            "phone": "+93 40 222 3344",
            "contact_name": "احمد نوری",
            "description": "واردکننده لوازم خانگی و مواد غذایی برای غرب افغانستان.",
            "sought_sectors": ["8418", "1905"],
            "annual_demand": 3000,
            "demand_unit": "units",
            "typical_order": 300,
            "languages": ["fa"],
        },
    ),
    DemoUser(
        "buyer.azerbaijan@demo.exportbridge.ir",
        "Baku Food Import",
        Role.BUYER,
        "en",
        profile={
            "company_name": "Baku Food Import",
            "country": "AZ",
            "city": "Baku",
            "email": "import@bakufood.demo.exportbridge.ir",
            "phone": "+994 12 404 5566",
            "contact_name": "Leyla Mammadova",
            "description": "Food importer supplying supermarkets in Baku and Ganja.",
            "sought_sectors": ["1905", "0806"],
            "annual_demand": 900,
            "demand_unit": "tonnes",
            "typical_order": 20,
            "required_certifications": ["HALAL", "ISO22000"],
            "languages": ["az", "ru", "en"],
        },
    ),
    DemoUser(
        "buyer.kazakhstan@demo.exportbridge.ir",
        "Almaty Pumps & Valves",
        Role.BUYER,
        "en",
        profile={
            "company_name": "Almaty Pumps & Valves",
            "country": "KZ",
            "city": "Almaty",
            "email": "info@apv.demo.exportbridge.ir",
            "phone": "+7 727 300 4000",
            "contact_name": "Daniyar Nurlanov",
            "description": "Pumps and valves for water utilities and oil fields.",
            "sought_sectors": ["8413", "8481"],
            "annual_demand": 4000,
            "demand_unit": "units",
            "typical_order": 200,
            "required_certifications": ["ISO9001"],
            "languages": ["kk", "ru", "en"],
        },
    ),
]
COUNSELLORS = [
    DemoUser("counsellor.iraq@demo.exportbridge.ir", "رایزن بازرگانی در عراق", Role.COUNSELLOR),
    DemoUser("counsellor.armenia@demo.exportbridge.ir", "رایزن بازرگانی در ارمنستان", Role.COUNSELLOR),
    DemoUser("counsellor.russia@demo.exportbridge.ir", "رایزن بازرگانی در روسیه", Role.COUNSELLOR),
    DemoUser("counsellor.turkey@demo.exportbridge.ir", "رایزن بازرگانی در ترکیه", Role.COUNSELLOR),
    DemoUser("counsellor.georgia@demo.exportbridge.ir", "رایزن بازرگانی در گرجستان", Role.COUNSELLOR),
    DemoUser("counsellor.uae@demo.exportbridge.ir", "رایزن بازرگانی در امارات", Role.COUNSELLOR),
    DemoUser("counsellor.afghanistan@demo.exportbridge.ir", "رایزن بازرگانی در افغانستان", Role.COUNSELLOR),
    DemoUser("counsellor.azerbaijan@demo.exportbridge.ir", "رایزن بازرگانی در آذربایجان", Role.COUNSELLOR),
]
STAFF = DemoUser(STAFF_EMAIL, "کارشناس سازمان صمت استان", Role.STAFF)


def _upsert_user(demo: DemoUser) -> User:
    user, _created = User.objects.update_or_create(
        email=demo.email,
        defaults={
            "full_name": demo.full_name,
            "role": demo.role,
            "preferred_language": demo.language,
            "is_active": True,
            "is_staff": demo.role == Role.STAFF,
            "is_superuser": demo.role == Role.STAFF,
        },
    )
    if not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    mark_email_verified(user=user)
    return user


def _upsert_producer(user: User, demo: DemoUser, staff: User) -> None:
    data = {key: value for key, value in demo.profile.items() if key != "verified"}
    profile = ProducerProfile.objects.filter(owner=user).first()
    if profile is None:
        profile = account_services.producer_profile_create(actor=staff, owner=user, data=data)
    else:
        profile = account_services.producer_profile_update(profile=profile, actor=staff, data=data)
    for data in demo.products:
        product = Product.objects.filter(producer=profile, name=data["name"]).first()
        if product is None:
            catalogue_services.product_create(producer=profile, actor=staff, data=data)
        else:
            catalogue_services.product_update(product=product, actor=staff, data=data)
    if demo.profile.get("verified"):
        verify_demo_company(profile, reviewer=staff, certifications=profile.certifications)


def _upsert_buyer(user: User, demo: DemoUser, staff: User) -> None:
    profile = BuyerProfile.objects.filter(owner=user).first()
    if profile is None:
        account_services.buyer_profile_create(actor=staff, owner=user, data=demo.profile)
    else:
        account_services.buyer_profile_update(profile=profile, actor=staff, data=demo.profile)


@transaction.atomic
def seed_demo_province() -> dict[str, list[User]]:
    """Create or refresh every demo account, profile and product and the counsellors' desks
    and briefs, compute the matches and move a few along, then the buying requests and their
    deals (home.demo_deals); return the users by role."""
    staff = _upsert_user(STAFF)
    seeded = {"staff": [staff], "counsellors": [_upsert_user(d) for d in COUNSELLORS]}
    demo_pipeline.seed_desks(staff=staff, counsellors=seeded["counsellors"])
    seeded["producers"] = []
    seeded["buyers"] = []
    # One rematch of everything at the end instead of one per profile written.
    with matchmaking_services.rematch_triggers_paused():
        for demo in PRODUCERS:
            user = _upsert_user(demo)
            _upsert_producer(user, demo, staff)
            seeded["producers"].append(user)
        for demo in BUYERS:
            user = _upsert_user(demo)
            _upsert_buyer(user, demo, staff)
            seeded["buyers"].append(user)
        # Logos and product photos drawn here (home.demo_pictures), for the companies and
        # products that have none yet.
        demo_pictures.seed_pictures(staff=staff)
    matchmaking_services.rematch_all()
    demo_pipeline.seed_history()
    demo_deals.seed_deals()
    return seeded
