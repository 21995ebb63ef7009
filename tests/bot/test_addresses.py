"""bot.nlu.addresses: a buyer's postal address read out of a chat message, each field exactly as
given or reported missing (never a guessed or shortened zip, never an assumed country)."""

from __future__ import annotations


import pytest

from bot.nlu.addresses import AddressReading, read_address
from bot.nlu.regions import country_of

AUSTIN = {"address1": "12 Oak St", "city": "Austin", "state": "TX", "zip": "78701", "country": "USA"}
SHANGHAI = {"address1": "100 Century Avenue", "address2": "Suite 5", "city": "Shanghai", "state": "SH", "zip": "200120", "country": "China"}
BEIJING = {"address1": "朝阳区建国路88号", "address2": "3单元", "city": "北京市", "state": "北京市", "zip": "100022", "country": "China"}
US_ZIP = "a US zip code has 5 digits (or 5+4, like 78701-1234)"


def without(fields: dict[str, str], *names: str) -> dict[str, str]:
    return {name: value for name, value in fields.items() if name not in names}


# (message, fields read, missing, problems)
CASES = [
    # US
    ("12 Oak St, Austin, TX 78701", AUSTIN, [], {}),
    ("445 Maple Avenue, Apt 3B, Denver, CO 80202",
     {"address1": "445 Maple Avenue", "address2": "Apt 3B", "city": "Denver", "state": "CO", "zip": "80202", "country": "USA"}, [], {}),
    ("12 Oak St Apt 4 Austin TX 78701", {**AUSTIN, "address2": "Apt 4"}, [], {}),
    ("12 Oak St #4, Austin, TX 78701", {**AUSTIN, "address2": "#4"}, [], {}),
    ("Apt 3, 12 Oak St, Austin, TX 78701", {**AUSTIN, "address2": "Apt 3"}, [], {}),
    ("12 Oak St, Austin, TX", without(AUSTIN, "zip", "country"), ["zip", "country"], {}),
    ("12 Oak St, Austin, TX, USA", without(AUSTIN, "zip"), ["zip"], {}),
    ("12 Oak St, Austin", without(AUSTIN, "state", "zip", "country"), ["zip", "country"], {}),
    ("12 Oak St, Austin, TX 78701, USA", AUSTIN, [], {}),
    ("12 Oak St, Austin, TX 78701, United States", AUSTIN, [], {}),
    ("12 Oak St, Austin, TX 78701-1234", {**AUSTIN, "zip": "78701-1234"}, [], {}),
    ("12 oak st, austin, tx 78701", {**AUSTIN, "address1": "12 oak st", "city": "austin"}, [], {}),
    ("12 Oak Street, Austin, Texas 78701", {**AUSTIN, "address1": "12 Oak Street"}, [], {}),
    ("change my address to 445 Maple Avenue Denver CO 80202",
     {"address1": "445 Maple Avenue", "city": "Denver", "state": "CO", "zip": "80202", "country": "USA"}, [], {}),
    ("please change the address of #W1234567 to 12 Oak St, Austin, TX 78701, thanks", AUSTIN, [], {}),
    ("My address: 12 Oak St, Apt 4, Austin, TX 78701 and please cancel #W7654321", {**AUSTIN, "address2": "Apt 4"}, [], {}),
    ("I have 2 questions. My address is 12 Oak St, Austin, TX 78701. Thanks!", AUSTIN, [], {}),
    ("Ship to: 1600 Pennsylvania Ave NW, Washington, DC 20500, US",
     {"address1": "1600 Pennsylvania Ave NW", "city": "Washington", "state": "DC", "zip": "20500", "country": "USA"}, [], {}),
    ("12 Oak St, Los Angeles, CA", {"address1": "12 Oak St", "city": "Los Angeles", "state": "CA"}, ["zip", "country"], {}),  # California, not Canada
    ("PO Box 123, Austin, TX 78701", {**AUSTIN, "address1": "PO Box 123"}, [], {}),
    # order ids are never a house number or a zip
    ("W1234567 12 Oak St, Austin, TX 78701", AUSTIN, [], {}),
    ("12 Oak St, Austin, TX #W1234567", without(AUSTIN, "zip", "country"), ["zip", "country"], {}),
    # zips taken whole, their shape checked against the country, never repaired
    ("12 Oak St, Austin, TX 7870, USA", {**AUSTIN, "zip": "7870"}, [], {"zip": US_ZIP}),
    ("12 Oak St, Austin, TX 78701-12, USA", {**AUSTIN, "zip": "78701-12"}, [], {"zip": US_ZIP}),
    ("12 Oak St, Austin, TX 787011", without({**AUSTIN, "zip": "787011"}, "country"), ["country"], {}),  # not a US zip: no country implied
    ("100 Century Avenue, Shanghai, 20012, China", {**without(SHANGHAI, "address2"), "state": "Shanghai", "zip": "20012"}, [],
     {"zip": "a Chinese postal code has 6 digits"}),
    ("12 Oak St, Austin, XX 78701, USA", {**AUSTIN, "state": "XX"}, [], {"state": "not a US state code (like TX or CA)"}),
    # the Shanghai address the old regex read as zip 20012 in the USA
    ("100 Century Avenue, Suite 5, Shanghai, SH 200120, China", SHANGHAI, [], {}),
    ("100 Century Avenue, Suite 5, Shanghai, SH 200120", without(SHANGHAI, "country"), ["country"], {}),
    ("把订单 #W1234567 的地址改成 100 Century Avenue, Suite 5, Shanghai, SH 200120, China", SHANGHAI, [], {}),
    ("100 Century Avenue, Shanghai 200120, China", {**without(SHANGHAI, "address2"), "state": "Shanghai"}, [], {}),  # a municipality is its own province
    # other countries
    ("221B Baker Street, London NW1 6XE, United Kingdom",
     {"address1": "221B Baker Street", "city": "London", "zip": "NW1 6XE", "country": "United Kingdom"}, [], {}),
    ("221B Baker Street, London NW1 6XE, UK", {"address1": "221B Baker Street", "city": "London", "zip": "NW1 6XE", "country": "United Kingdom"}, [], {}),
    ("350 King St W, Toronto, ON M5V 3L9, Canada",
     {"address1": "350 King St W", "city": "Toronto", "state": "ON", "zip": "M5V 3L9", "country": "Canada"}, [], {}),
    ("1-2-3 Shibuya, Shibuya-ku, Tokyo 150-0002, Japan",
     {"address1": "1-2-3 Shibuya", "city": "Shibuya-ku", "state": "Tokyo", "zip": "150-0002", "country": "Japan"}, [], {}),
    ("1-2-3 Shibuya, Tokyo 150-0002, Japan", {"address1": "1-2-3 Shibuya", "city": "Tokyo", "zip": "150-0002", "country": "Japan"}, [], {}),
    ("12 Rue de Rivoli, 75001 Paris, France", {"address1": "12 Rue de Rivoli", "city": "Paris", "zip": "75001", "country": "France"}, [], {}),
    ("10 Anson Rd, Singapore 079903", {"address1": "10 Anson Rd", "city": "Singapore", "zip": "079903"}, ["country"], {}),
    ("Unter den Linden 77, 10117 Berlin, Germany", {"address1": "Unter den Linden 77", "city": "Berlin", "zip": "10117", "country": "Germany"}, [], {}),
    ("1-1 Marunouchi, Chiyoda-ku, Tokyo 100-0001, Japan",
     {"address1": "1-1 Marunouchi", "city": "Chiyoda-ku", "state": "Tokyo", "zip": "100-0001", "country": "Japan"}, [], {}),
    ("I live at 742 Evergreen Terrace, Springfield, OR 97477, thanks!",
     {"address1": "742 Evergreen Terrace", "city": "Springfield", "state": "OR", "zip": "97477", "country": "USA"}, [], {}),
    ("5 Main St, Tbilisi, Georgia", {"address1": "5 Main St", "city": "Tbilisi", "state": "Georgia"}, ["zip", "country"], {}),  # not turned into GA
    # Chinese
    ("北京市朝阳区建国路88号3单元，邮编100022", BEIJING, [], {}),
    ("北京市朝阳区建国路88号，3单元，邮编100022", BEIJING, [], {}),
    ("北京市朝阳区建国路88号", without(BEIJING, "address2", "zip"), ["zip"], {}),
    ("中国北京市朝阳区建国路88号3单元 100022", BEIJING, [], {}),
    ("浙江省杭州市西湖区文三路100号，邮编310000",
     {"address1": "西湖区文三路100号", "city": "杭州市", "state": "浙江省", "zip": "310000", "country": "China"}, [], {}),
    ("杭州市西湖区文三路100号2栋301室",  # no province written: 杭州 is in 浙江
     {"address1": "西湖区文三路100号", "address2": "2栋301室", "city": "杭州市", "state": "浙江省", "country": "China"}, ["zip"], {}),
    ("请把地址改成上海市浦东新区世纪大道100号2号楼501室 200120",
     {"address1": "浦东新区世纪大道100号", "address2": "2号楼501室", "city": "上海市", "state": "上海市", "zip": "200120", "country": "China"}, [], {}),
    ("把订单W1234567的地址改成深圳南山科技园科苑路15号A座1201，邮编518057",
     {"address1": "南山科技园科苑路15号", "address2": "A座1201", "city": "深圳市", "state": "广东省", "zip": "518057", "country": "China"}, [], {}),
    ("朝阳区建国路88号", {"address1": "朝阳区建国路88号", "country": "China"}, ["city", "state", "zip"], {}),  # 北京 or 长春: asked, not guessed
    ("北京市朝阳区建国路88号，订单号123456有问题", without(BEIJING, "address2", "zip"), ["zip"], {}),  # a number further on is not a zip
    ("北京市朝阳区建国路88号，邮编10002", {**without(BEIJING, "address2"), "zip": "10002"}, [], {"zip": "a Chinese postal code has 6 digits"}),
]


