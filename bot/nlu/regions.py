"""Countries and their states or provinces by name, in English and Chinese, for reading addresses
(``bot.nlu.addresses``): "Russia", "Russian Federation" and "俄罗斯" are one country; a US state by
its USPS code or name. ``pycountry`` knows the countries, their Chinese names (its gettext
catalogue) and their subdivisions."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from bot.nlu.address_patterns import POLITE_TAIL

_COUNTRY_SHORT = {
    "usa": "US", "u.s.": "US", "u.s": "US", "u.s.a.": "US", "u.s.a": "US", "united states": "US", "united states of america": "US",
    "america": "US", "the states": "US", "uk": "GB", "u.k.": "GB", "u.k": "GB", "britain": "GB", "great britain": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "prc": "CN", "p.r.c.": "CN", "p.r. china": "CN", "mainland china": "CN", "russia": "RU",
    "holland": "NL", "uae": "AE", "czech republic": "CZ", "deutschland": "DE", "españa": "ES", "espana": "ES", "italia": "IT", "nederland": "NL",
    "schweiz": "CH", "suisse": "CH", "österreich": "AT", "osterreich": "AT", "sverige": "SE", "polska": "PL", "danmark": "DK", "norge": "NO",
    "suomi": "FI", "brasil": "BR", "nippon": "JP",
    "中国": "CN", "中华人民共和国": "CN", "中国大陆": "CN", "美国": "US", "美利坚合众国": "US", "英国": "GB", "加拿大": "CA", "日本": "JP", "韩国": "KR",
    "南韩": "KR", "朝鲜": "KP", "澳洲": "AU", "澳大利亚": "AU", "新西兰": "NZ", "俄罗斯": "RU", "德国": "DE", "法国": "FR",
}  # fmt: skip


@cache
def _countries() -> tuple[dict[str, str], dict[str, str]]:
    """(lower-cased English or Chinese name -> alpha-2, alpha-2/alpha-3 code -> alpha-2)."""
    import gettext

    import pycountry

    try:
        zh = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    except OSError:  # no catalogue: the short forms above still cover the common names
        zh = gettext.NullTranslations()
    names: dict[str, str] = {}
    codes: dict[str, str] = {}
    for country in pycountry.countries:
        codes[country.alpha_2] = codes[country.alpha_3] = country.alpha_2
        for name in (country.name, getattr(country, "common_name", None), getattr(country, "official_name", None)):
            if name:
                names.setdefault(name.lower(), country.alpha_2)
                names.setdefault(_plain(name).lower(), country.alpha_2)
                names.setdefault(zh.gettext(name), country.alpha_2)
    names.update(_COUNTRY_SHORT)
    return names, codes


@cache
def _canonical(alpha_2: str) -> str:
    import pycountry

    if alpha_2 == "US":
        return "USA"  # as the order database spells it
    if alpha_2 == "CN":
        return "China"
    country = pycountry.countries.get(alpha_2=alpha_2)
    return getattr(country, "common_name", None) or country.name


def country_of(text: str) -> str | None:
    """The canonical country name ("USA", "China", "United Kingdom", "South Korea", …) for a country
    name (English or Chinese, any case) or ISO code (in capitals: "CA", "GBR"), else None."""
    written = POLITE_TAIL.sub("", text.strip()).strip(" .,:;!?。，")
    if not written:
        return None
    names, codes = _countries()
    key = re.sub(r"^the\s+", "", written, flags=re.IGNORECASE).lower()
    alpha_2 = names.get(key) or names.get(_plain(key))
    if alpha_2 is None and written.isupper() and written in codes:
        alpha_2 = codes[written]
    return _canonical(alpha_2) if alpha_2 else None


# Chinese names of the countries a reply names most, before pycountry's catalogue (whose forms are formal).
_ZH_NAMES = {"US": "美国", "CN": "中国", "GB": "英国", "RU": "俄罗斯", "KR": "韩国", "KP": "朝鲜", "IR": "伊朗", "SY": "叙利亚", "CU": "古巴", "BY": "白俄罗斯"}


def country_name(country: str, language: str) -> str:
    """``country`` (as ``country_of`` names it, or as written) in the reply's language."""
    if language != "zh":
        return country
    names, _ = _countries()
    alpha_2 = names.get(country.lower()) or names.get((country_of(country) or "").lower())
    if alpha_2 is None:
        return country
    import gettext

    import pycountry

    if alpha_2 in _ZH_NAMES:
        return _ZH_NAMES[alpha_2]
    try:
        zh = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    except OSError:
        return country
    return zh.gettext(pycountry.countries.get(alpha_2=alpha_2).name)


def _plain(text: str) -> str:
    """Without accents ("Côte d'Ivoire" -> "Cote d'Ivoire")."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


@cache
def us_states() -> tuple[frozenset[str], dict[str, str]]:
    """(USPS codes, lower-cased state name -> code)."""
    import pycountry

    subdivisions = pycountry.subdivisions.get(country_code="US")
    codes = frozenset({s.code[3:] for s in subdivisions} | {"AA", "AE", "AP"})  # with the military "states"
    return codes, {s.name.lower(): s.code[3:] for s in subdivisions}


_STATE_COUNTRIES = ("US", "CA", "AU", "CN", "JP", "IN", "MX", "BR")  # where an address names its state (when no country is given)
_SUBDIVISION_TYPE_WORDS = {"sheng", "shi", "zizhiqu", "sar", "province", "prefecture", "state", "territory"}


@cache
def _subdivision_names(alpha_2: str) -> frozenset[str]:
    """Lower-cased, unaccented first-level subdivision names of a country ("zhejiang", "tokyo", "ontario")."""
    import pycountry

    names = set()
    for sub in pycountry.subdivisions.get(country_code=alpha_2) or ():
        if sub.parent_code is None:
            name = _plain(sub.name).lower()
            names.add(name)
            words = name.split()
            while len(words) > 1 and words[-1] in _SUBDIVISION_TYPE_WORDS | {"zhuangzu", "huizu", "uygur"}:
                words.pop()
                names.add(" ".join(words))
    return frozenset(names)


def _alpha_2(country: str | None) -> str | None:
    if not country:
        return None
    names, _ = _countries()
    return "US" if country == "USA" else names.get(country.lower())


def us_state_name_or_code(written: str) -> bool:
    word = written.strip(" .")
    codes, names = us_states()
    return (len(word) == 2 and word.upper() in codes) or word.lower() in names


def state_like(written: str, country: str | None) -> bool:
    """Whether ``written`` (the words before a zip, or a segment) names a state: a code (TX, ON,
    NSW, SH), or a first-level subdivision of the country (of the countries whose addresses name one,
    when no country is given)."""
    word = written.strip(" .")
    if re.fullmatch(r"[A-Z]{2,3}", word) or word.upper() in us_states()[0] and len(word) == 2:
        return True
    key = _plain(word).lower()
    alpha_2 = _alpha_2(country)
    return any(key in _subdivision_names(code) for code in ((alpha_2,) if alpha_2 else _STATE_COUNTRIES))


def normal_state(written: str, country: str | None) -> str:
    """A state as stored: codes upper-cased, a US state's name as its code ("Texas" -> "TX") once the
    country is known to be the USA (Georgia may be the country)."""
    word = written.strip(" .")
    if re.fullmatch(r"[A-Za-z]{2,3}", word):
        return word.upper()
    if country == "USA":
        code = us_states()[1].get(word.lower())
        if code:
            return code
    return word
