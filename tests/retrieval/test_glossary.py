"""The glossary is shop data: a CSV named by KEFU_GLOSSARY_FILE, off when unset."""

import pytest

from retrieval.glossary import DEMO_GLOSSARY, GlossaryError, load_glossary, synonyms, translate
from serving.runtime import build_retriever
from tests.conftest import make_settings


def test_the_demo_glossary_translates_and_no_glossary_translates_nothing():
    demo = load_glossary(DEMO_GLOSSARY)
    assert len(demo) > 100
    crossing = translate("退到礼品卡的钱是马上到账吗？", demo)
    assert any("gift card" in concept for concept in crossing.concepts) and crossing.source_coverage > 0.3
    assert {"退货", "退回", "邮费"} <= {word for concept in synonyms("寄回去要运费吗", demo) for word in concept}
    assert not translate("退到礼品卡的钱是马上到账吗？", ()) and synonyms("寄回去要运费吗", ()) == ()


def test_a_shops_own_file_is_read_and_bad_files_are_named(tmp_path):
    shop = tmp_path / "terms.csv"
    shop.write_text("zh,en\n花呗|分期付|白条,pay later|buy now pay later\n", encoding="utf-8")
    entries = load_glossary(shop)
    assert entries == ((("花呗", "分期付", "白条"), ("pay later", "buy now pay later")),)
    assert "pay later" in translate("可以用花呗吗", entries).text

    with pytest.raises(GlossaryError, match="no such glossary file"):
        load_glossary(tmp_path / "missing.csv")
    (tmp_path / "header.csv").write_text("chinese,english\n退货,return\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match="columns zh and en"):
        load_glossary(tmp_path / "header.csv")
    (tmp_path / "half.csv").write_text("zh,en\n退货,return\n换货,\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match="line 3"):
        load_glossary(tmp_path / "half.csv")


def test_the_setting_names_the_file_and_empty_turns_it_off(tmp_path, monkeypatch):
    shop = tmp_path / "terms.csv"
    shop.write_text("zh,en\n花呗,pay later\n", encoding="utf-8")
    assert build_retriever(make_settings(tmp_path, glossary_file=shop)).glossary == load_glossary(shop)
    assert build_retriever(make_settings(tmp_path, glossary_file=None)).glossary == ()
    monkeypatch.setenv("KEFU_GLOSSARY_FILE", "")
    from kefu.settings import Settings

    assert Settings(home=tmp_path).glossary_file is None
