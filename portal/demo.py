"""The demo province: Tabriz producers, buyers abroad, counsellors posted there, staff.

`seed_demo` calls `seed_demo_province()`; running it again updates the same rows
instead of adding more. Every later capability extends the data here.
"""

from dataclasses import dataclass

from django.db import transaction

from accounts.models import Role, User
from accounts.services import mark_email_verified

DEMO_PASSWORD = "tabriz-demo-1405"
STAFF_EMAIL = "staff@demo.exportbridge.ir"


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: str
    language: str = "fa"


PRODUCERS = [
    DemoUser("machinery@demo.exportbridge.ir", "ماشین‌سازی تبریز", Role.PRODUCER),
    DemoUser("appliances@demo.exportbridge.ir", "لوازم خانگی آذر", Role.PRODUCER),
    DemoUser("textiles@demo.exportbridge.ir", "نساجی ائل‌گلی", Role.PRODUCER),
    DemoUser("food@demo.exportbridge.ir", "صنایع غذایی سهند", Role.PRODUCER),
    DemoUser("tractors@demo.exportbridge.ir", "Tabriz Tractor Parts Co.", Role.PRODUCER, "en"),
    DemoUser("pumps@demo.exportbridge.ir", "پمپ‌سازی ارک", Role.PRODUCER),
]
BUYERS = [
    DemoUser("buyer.iraq@demo.exportbridge.ir", "Baghdad Home Trading", Role.BUYER, "en"),
    DemoUser("buyer.armenia@demo.exportbridge.ir", "Yerevan Industrial Supply", Role.BUYER, "en"),
    DemoUser("buyer.russia@demo.exportbridge.ir", "Kazan Agro Machinery", Role.BUYER, "en"),
    DemoUser("buyer.turkey@demo.exportbridge.ir", "Van Tekstil Ithalat", Role.BUYER, "en"),
    DemoUser("buyer.georgia@demo.exportbridge.ir", "Tbilisi Appliance House", Role.BUYER, "en"),
    DemoUser("buyer.uae@demo.exportbridge.ir", "Dubai Gulf Distributors", Role.BUYER, "en"),
    DemoUser("buyer.afghanistan@demo.exportbridge.ir", "بازرگانی هرات", Role.BUYER),
    DemoUser("buyer.azerbaijan@demo.exportbridge.ir", "Baku Food Import", Role.BUYER, "en"),
    DemoUser("buyer.kazakhstan@demo.exportbridge.ir", "Almaty Pumps & Valves", Role.BUYER, "en"),
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


@transaction.atomic
def seed_demo_province() -> dict[str, list[User]]:
    """Create or refresh every demo account; return them by role."""
    return {
        "staff": [_upsert_user(STAFF)],
        "counsellors": [_upsert_user(d) for d in COUNSELLORS],
        "producers": [_upsert_user(d) for d in PRODUCERS],
        "buyers": [_upsert_user(d) for d in BUYERS],
    }
