"""A postal address out of a buyer's chat message, English or Chinese.

Each field is exactly what the buyer wrote (trimmed) or it is reported missing, so the bot asks for
it: a zip code is never shortened or padded and a country is never assumed. The only inferences are
the unambiguous ones: a US state (USPS code, or name) followed by a 5-digit (or ZIP+4) zip is in the
USA; a Chinese-script address whose district, city or province is found is in China (its province
and city are then the official names, "上海" -> 上海市, as ``cpca`` resolves them, and left missing
where the name is ambiguous, like 朝阳区 in 北京 and in 长春); for China, the municipalities
北京/上海/天津/重庆 are their own province.

Libraries: ``usaddress`` (a CRF tagger trained on US addresses) splits the street part of Latin
addresses and reads the US forms written without commas; its tags are checked (house number first,
street, unit, then city, state, zip in order) and other forms are read from their comma structure
("street, [unit,] city, [state] zip, country", "street, city zip, country", "street, zip city,
country"). ``cpca`` (imported only for Chinese text with address words, in its full-text mode, which
needs no jieba) finds Chinese provinces, cities and districts. ``pycountry`` names countries, in
English and (through its gettext catalogue) Chinese, and knows the states and provinces.

``read_address(text, partial)`` also completes an address collected over several messages: with
``partial``, a message may give only what was missing ("78701", "邮编100022", "it's in Canada").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from bot.nlu.address_patterns import (
    ANY_ZIP, ASK_ORDER, CHAT_WORDS, CJK, CODE, COMMA, FIELDS, FRAGMENT_CITY_STATE, FRAGMENT_IN, FRAGMENT_LABELLED, FRAGMENT_LEAD,
    FRAGMENT_ZIP, HARD_STOP, HOUSE_NUMBER, MUNICIPALITIES, NUMBER_LAST, PLACE, POLITE_TAIL, SHAPES, STREET_SUFFIX, STREET_WORD, UNIT,
    UNIT_BEFORE, UNIT_IN_STREET, ZH_ADDRESS_CUE, ZH_END, ZH_LEAD, ZH_STOP, ZH_STREET, ZH_STREETLIKE, ZH_TAIL, ZH_UNIT, ZH_ZIP, ZIP,
    ZIP_FIRST, ZIP_LABEL_TAIL, ZIP_TOKEN,
)
from bot.nlu.patterns import EMAIL, ORDER_ID
from bot.nlu.regions import country_of, normal_state, state_like, us_state_name_or_code, us_states


@dataclass
class AddressReading:
    fields: dict[str, str]  # the fields read, verbatim (trimmed): some of address1, address2, city, state, zip, country
    missing: list[str]  # required fields not given, in the order to ask for them
    problems: dict[str, str]  # field -> why what was given cannot be used (e.g. {"zip": "a US zip code has 5 digits"}), in English
    start: int = 0  # the span of the address in the text (for callers that blank it out)
    end: int = 0

    @property
    def complete(self) -> bool:
        return not self.missing and not self.problems

    def as_dict(self) -> dict[str, str]:
        """All six fields ("" for an absent address2 or state), only for a complete reading."""
        if not self.complete:
            raise ValueError(f"incomplete address: missing {self.missing}, problems {self.problems}")
        return {name: self.fields.get(name, "") for name in FIELDS}


# --- the reading ----------------------------------------------------------------------------------


def read_address(text: str, partial: dict[str, str] | None = None) -> AddressReading | None:
    """The address in ``text`` (None when there is none). ``partial``: fields collected earlier in the
    conversation; then ``text`` may give only what was missing ("78701", "the zip is 78701", "邮编100022",
    "China", "it's in Canada", "state TX") and the reading merges them (new values win)."""
    masked = _mask(text)
    found = _read_latin(text, masked, loose=partial is not None)
    if found is None and CJK.search(text) and ZH_ADDRESS_CUE.search(masked):
        found = _read_chinese(text, masked, loose=partial is not None)
    if partial is None:
        return _finish(*found) if found else None
    before = {name: value.strip() for name, value in partial.items() if name in FIELDS and value and value.strip()}
    if found is None:
        found = _read_fragment(masked, before)  # masked: an order id is never a zip
        if found is None:
            return None
    fields, start, end = found
    if fields.get("address1") and before.get("address1") and _squash(fields["address1"]) != _squash(before["address1"]):
        before = {}  # a different street: a new address, nothing of the old one carries over
    return _finish({**before, **fields}, start, end)


def _squash(value: str) -> str:
    return re.sub(r"[\s,.，]+", " ", value).strip().lower()


def _mask(text: str) -> str:
    """``text`` with order ids and emails blanked (same length, so spans stay valid)."""
    blank = lambda match: " " * len(match.group())
    return EMAIL.sub(blank, ORDER_ID.sub(blank, text))


def _finish(fields: dict[str, str], start: int, end: int) -> AddressReading:
    """Checks the fields against each other: the implied country, the zip's shape, what is missing."""
    fields = {name: value.strip() for name, value in fields.items() if value and value.strip()}
    country = fields.get("country")
    if country and country not in ("USA", "China"):
        country = fields["country"] = country_of(country) or country
    state = fields.get("state")
    if state:
        fields["state"] = state = normal_state(state, country)
    if country == "China" and not state and fields.get("city", "").lower() in MUNICIPALITIES:
        fields["state"] = state = fields["city"]  # 北京、上海、天津、重庆: the city is the province
    problems: dict[str, str] = {}
    zip_code = fields.get("zip")
    if not country and state in us_states()[0] and zip_code and SHAPES["USA"][0].fullmatch(zip_code):
        fields["country"] = country = "USA"  # a USPS state code and a US zip, given in two messages
    if zip_code:
        shape, why = SHAPES.get(country or "", ANY_ZIP)
        if not shape.fullmatch(zip_code):
            problems["zip"] = why
    if country == "USA" and state and state not in us_states()[0]:
        problems["state"] = "not a US state code (like TX or CA)"
    required = ["address1", "city", "zip", "country"]
    if country in ("USA", "China"):
        required.append("state")
    missing = [name for name in ASK_ORDER if name in required and name not in fields]
    return AddressReading(fields=fields, missing=missing, problems=problems, start=start, end=end)


