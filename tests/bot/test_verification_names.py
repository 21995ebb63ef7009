"""Every buyer can verify in the chat, by name and zip and by email, in English and in Chinese
sentences: typo repair never touches a name ("Huang" is not "human"), an email or a zip (issue 23).

One test goes through all of them: the 500 buyers of τ²'s shop (where ../shared has it) and the 60
of kefu's generated demo shop, each with four sentences, understood by the understanding step and
checked against the shop's own lookup tools.
"""

from __future__ import annotations

import json

import pytest

from bot.nlu.rules import Context, understand
from bot.nlu.vocabulary import Vocabulary, vocabulary_for
from bot.tools.session import ToolSession
from knowledge.orders.db import dispose_engine, session
from knowledge.orders.demo import generate_demo_shop
from knowledge.orders.importer import RetailDB, import_retail
from tests.conftest import TAU2_DB

# Four ways of saying it per language, rotated over the buyers so each form meets many names.
BY_NAME = {
    "en": ["I'm {first} {last}, zip {zip}", "Hi, my name is {first} {last} and my zip code is {zip}", "This is {first} {last}, {zip}",
           "{first} {last} {zip}"],
    "zh": ["我叫{first} {last}，邮编{zip}", "你好，我是 {first} {last}，邮编是 {zip}", "那我报名字吧：{first} {last}，邮编 {zip}", "姓名：{first} {last}，邮编：{zip}"],
}  # fmt: skip
BY_EMAIL = {"en": ["my email is {email}", "It's {email}", "you can find me under {email} thanks"],
            "zh": ["我的邮箱是 {email}", "邮箱：{email}", "账户邮箱是{email}，麻烦查一下"]}  # fmt: skip


def _shops(tmp_path) -> list[tuple[str, str, dict]]:
    shops = [("demo", generate_demo_shop())]
    if TAU2_DB.exists():
        shops.append(("tau2", json.loads(TAU2_DB.read_text("utf-8"))))
    found = []
    for name, data in shops:
        url = f"sqlite:///{tmp_path / name}.db"
        with session(url) as db:
            import_retail(db, RetailDB.model_validate(data))
        found.append((name, url, data["users"]))
    return found


def test_every_buyer_verifies_by_name_and_zip_and_by_email_in_both_languages(tmp_path):
    failures, checked = [], 0
    for shop, url, users in _shops(tmp_path):
        vocabulary = vocabulary_for(url)  # the shop's own products, as in a chat
        fresh = lambda: ToolSession(db_url=url)  # noqa: E731 (a session verifies one customer: a new one per sentence)
        for n, (user_id, user) in enumerate(sorted(users.items())):
            first, last, zip_code = user["name"]["first_name"], user["name"]["last_name"], user["address"]["zip"]
            for language in ("en", "zh"):
                said = BY_NAME[language][n % 4].format(first=first, last=last, zip=zip_code)
                command = understand(said, vocabulary, Context())
                found = fresh().call("find_user_id_by_name_zip", dict(zip(("first_name", "last_name", "zip"), command.name_zip))) if command.name_zip else None
                if command.intent != "identify" or found is None or found.result != user_id:
                    failures.append((shop, said, command.intent, command.name_zip, found and (found.result or found.error)))
                said = BY_EMAIL[language][n % 3].format(email=user["email"])
                command = understand(said, vocabulary, Context())
                found = fresh().call("find_user_id_by_email", {"email": command.email}) if command.email else None
                if command.intent != "identify" or found is None or found.result != user_id:
                    failures.append((shop, said, command.intent, command.email, found and (found.result or found.error)))
                checked += 2
        dispose_engine(url)
    assert checked >= 4 * 60
    assert not failures, f"{len(failures)} of {checked} failed, e.g. {failures[:5]}"


@pytest.mark.parametrize("said", ["I'm Wei Huang, zip 200123", "我是 Wei Huang，邮编 200123", "Huang Wei 200123", "my name is Hao Huang, zip 98101"])
def test_a_surname_is_never_repaired_into_a_word(said):
    command = understand(said, Vocabulary(products={}), Context())
    assert command.intent == "identify" and command.name_zip is not None and "Huang" in command.name_zip, command