@pytest.mark.parametrize(("text", "fields", "missing", "problems"), CASES, ids=[case[0][:60] for case in CASES])
def test_reads_the_address_exactly(text, fields, missing, problems):
    reading = read_address(text)
    assert reading is not None
    assert reading.fields == fields
    assert reading.missing == missing
    assert reading.problems == problems
    assert reading.complete is (not missing and not problems)


@pytest.mark.parametrize(
    "text",
    [
        "change my address please",
        "I am Ava Brown, zip 80280",
        "Ava Brown 80280",
        "where is my order #W1234567?",
        "cancel W1234567 and W7654321",
        "order #W1234567 zip 78701",
        "I bought 2 shirts for 30 dollars",
        "I ordered 3 items, red and blue",
        "I want 2 way adapters",
        "call me at 512 555 0100",
        "我的地址要改一下",
        "我在北京",
        "邮编100022",
        "",
    ],
)
def test_no_address(text):
    assert read_address(text) is None


@pytest.mark.parametrize(
    ("first", "second", "fields", "span"),
    [
        ("12 Oak St, Austin, TX", "78701", AUSTIN, "78701"),
        ("12 Oak St, Austin, TX", "the zip is 78701", AUSTIN, "78701"),
        ("12 Oak St, Austin, TX, USA", "zip code: 78701-1234 thanks", {**AUSTIN, "zip": "78701-1234"}, "78701-1234"),
        ("100 Century Avenue, Suite 5, Shanghai, SH 200120", "China", SHANGHAI, "China"),
        ("100 Century Avenue, Suite 5, Shanghai, SH 200120", "it's in China", SHANGHAI, "China"),
        ("100 Century Avenue, Suite 5, Shanghai, SH 200120", "中国", SHANGHAI, "中国"),
        ("221B Baker Street, London NW1 6XE", "it's in the UK",
         {"address1": "221B Baker Street", "city": "London", "zip": "NW1 6XE", "country": "United Kingdom"}, "the UK"),
        ("350 King St W, Toronto, ON M5V 3L9", "Canada",
         {"address1": "350 King St W", "city": "Toronto", "state": "ON", "zip": "M5V 3L9", "country": "Canada"}, "Canada"),
        ("北京市朝阳区建国路88号3单元", "邮编100022", BEIJING, "100022"),
        ("北京市朝阳区建国路88号3单元", "邮编是100022", BEIJING, "100022"),
        ("朝阳区建国路88号3单元，邮编100022", "北京市", BEIJING, "北京市"),
        ("12 Oak St, Austin, 78701, USA", "state TX", AUSTIN, "TX"),
        ("12 Oak St, Austin 78701, USA", "TX", AUSTIN, "TX"),
        ({"address1": "12 Oak St"}, "Austin, TX 78701", AUSTIN, "Austin, TX 78701"),
        ({**AUSTIN, "address2": ""}, "apt 4B", {**AUSTIN, "address2": "apt 4B"}, "apt 4B"),
    ],
)
def test_partial_completed_by_a_second_message(first, second, fields, span):
    if isinstance(first, str):
        earlier = read_address(first)
        assert earlier is not None and not earlier.complete
        first = earlier.fields
    reading = read_address(second, first)
    assert reading is not None
    assert reading.fields == fields
    assert reading.complete, (reading.missing, reading.problems)
    assert second[reading.start:reading.end] == span


