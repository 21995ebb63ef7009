"""Chat models by provider. The bot only ever sees LangChain's chat-model interface."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel

from kefu.settings import LLMProvider, Settings
from serving.llm.check import CapabilityMonitor
from serving.llm.vllm_server import ModelState, VLLMServer, VLLMSupervisor

DEMO_SERVED_NAME = "smollm2-135m-instruct"


class ConfigurationError(ValueError):
    """Settings that cannot work together; the message says which variable to set."""


@dataclass
class ModelRuntime:
    """The configured chat model and what the app reports about it in /readyz."""

    provider: LLMProvider
    chat_model: BaseChatModel | None
    name: str | None
    supervisor: VLLMSupervisor | None = None
    capability: CapabilityMonitor | None = None  # the grounded-answer check, run whenever the model comes up

    def drafts(self, language: str) -> bool | None:
        """Whether the model may draft policy answers in ``language``: True (passed its capability
        check), False (failed it: not waited for), None (not known yet: tried as before)."""
        if self.chat_model is None:
            return False
        return self.capability.drafts(language) if self.capability is not None else None

    def answers(self) -> str:
        """model (it drafts, or is being checked), quoted (up, but failed its capability check in
        every language: quotes at once), degraded (down or absent)."""
        if not self.ready():
            return "degraded"
        return "quoted" if all(self.drafts(lang) is False for lang in ("en", "zh")) else "model"

    def ready(self) -> bool:
        if self.chat_model is None:
            return False
        return self.supervisor.ready() if self.supervisor else True

    def status(self) -> dict[str, Any]:
        if self.supervisor is not None:
            found = self.supervisor.status()
        else:
            state = ModelState.NOT_CONFIGURED if self.chat_model is None else ModelState.READY
            found = {"provider": self.provider.value, "state": state.value, "model": self.name}
        if self.capability is not None:
            found["capability"] = self.capability.status()
        return found

    def stop(self) -> None:
        if self.capability is not None:
            self.capability.stop()
        if self.supervisor is not None:
            self.supervisor.stop()


def openai_chat(base_url: str, model: str, settings: Settings) -> BaseChatModel:
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=base_url,
        model=model,
        api_key=settings.llm_api_key,
        timeout=settings.llm_timeout_s,
        max_retries=0,  # the assistant degrades instead of retrying a down server
        max_tokens=settings.llm_max_tokens,
        temperature=settings.llm_temperature,
        # The demo model repeats itself without a penalty; vLLM accepts it as an extra parameter.
        extra_body={"repetition_penalty": 1.15},
    )


def vllm_server(settings: Settings) -> VLLMServer:
    return VLLMServer(
        venv=settings.vllm_venv,
        model_dir=settings.demo_model_dir,
        port=settings.vllm_port,
        served_model_name=settings.llm_model or DEMO_SERVED_NAME,
        max_model_len=settings.vllm_max_model_len,
        log_path=settings.home / "logs" / "vllm.log",
        cache_dir=settings.home / "vllm-cache",
    )


def build_model_runtime(settings: Settings, start_vllm: bool | None = None) -> ModelRuntime:
    """The chat model for ``settings``. With provider vllm this may start the server (in the background)."""
    provider = settings.llm_provider
    if provider is LLMProvider.NONE:
        return ModelRuntime(provider, None, None)
    if provider is LLMProvider.OPENAI:
        if not settings.llm_base_url or not settings.llm_model:
            raise ConfigurationError("KEFU_LLM_PROVIDER=openai needs KEFU_LLM_BASE_URL and KEFU_LLM_MODEL")
        return _checked(ModelRuntime(provider, openai_chat(settings.llm_base_url, settings.llm_model, settings), settings.llm_model), settings)
    if provider is LLMProvider.LOCAL:
        from serving.llm.local_model import LocalTransformersChat

        model_dir = settings.demo_model_dir
        if not (model_dir / "config.json").exists():
            raise ConfigurationError(f"no model in {model_dir}: run `kefu llm convert` or set KEFU_LLM_MODEL_DIR")
        chat = LocalTransformersChat(
            model_dir=str(model_dir), max_new_tokens=settings.llm_max_tokens, temperature=settings.llm_temperature
        )
        return _checked(ModelRuntime(provider, chat, model_dir.name), settings)

    server = vllm_server(settings)
    supervisor = VLLMSupervisor(server)
    if settings.vllm_autostart if start_vllm is None else start_vllm:
        supervisor.start()
    return _checked(ModelRuntime(provider, openai_chat(server.base_url, server.served_model_name, settings), server.served_model_name, supervisor), settings)


def _checked(runtime: ModelRuntime, settings: Settings) -> ModelRuntime:
    """The model with its capability check watching it come up (serving.llm.check)."""
    runtime.capability = CapabilityMonitor(runtime.chat_model, runtime.ready, timeout_s=settings.llm_timeout_s,
                                           enabled=settings.llm_capability_check).start()  # fmt: skip
    return runtime