# --- Latin script ---------------------------------------------------------------------------------

_ABBREVIATIONS = {"st", "ave", "rd", "dr", "apt", "mt", "ft", "blvd", "ln", "ct", "no", "ste", "n", "s", "e", "w", "jr", "sr", "u.s", "u.s.a", "p.o", "d.c"}
_NOT_STREET_WORDS = {"my", "is", "address", "please", "change", "ship", "send", "deliver", "i", "im", "i'm", "it", "its", "it's", "and", "thanks",
                     "order", "want", "would", "was", "the address"}  # fmt: skip


def _stop(masked: str, start: int) -> int:
    """Where the sentence that holds the address ends: a line break, ;!? or a full stop that does not
    end an abbreviation ("St." goes on, "78701. Thanks" stops)."""
    hard = HARD_STOP.search(masked, start)
    limit = hard.start() if hard else len(masked)
    for period in re.finditer(r"\.(?=\s|$)(?!\s+\d)", masked[start:limit]):  # "Tx. 78701" goes on
        at = start + period.start()
        word = re.search(r"[\w.]*$", masked[start:at]).group().lower()
        if word not in _ABBREVIATIONS:
            return at
    return limit


def _read_latin(text: str, masked: str, loose: bool) -> tuple[dict[str, str], int, int] | None:
    numbers = [match.start() for match in HOUSE_NUMBER.finditer(masked)]
    number_last = [match.start("street") for match in NUMBER_LAST.finditer(masked)]
    for start in sorted(numbers + number_last):
        # "Unter den Linden 77, 10117 Berlin" is tried from its street, before 10117 could pass for a house number.
        found = _latin_at(text, masked, start, loose, number_last=start in number_last)
        if found:
            return _unit_before(text, masked, *found)
    return None


