from pathlib import Path

import pytest
from pydantic import ValidationError

from kefu.settings import LLMProvider, Settings


def test_environment_variables_configure_kefu(monkeypatch, tmp_path):
    monkeypatch.setenv("KEFU_HOME", str(tmp_path))
    monkeypatch.setenv("KEFU_LLM_PROVIDER", "OpenAI")
    monkeypatch.setenv("KEFU_LLM_BASE_URL", "http://gpu-box:8000/v1")
    monkeypatch.setenv("KEFU_LLM_MODEL", "qwen")
    settings = Settings()
    assert settings.home == tmp_path
    assert settings.llm_provider is LLMProvider.OPENAI
    assert settings.llm_base_url == "http://gpu-box:8000/v1"
    # The default database is SQLite inside KEFU_HOME.
    assert settings.resolved_database_url == f"sqlite:///{(tmp_path / 'kefu.db').resolve()}"


def test_database_url_overrides_the_default(monkeypatch):
    monkeypatch.setenv("KEFU_DATABASE_URL", "postgresql+psycopg://127.0.0.1:5432/test")
    assert Settings().resolved_database_url == "postgresql+psycopg://127.0.0.1:5432/test"


def test_unknown_provider_is_rejected_with_the_choices(monkeypatch):
    monkeypatch.setenv("KEFU_LLM_PROVIDER", "gpt5")
    with pytest.raises(ValidationError) as caught:
        Settings()
    message = str(caught.value)
    assert "gpt5" in message and "vllm" in message and "none" in message


def test_toml_file_is_read_and_environment_wins(monkeypatch, tmp_path):
    config = tmp_path / "kefu.toml"
    config.write_text('llm_provider = "local"\nport = 9100\nretrieval_k = 7\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KEFU_PORT", "9200")
    settings = Settings()
    assert settings.llm_provider is LLMProvider.LOCAL
    assert settings.retrieval_k == 7
    assert settings.port == 9200


def test_default_home_is_var(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KEFU_HOME", raising=False)
    assert Settings().home == Path("var")
