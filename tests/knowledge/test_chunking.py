from knowledge.documents import detect_language
from knowledge.markdown import MAX_CHUNK_CHARS, chunk_markdown

DOC = """# Returns

Intro line.

## Refund timing

Gift card refunds are immediate.

### Card refunds

Card refunds take 5-7 business days.

## Return window

30 days from delivery.
"""


def test_chunks_keep_the_heading_path():
    chunks = chunk_markdown(DOC, "returns.md")
    assert [c.section for c in chunks] == [
        "Returns",
        "Returns > Refund timing",
        "Returns > Refund timing > Card refunds",
        "Returns > Return window",
    ]
    assert chunks[2].text == "Card refunds take 5-7 business days."
    assert all(c.source == "returns.md" for c in chunks)


def test_chunk_ids_are_stable_and_change_with_the_text():
    first = chunk_markdown(DOC, "returns.md")
    again = chunk_markdown(DOC, "returns.md")
    edited = chunk_markdown(DOC.replace("30 days", "45 days"), "returns.md")
    assert [c.chunk_id for c in first] == [c.chunk_id for c in again]
    changed = [a.chunk_id != b.chunk_id for a, b in zip(first, edited)]
    assert changed == [False, False, False, True]


def test_long_chinese_sections_split_at_sentence_ends():
    sentence = "订单发货后，您可以在订单详情页查看物流单号和配送进度。"
    text = "# 配送\n\n" + sentence * 80
    chunks = chunk_markdown(text, "zh/shipping.md")
    assert len(chunks) > 1
    assert all(len(c.text) <= MAX_CHUNK_CHARS for c in chunks)
    assert all(c.text.endswith("。") for c in chunks)
    assert chunks[0].metadata["language"] == "zh"


def test_language_detection():
    assert detect_language("退货政策是什么？") == "zh"
    assert detect_language("What is the return policy?") == "en"
    assert detect_language("我的订单 #W2611340 到哪了") == "zh"