def _unit_before(text: str, masked: str, fields: dict[str, str], start: int, end: int) -> tuple[dict[str, str], int, int]:
    """A unit written before the street ("Apt 3, 12 Oak St, …") joins address2."""
    unit = UNIT_BEFORE.search(masked[:start])
    if unit:
        written = text[unit.start("unit"):unit.end("unit")]
        fields["address2"] = f"{written}, {fields['address2']}" if fields.get("address2") else written
        start = unit.start("unit")
    return fields, start, end


def _segments(masked: str, start: int, stop: int) -> list[tuple[int, int]]:
    """The comma-separated parts of masked[start:stop], as trimmed (start, end) spans, empty ones left out."""
    spans, at = [], start
    for comma in [*(m.start() for m in COMMA.finditer(masked, start, stop)), stop]:
        part = masked[at:comma]
        left = len(part) - len(part.lstrip())
        right = len(part.rstrip())
        if right > left:
            spans.append((at + left, at + right))
        at = comma + 1
    return spans


def _zip_in(part: str) -> tuple[int, int, int] | None:
    """A zip that ends the place words of a segment ("TX 78701", "London NW1 6XE", "zip 78701",
    "TX 78701 thanks"): (end of the words before it, zip start, zip end)."""
    for match in ZIP_TOKEN.finditer(part):
        pre = ZIP_LABEL_TAIL.sub("", part[: match.start()])
        rest = part[match.end():]
        if not _placeish(pre, before_zip=True):
            continue
        following = rest.strip(" .")
        if ZIP_TOKEN.search(rest) and not CHAT_WORDS.match(following.split()[0] if following.split() else ""):
            continue
        return len(pre.rstrip(" ,")), match.start(), match.end()
    return None


def _country_after(text: str, segments: list[tuple[int, int]], index: int, zip_end: int) -> tuple[str, int] | None:
    """A country right after a zip, in its segment ("78701 USA") or the next ("78701, USA"): (country, end)."""
    span = segments[index]
    tail = text[zip_end:span[1]]
    if tail.strip(" .,"):
        country = country_of(tail)
        return (country, span[1]) if country else None
    if index + 1 < len(segments):
        country = country_of(text[segments[index + 1][0]:segments[index + 1][1]])
        if country:
            return country, segments[index + 1][1]
    return None


