"""Iran's 31 provinces, with their Persian and Latin names, the usual other spellings and their
capitals: the one list that reads a province typed in any of them.

A producer's province is free text (the profile form, the import), written in English
("East Azerbaijan"), in Persian («آذربایجان شرقی»), on an Arabic keyboard («آذربايجان شرقي»),
or as the capital people know it by («تبریز»). `province_of` finds the province a text means
(normalised by `portal.normalization.normalize_text` on both sides), `province_aliases` every
name it goes by, so a filter on any of them finds the producers written down under another.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.utils.translation import get_language

from portal.normalization import normalize_text
from portal.stemming import script_of


@dataclass(frozen=True)
class Province:
    name: str  # the Latin (English) name, as profiles store it by default
    name_fa: str
    capital: str
    capital_fa: str
    other_names: tuple[str, ...] = ()

    def display_name(self, language: str | None = None) -> str:
        """Its name in the reader's language: Persian for Persian readers, the Latin one for the others."""
        return self.name_fa if (language or get_language() or "").startswith("fa") else self.name

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, self.name_fa, self.capital, self.capital_fa, *self.other_names)


PROVINCES: tuple[Province, ...] = (
    Province(
        "East Azerbaijan",
        "آذربایجان شرقی",
        "Tabriz",
        "تبریز",
        ("Azarbayjan-e Sharqi", "East Azarbaijan", "Azerbaijan East", "Doğu Azerbaycan", "أذربيجان الشرقية"),
    ),
    Province(
        "West Azerbaijan",
        "آذربایجان غربی",
        "Urmia",
        "ارومیه",
        ("Azarbayjan-e Gharbi", "West Azarbaijan", "Orumiyeh", "Batı Azerbaycan", "أذربيجان الغربية"),
    ),
    Province("Ardabil", "اردبیل", "Ardabil", "اردبیل", ("Ardebil",)),
    Province("Isfahan", "اصفهان", "Isfahan", "اصفهان", ("Esfahan",)),
    Province("Alborz", "البرز", "Karaj", "کرج"),
    Province("Ilam", "ایلام", "Ilam", "ایلام"),
    Province("Bushehr", "بوشهر", "Bushehr", "بوشهر"),
    Province("Tehran", "تهران", "Tehran", "تهران", ("Teheran", "Tahran")),
    Province(
        "Chaharmahal and Bakhtiari",
        "چهارمحال و بختیاری",
        "Shahrekord",
        "شهرکرد",
        ("Chaharmahal-Bakhtiari", "Chaharmahal va Bakhtiari"),
    ),
    Province("South Khorasan", "خراسان جنوبی", "Birjand", "بیرجند", ("Khorasan-e Jonubi",)),
    Province("Razavi Khorasan", "خراسان رضوی", "Mashhad", "مشهد", ("Khorasan Razavi", "Khorasan-e Razavi")),
    Province("North Khorasan", "خراسان شمالی", "Bojnurd", "بجنورد", ("Khorasan-e Shomali",)),
    Province("Khuzestan", "خوزستان", "Ahvaz", "اهواز", ("Ahwaz",)),
    Province("Zanjan", "زنجان", "Zanjan", "زنجان"),
    Province("Semnan", "سمنان", "Semnan", "سمنان"),
    Province("Sistan and Baluchestan", "سیستان و بلوچستان", "Zahedan", "زاهدان", ("Sistan-Baluchestan",)),
    Province("Fars", "فارس", "Shiraz", "شیراز"),
    Province("Qazvin", "قزوین", "Qazvin", "قزوین", ("Ghazvin",)),
    Province("Qom", "قم", "Qom", "قم", ("Ghom",)),
    Province("Kurdistan", "کردستان", "Sanandaj", "سنندج", ("Kordestan",)),
    Province("Kerman", "کرمان", "Kerman", "کرمان"),
    Province("Kermanshah", "کرمانشاه", "Kermanshah", "کرمانشاه"),
    Province(
        "Kohgiluyeh and Boyer-Ahmad", "کهگیلویه و بویراحمد", "Yasuj", "یاسوج", ("Kohgiluyeh va Boyer-Ahmad",)
    ),
    Province("Golestan", "گلستان", "Gorgan", "گرگان"),
    Province("Gilan", "گیلان", "Rasht", "رشت", ("Guilan",)),
    Province("Lorestan", "لرستان", "Khorramabad", "خرم‌آباد", ("Luristan",)),
    Province("Mazandaran", "مازندران", "Sari", "ساری"),
    Province("Markazi", "مرکزی", "Arak", "اراک", ("Central",)),
    Province("Hormozgan", "هرمزگان", "Bandar Abbas", "بندرعباس"),
    Province("Hamadan", "همدان", "Hamadan", "همدان", ("Hamedan",)),
    Province("Yazd", "یزد", "Yazd", "یزد"),
)


def province_key(text: str | None) -> str:
    """A province's name as it is compared: normalised, hyphens as spaces, no "province"/«استان»."""
    words = normalize_text(text).replace("-", " ").split()
    return " ".join(word for word in words if word not in ("province", "استان", "ostan"))


@cache
def _by_key() -> dict[str, Province]:
    table: dict[str, Province] = {}
    for province in PROVINCES:
        for name in province.names:
            key = province_key(name)
            table.setdefault(key, province)
            if script_of(key) == "arabic":
                table.setdefault(key.replace(" ", ""), province)  # a non-joiner for the space
    return table


def province_of(text: str | None) -> Province | None:
    """The province that `text` names (in Persian or Latin letters, by its capital too), or None."""
    return _by_key().get(province_key(text))


def province_aliases(text: str) -> list[str]:
    """Every spelling to look a typed province up by, normalised: all the names of the province
    it names, or the text itself when it names none."""
    province = province_of(text)
    if province is None:
        key = province_key(text)
        return [key] if key else []
    names = {normalize_text(name) for name in province.names}
    # «آذربایجان‌شرقی» written with a non-joiner where the space goes (which folding removes).
    return sorted(names | {name.replace(" ", "") for name in names if script_of(name) == "arabic"})


@cache
def _capitals() -> dict[str, Province]:
    return {province_key(name): p for p in PROVINCES for name in (p.capital, p.capital_fa)}


def capital_of(text: str | None) -> Province | None:
    """The province whose capital `text` names (in Persian or Latin letters), or None."""
    return _capitals().get(province_key(text))