def test_partial_zip_of_the_wrong_shape_is_a_problem():
    earlier = read_address("12 Oak St, Austin, TX, USA")
    reading = read_address("7870", earlier.fields)
    assert reading.fields == {**AUSTIN, "zip": "7870"}
    assert reading.missing == []
    assert reading.problems == {"zip": US_ZIP}
    assert not reading.complete


def test_a_new_street_starts_a_new_address():
    """New values win, and a different street does not inherit the old address's zip."""
    reading = read_address("55 Elm St, Dallas, TX", AUSTIN)
    assert reading.fields == {"address1": "55 Elm St", "city": "Dallas", "state": "TX"}
    assert reading.missing == ["zip", "country"]


def test_partial_message_without_anything_new():
    assert read_address("ok thanks", {"address1": "12 Oak St", "city": "Austin"}) is None
    assert read_address("W1234567", {"address1": "12 Oak St", "city": "Austin", "state": "TX"}) is None  # an order id, not a zip
    assert read_address("zip 78701 for #W1234567", without(AUSTIN, "zip")).fields == AUSTIN


def test_span_and_as_dict():
    text = "please change the address of #W1234567 to 12 Oak St, Apt 4, Austin, TX 78701, thanks"
    reading = read_address(text)
    assert text[reading.start:reading.end] == "12 Oak St, Apt 4, Austin, TX 78701"
    assert reading.as_dict() == {"address1": "12 Oak St", "address2": "Apt 4", "city": "Austin", "state": "TX", "zip": "78701", "country": "USA"}
    london = read_address("221B Baker Street, London NW1 6XE, United Kingdom")
    assert london.as_dict() == {"address1": "221B Baker Street", "address2": "", "city": "London", "state": "", "zip": "NW1 6XE", "country": "United Kingdom"}
    with pytest.raises(ValueError):
        read_address("12 Oak St, Austin, TX").as_dict()
    assert isinstance(reading, AddressReading)


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("USA", "USA"), ("U.S.", "USA"), ("united states", "USA"), ("America", "USA"), ("US", "USA"), ("美国", "USA"),
        ("China", "China"), ("PRC", "China"), ("中国", "China"), ("CN", "China"),
        ("UK", "United Kingdom"), ("Britain", "United Kingdom"), ("英国", "United Kingdom"), ("GBR", "United Kingdom"),
        ("加拿大", "Canada"), ("日本", "Japan"), ("韩国", "South Korea"), ("South Korea", "South Korea"), ("德国", "Germany"),
        ("the Netherlands", "Netherlands"),
        ("us", None), ("in", None), ("no", None), ("Narnia", None), ("", None),  # lower-case codes are words, not countries
    ],
)
def test_country_of(text, country):
    assert country_of(text) == country


def test_english_never_loads_the_chinese_tables(monkeypatch):
    # Speed lives in benchmarks; what is tested here is that English text never pays for cpca.
    from bot.nlu import addresses

    def no_cpca():
        raise AssertionError("cpca loaded for a message without a Chinese address")

    monkeypatch.setattr(addresses, "_cpca", no_cpca)
    messages = ["please change the address of #W1234567 to 12 Oak St, Austin, TX 78701, thanks",
                "100 Century Avenue, Suite 5, Shanghai, SH 200120, China", "I am Ava Brown, zip 80280",
                "把订单 #W1234567 的地址改成 100 Century Avenue, Suite 5, Shanghai, SH 200120, China"]  # fmt: skip
    readings = [read_address(message) for message in messages]
    assert [r.fields.get("zip") if r else None for r in readings] == ["78701", "200120", None, "200120"]