def _latin_at(text: str, masked: str, start: int, loose: bool, number_last: bool = False) -> tuple[dict[str, str], int, int] | None:
    segments = _segments(masked, start, _stop(masked, start))
    get = lambda span: text[span[0]:span[1]]
    street = segments[0]
    tagged = None if number_last else _tag_street(get(street))
    if not tagged and not number_last:
        words = get(street).split()
        if len(words) > 6 or any(word.lower().strip(".,") in _NOT_STREET_WORDS for word in words):
            return None
    units: list[tuple[int, int]] = []
    places: list[tuple[int, int]] = []
    zip_span = pre_span = None
    country = None
    end = street[1]
    if tagged and tagged.get("zip_at"):  # a US form without commas: "12 Oak St Apt 4 Austin TX 78701"
        zip_span = (street[0] + tagged["zip_at"][0], street[0] + tagged["zip_at"][1])
        end = zip_span[1]
        after = _country_after(text, segments, 0, zip_span[1])
        if after:
            country, end = after
        rest = []
    else:
        rest = segments[1:]
    for index, span in enumerate(rest):
        part = get(span)
        if UNIT.match(part) and not places:
            units.append(span)
            end = span[1]
            continue
        found_country = country_of(part)
        if found_country and places and us_state_name_or_code(part):
            found_country = None  # "…, Los Angeles, CA": California after a city, not Canada; "…, Atlanta, Georgia" likewise
        next_is_zip = index + 1 < len(rest) and (_zip_in(get(rest[index + 1])) or ZIP_FIRST.match(get(rest[index + 1])))
        if found_country and not next_is_zip:  # "…, Atlanta, Georgia, 30301": Georgia the state, not the country
            country, end = found_country, span[1]
            break
        first = ZIP_FIRST.match(part)
        if first and _placeish(first["city"]):  # "75001 Paris"
            zip_span = (span[0] + first.start("zip"), span[0] + first.end("zip"))
            pre_span = (span[0] + first.start("city"), span[0] + first.end("city"))
            end = span[1]
            after = _country_after(text, rest, index, span[1])
            if after:
                country, end = after
            break
        in_part = _zip_in(part)
        if in_part:
            pre_end, zip_start, zip_end = in_part
            zip_span = (span[0] + zip_start, span[0] + zip_end)
            if pre_end:
                pre_span = (span[0], span[0] + pre_end)
            end = zip_span[1]
            after = _country_after(text, rest, index, zip_span[1])
            if after:
                country, end = after
            break
        if _placeish(part):
            places.append(span)
            end = span[1]
            continue
        break
    has_suffix = bool(tagged and tagged["suffix"]) or bool(STREET_SUFFIX.search(get(street)))
    if number_last and not (country or STREET_WORD.search(get(street))):
        return None  # "Item 3, 2024 model": not a street
    if not (zip_span or country or (has_suffix and (places or loose))):
        return None

    fields: dict[str, str] = {}
    city_from_street = tagged.get("city", "") if tagged else ""
    state_from_street = tagged.get("state", "") if tagged else ""
    pre = get(pre_span) if pre_span else ""
    places_text = [get(span) for span in places]
    city = state = ""
    extra: list[str] = []
    if pre:
        code = re.fullmatch(r"(?P<city>.+?)\s+(?P<state>[A-Za-z]{2,3})\.?", pre)
        if places and state_like(pre, country):  # "…, Austin, TX 78701", "…, Shibuya-ku, Tokyo 150-0002"
            city, state, extra = places_text[-1], pre, places_text[:-1]
        elif code and state_like(code["state"], country):  # "…, Austin TX 78701", "…, Toronto ON M5V 3L9"
            city, state, extra = code["city"], code["state"], places_text
        elif not places and state_like(pre, country) and (city_from_street or CODE.fullmatch(pre)):
            city, state = city_from_street, pre  # "12 Oak St Austin, TX 78701": the city in the street part (or none)
        else:  # "…, London NW1 6XE"
            city, extra = pre, places_text
    elif places_text:
        last = places_text[-1]
        code = re.fullmatch(r"(?P<city>.+?)\s+(?P<state>[A-Za-z]{2,3})\.?", last)
        if len(places_text) >= 2 and state_like(last, country):
            city, state, extra = places_text[-2], last, places_text[:-2]
        elif code and state_like(code["state"], country):
            city, state, extra = code["city"], code["state"], places_text[:-1]
        elif state_like(last, country) and (city_from_street or CODE.fullmatch(last)):
            city, state, extra = city_from_street, last, places_text[:-1]
        else:
            city, extra = last, places_text[:-1]
    else:
        city, state = city_from_street, state_from_street
    if tagged:
        # The city usaddress found in the street part is used only where the comma structure has none.
        cut = tagged.get("zip_at") or (city_from_street and city == city_from_street)
        fields["address1"] = tagged["address1" if cut else "address1_whole"]
        inner_unit = tagged["address2" if cut else "address2_whole"]
    else:
        unit = UNIT_IN_STREET.search(get(street))
        fields["address1"] = get(street)[: unit.start()].strip() if unit else get(street)
        inner_unit = unit["unit"].strip() if unit else ""
    unit_parts = [inner_unit] if inner_unit else []
    if units:
        unit_parts.append(text[units[0][0]:units[-1][1]])
    unit_parts.extend(extra)
    fields.update(city=city, state=state, address2=", ".join(unit_parts))
    if zip_span:
        fields["zip"] = text[zip_span[0]:zip_span[1]]
    if country:
        fields["country"] = country
    elif state and fields.get("zip") and us_state_name_or_code(state) and SHAPES["USA"][0].fullmatch(fields["zip"]):
        fields["country"] = "USA"  # a US state (its USPS code or name) and a US zip: unambiguous
    return fields, start, end


