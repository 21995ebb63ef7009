"""Extractive answers (issue 23): the sentences of the retrieved sections that answer, each cited,
labelled as quoted; in the reply's language where the knowledge base has it, and saying so when
only the other language has it. Lexical evidence alone here (no encoder): the kind of sentence
asked for and the question's words decide."""

from __future__ import annotations

from bot.prompts import QUOTED, QUOTED_ACROSS, quoted_answer
from retrieval.index import Hit
from retrieval.sentences import SentenceSelector

REFUND = Hit(source="en/cancellation.md", chunk_id="c-refund", section="Order Cancellation > Refund after cancellation", score=0.9, language="en",
             text="When a pending order is cancelled, the full amount is refunded to the original payment method. "
                  "If you paid with a gift card, the refund is returned to the gift card immediately. "
                  "Refunds to a credit or debit card or PayPal take 5-7 business days.")  # fmt: skip
WINDOW = Hit(source="en/returns-refunds.md", chunk_id="c-window", section="Returns and Refunds > Return window and eligibility", score=0.8,
             language="en", text="Only delivered orders can be returned. You can request a return within 30 days of the delivery date. "
                                 "Items must be unused and in their original packaging.")  # fmt: skip
SHIPPING = Hit(source="en/returns-refunds.md", chunk_id="c-cost", section="Returns and Refunds > Return shipping costs", score=0.95, language="en",
               text="Return shipping is free when the item is defective. For change-of-mind returns, a fee of $6.99 per order is deducted.")
ZH_WINDOW = Hit(source="zh/returns-refunds.md", chunk_id="c-zh", section="退货与退款 > 退货期限与条件", score=0.7, language="zh",
                text="只有“已送达”的订单才能退货。您可以在签收日期起 30 天内申请退货。")

selector = SentenceSelector(vectors=None)


def test_how_long_is_answered_with_the_duration():
    chosen = selector.run("How long does a refund to my credit card take after a cancellation?", [REFUND, WINDOW], "en")
    assert "Refunds to a credit or debit card or PayPal take 5-7 business days." in [q.text for q in chosen["quotes"]]
    assert max(chosen["quotes"], key=lambda q: q.score).text.startswith("Refunds to a credit")
    assert chosen["cross_lingual"] is False


def test_a_bare_topic_is_answered_with_the_rule_that_sets_its_scope():
    chosen = selector.run("What is the return policy?", [SHIPPING, WINDOW], "en")
    assert "within 30 days" in chosen["quotes"][0].text and chosen["quotes"][0].hit is WINDOW


CONDITION = Hit(source="en/returns-refunds.md", chunk_id="c-cond", section="Returns and Refunds > Inspection", score=0.8, language="en",
                text="Returned items are inspected within 3 business days. Items must be unused and in their original packaging. "
                     "The label is emailed to you.")  # fmt: skip


def test_can_i_is_answered_with_what_is_allowed():
    chosen = selector.run("Can I return an item I have used?", [CONDITION], "en")
    best = max(chosen["quotes"], key=lambda q: q.score)
    assert best.text == "Items must be unused and in their original packaging." and best.evidence["fits"] == 1.0


def test_the_answer_cites_each_sentence_and_says_it_is_quoted():
    chosen = selector.run("How long does a refund to my credit card take after a cancellation?", [REFUND], "en")
    text, cited, quotes = quoted_answer(chosen["quotes"], "en")
    assert text.endswith(QUOTED["en"]) and "5-7 business days. [1]" in text
    assert [h.chunk_id for h in cited] == ["c-refund"] and "5-7 business days" in quotes["c-refund"]


def test_only_the_other_language_has_it_and_the_answer_says_so():
    chosen = selector.run("How many days do I have to return something?", [ZH_WINDOW], "en")
    assert chosen["cross_lingual"] is True and "30 天" in chosen["quotes"][0].text
    text, _, _ = quoted_answer(chosen["quotes"], "en", chosen["cross_lingual"])
    assert text.endswith(QUOTED_ACROSS["en"]) and "only in Chinese" in text


def test_the_reply_language_is_preferred_when_both_are_there():
    chosen = selector.run("退货期限是多久？", [WINDOW, ZH_WINDOW], "zh")
    assert chosen["cross_lingual"] is False and all(q.hit is ZH_WINDOW for q in chosen["quotes"])
    text, _, _ = quoted_answer(chosen["quotes"], "zh")
    assert "30 天内申请退货。[1]" in text and text.endswith(QUOTED["zh"])


class CountingEncoder:
    """A stand-in sentence encoder that counts the texts it is asked to embed."""

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def embed_documents(self, texts):
        self.embedded += texts
        return [[float(len(t)), 1.0, float(sum(map(ord, t)) % 7)] for t in texts]

    def embed_query(self, text):
        return [float(len(text)), 1.0, 0.0]


def test_warm_up_embeds_every_sentence_once_and_turns_then_embed_none():
    from retrieval.sentences import SentenceVectors

    encoder = CountingEncoder()
    warmed = SentenceSelector(SentenceVectors(encoder))
    assert warmed.warm([REFUND, WINDOW, SHIPPING, ZH_WINDOW, REFUND]) == 10  # 3 + 3 + 2 + 2 sentences, REFUND once
    assert len(encoder.embedded) == 10 and "Order Cancellation > Refund after cancellation" not in encoder.embedded[0]
    assert encoder.embedded[0].startswith("Refund after cancellation: When a pending order")  # as a turn embeds it: heading, sentence
    before = len(encoder.embedded)
    chosen = warmed.run("How long does a refund to my credit card take after a cancellation?", [REFUND, WINDOW], "en")
    assert chosen["quotes"] and len(encoder.embedded) == before  # every vector came from the warm-up
    cold = SentenceSelector(SentenceVectors(CountingEncoder()))
    cold.run("How long does a refund to my credit card take after a cancellation?", [REFUND, WINDOW], "en")
    assert len(cold.vectors.encoder.embedded) == 6  # without it, the turn embeds them


def test_warm_up_stops_when_asked_and_is_bounded_by_the_cache():
    from retrieval.sentences import SentenceVectors

    encoder = CountingEncoder()
    assert SentenceSelector(SentenceVectors(encoder)).warm([REFUND, WINDOW], batch=2, should_stop=lambda: len(encoder.embedded) >= 2) == 2
    small = CountingEncoder()
    assert SentenceSelector(SentenceVectors(small, capacity=4)).warm([REFUND, WINDOW, SHIPPING]) == 4 and len(small.embedded) == 4