def _placeish(part: str, before_zip: bool = False) -> bool:
    """A city or state name ("Austin", "St. Louis", "Shibuya-ku", "TX", "Austin TX"), or nothing; not
    chat. A state code counts even where it spells a word: "OR 97477", "ok 74103" before a zip."""
    part = part.strip(" ,")
    if not part:
        return True
    words = part.split()
    codes = us_states()[0]

    def chat(index: int, word: str) -> bool:
        if len(word) == 2 and word.upper() in codes and (word.isupper() or (before_zip and index == len(words) - 1)):
            return False
        return bool(CHAT_WORDS.match(word)) or word.lower() in _NOT_STREET_WORDS

    return bool(PLACE.match(part)) and len(words) <= 4 and not any(chat(i, word) for i, word in enumerate(words))


_STREET_LABELS = {"AddressNumberPrefix", "AddressNumber", "AddressNumberSuffix", "StreetNamePreModifier", "StreetNamePreDirectional",
                  "StreetNamePreType", "StreetName", "StreetNamePostType", "StreetNamePostDirectional", "StreetNamePostModifier", "BuildingName"}  # fmt: skip
_UNIT_LABELS = {"OccupancyType", "OccupancyIdentifier", "SubaddressType", "SubaddressIdentifier"}
_PLACE_LABELS = ["PlaceName", "StateName", "ZipCode", "CountryName"]


def _tag_street(street: str) -> dict | None:
    """The street part as usaddress tags it, validated: the house number first, the street's labels,
    then any unit, then (in US forms written without commas) city, state and zip, in that order.
    Returns address1 and address2 (without a trailing city), address1_whole and address2_whole (with
    it), city, state, zip_at (the zip's span) and suffix (whether a street type was seen); None when
    the tags do not fit."""
    import usaddress

    parsed = usaddress.parse(street)
    if not parsed or parsed[0][1] != "AddressNumber":
        return None
    spans, at = [], 0
    for token, label in parsed:
        begin = street.find(token, at)
        if begin < 0:
            return None
        at = begin + len(token)
        spans.append((begin, at, label))
    labels = [label for _, _, label in spans]
    group = [0 if label in _STREET_LABELS else 1 if label in _UNIT_LABELS else 2 if label in _PLACE_LABELS else 3 for label in labels]
    if 3 in group or group != sorted(group) or "StreetName" not in labels:
        return None
    street_words = [street[b:e].lower().strip(".,") for b, e, label in spans if label in _STREET_LABELS][1:]
    if len(street_words) > 6 or any(word in _NOT_STREET_WORDS or word.isdigit() for word in street_words):
        return None
    unit_at = group.index(1) if 1 in group else len(group)
    place_at = group.index(2) if 2 in group else len(group)
    text = lambda a, b: street[spans[a][0]:spans[b - 1][1]].strip(" ,") if b > a else ""
    out: dict = {"address1": text(0, min(unit_at, place_at)), "address2": text(unit_at, place_at),
                 "address1_whole": text(0, len(spans)) if unit_at == len(spans) else text(0, unit_at),
                 "address2_whole": text(unit_at, len(spans)) if unit_at < len(spans) else "",
                 "suffix": "StreetNamePostType" in labels or "StreetNamePreType" in labels}  # fmt: skip
    tail = spans[place_at:]
    if not tail:
        return out
    tail_labels = [label for _, _, label in tail]
    if [_PLACE_LABELS.index(label) for label in tail_labels] != sorted(_PLACE_LABELS.index(label) for label in tail_labels):
        return None
    pick = lambda name: street[min(b for b, _, lab in tail if lab == name):max(e for _, e, lab in tail if lab == name)].strip(" ,.")
    if "ZipCode" in tail_labels:
        zip_text = pick("ZipCode")
        begin = street.find(zip_text, min(b for b, _, lab in tail if lab == "ZipCode"))
        if not ZIP_TOKEN.fullmatch(zip_text):
            return None
        out["zip_at"] = (begin, begin + len(zip_text))
    if "StateName" in tail_labels:
        state = pick("StateName")
        if not state_like(state, None):
            return None
        out["state"] = state
    if "PlaceName" in tail_labels:
        out["city"] = pick("PlaceName")
    if "zip_at" not in out and "state" not in out and "CountryName" in tail_labels:
        return None  # "12 Oak St Austin please": usaddress calls any trailing word a place or a country
    return out


# --- Chinese script -------------------------------------------------------------------------------


_SEPARATE_REGIONS = {"香港特别行政区", "澳门特别行政区", "台湾省"}


@cache
def _cpca():
    """cpca, imported on first use (with pandas and its place tables; used in its full-text mode, it
    never loads jieba's dictionary)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its pkg_resources import warns on recent setuptools
        import cpca
    return cpca


def _written_length(text: str, at: int, name: str) -> int:
    """How much of the official ``name`` the text spells at ``at`` ("深圳" for 深圳市)."""
    length = 0
    while length < len(name) and at + length < len(text) and text[at + length] == name[length]:
        length += 1
    return length


def _read_chinese(text: str, masked: str, loose: bool) -> tuple[dict[str, str], int, int] | None:
    # cut=False: cpca's full-text matching, which needs no jieba and finds "上海浦东新区…" where its jieba mode does not.
    row = _cpca().transform([masked], pos_sensitive=True, open_warning=False, cut=False).iloc[0]
    value = lambda column: row[column] if isinstance(row[column], str) else ""
    position = lambda column: int(row[column]) if row[column] == row[column] else -1  # NaN != NaN
    province, city, district = value("省"), value("市"), value("区")
    levels: dict[str, tuple[int, int]] = {}  # the names as written: level -> span
    for name, column, level in ((province, "省_pos", "province"), (city, "市_pos", "city"), (district, "区_pos", "district")):
        at = position(column)
        if name and at >= 0:
            length = _written_length(masked, at, name)
            if length >= 2:
                levels[level] = (at, at + length)
    fields: dict[str, str] = {}
    if levels:
        start = min(begin for begin, _ in levels.values())
        if "city" in levels:
            line_start = levels["city"][1]
        elif "province" in levels:
            line_start = levels["province"][1]
        else:
            line_start = levels["district"][0]  # the district stays in the street line: "朝阳区建国路88号"
        if "district" in levels and levels["district"][0] < line_start:
            line_start = max(end for _, end in levels.values())  # "朝阳北京…": names out of order; the street follows the last
        country_word = re.search(r"(?:中国|中华人民共和国)\s*$", masked[:start])
        if country_word:
            start = country_word.start()
        # 香港、澳门、台湾 are shipped to as their own destinations: the country (and city) are asked for.
        if province not in _SEPARATE_REGIONS:
            # Ambiguous (朝阳区: 北京 or 长春) or contradictory names: the city and province are asked for, not guessed.
            if value("识别状态") not in ("存在歧义", "待核验"):
                fields.update(state=province, city=city)
            fields["country"] = "China"  # cpca knows Chinese places only
    else:
        street = ZH_STREET.search(masked)
        if not street:
            return None
        line_start = street.start()
        lead = ZH_LEAD.match(masked[line_start:street.end()])
        if lead:
            line_start += lead.end()
        start = line_start
        country_word = re.search(r"(?:中国|中华人民共和国)\s*$", masked[:start])
        if country_word:
            fields["country"] = "China"
            start = country_word.start()
    found = _chinese_line(text, masked, start, line_start, fields, loose)
    if found is not None and "country" not in found[0] and (street := found[0].get("address1")):
        # Another country written before the street: "俄罗斯莫斯科特维尔大街15号".
        for n in range(min(8, len(street) - 1), 1, -1):
            if (country := country_of(street[:n])) is not None:
                found[0].update(country=country, address1=street[n:])
                break
    return found


def _chinese_line(text: str, masked: str, start: int, line_start: int, fields: dict[str, str], loose: bool) -> tuple[dict[str, str], int, int] | None:
    """The street line, unit and zip that follow the administrative names (from ``line_start``)."""
    stop = ZH_STOP.search(masked, line_start)
    line_end = stop.start() if stop else len(masked)
    raw = masked[line_start:line_end]
    line = ZH_TAIL.sub("", raw.strip()).strip()
    begin = line_start + (len(raw) - len(raw.lstrip()))
    end = begin + len(line) if line else line_start
    address2 = ""
    unit = ZH_UNIT.search(line) if line else None
    if unit and unit.start() > 0:
        address2 = text[begin + unit.start():begin + len(line)].strip()
        line = line[: unit.start()].rstrip()
    address1 = text[begin:begin + len(line)].strip()
    if address1 and ZH_STREETLIKE.search(address1):
        fields["address1"] = address1
    # A unit after a comma: "建国路88号，3单元502室".
    if stop and masked[stop.start()] in "，,":
        next_stop = ZH_STOP.search(masked, stop.end())
        raw = masked[stop.end():next_stop.start() if next_stop else len(masked)]
        piece = ZH_TAIL.sub("", raw.strip()).strip()
        if piece and ZH_UNIT.fullmatch(piece):
            piece_at = stop.end() + (len(raw) - len(raw.lstrip()))
            address2 = f"{address2} {text[piece_at:piece_at + len(piece)]}".strip()
            end = piece_at + len(piece)
    if address2:
        fields["address2"] = address2
    for zip_match in ZH_ZIP.finditer(masked, line_start):
        # A labelled zip (邮编100022) anywhere after the street; a bare 6-digit number only right after
        # the address or at the very end ("…88号 100022"), not an unrelated number further on.
        bare = not zip_match["zip"]
        if bare and not (re.fullmatch(r"[\s,，;；:：]*", masked[end:zip_match.start()])
                         or ZH_END.fullmatch(masked[zip_match.end():])):
            continue
        group = "bare" if bare else "zip"
        fields["zip"] = text[zip_match.start(group):zip_match.end(group)]
        end = max(end, zip_match.end(group))
        break
    if not loose and "address1" not in fields and not (fields.get("city") and fields.get("zip")):
        return None
    if not any(fields.get(name) for name in ("address1", "address2", "city", "state", "zip")):
        return None
    return fields, start, end


# --- partial answers ------------------------------------------------------------------------------


def _read_fragment(text: str, before: dict[str, str]) -> tuple[dict[str, str], int, int] | None:
    """One or two fields given on their own, while an address is being collected."""
    stripped = text.strip()
    offset = text.find(stripped)
    lead = FRAGMENT_LEAD.match(stripped)
    if lead:
        offset += lead.end()
        stripped = stripped[lead.end():]
    body = POLITE_TAIL.sub("", stripped).strip(" .,。，!！")
    body = re.sub(r"[。，,.!！]?\s*(?:谢谢|谢了|麻烦了)$", "", body).strip()
    if not body:
        return None
    span = lambda value: (text.find(value, offset), text.find(value, offset) + len(value))
    labelled_zip = FRAGMENT_ZIP.match(body)
    if labelled_zip:
        value = labelled_zip["zip"]
        return {"zip": value}, *span(value)
    if ZIP_TOKEN.fullmatch(body):
        return {"zip": body}, *span(body)
    city_state = FRAGMENT_CITY_STATE.match(body)
    if city_state and state_like(city_state["state"], before.get("country")):
        fields = {"city": city_state["city"], "state": city_state["state"]}
        if city_state["zip"]:
            fields["zip"] = city_state["zip"]
        return fields, *span(body)
    labelled = FRAGMENT_LABELLED.match(body)
    if labelled:
        label, value = labelled["label"].lower(), labelled["value"].strip()
        if label in ("country", "国家"):
            country = country_of(value)
            return ({"country": country}, *span(value)) if country else None
        if label in ("state", "province", "省", "省份"):
            return {"state": value}, *span(value)
        return {"city": value}, *span(value)
    if UNIT.match(body) or ZH_UNIT.fullmatch(body):
        return {"address2": body}, *span(body)
    words = FRAGMENT_IN.match(body)  # "it's in Canada", "在中国"
    for value in (body, words["value"], re.sub(r"^(?:在|是|寄到|寄往|发到|送到)", "", body)):
        country = country_of(value) if value else None
        if country:
            return {"country": country}, *span(value)
    if re.fullmatch(r"[A-Za-z]{2}", body) and body.upper() in us_states()[0] and (body.isupper() or before.get("country") == "USA"):
        return {"state": body}, *span(body)
    if before.get("country") in (None, "USA") and body.lower() in us_states()[1]:
        return {"state": body}, *span(body)
    return None
