"""compose.yaml, validated without Docker: interpolated from .env.example as `docker compose`
would, parsed and checked by the compose_spec library (the Compose specification in Rust),
then held to what the deployment promises (docs/deploy.md)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml
from compose_spec import PyCompose
from typer.testing import CliRunner

from kefu.settings import Settings
from serving.cli import app as cli

REPO = Path(__file__).resolve().parents[2]
VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)(?:(:-|:\?)([^}]*))?\}")


def example_env() -> dict[str, str]:
    lines = (REPO / ".env.example").read_text("utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error}; an unset required one fails as it does."""

    def value(match: re.Match) -> str:
        name, operator, argument = match.groups()
        if env.get(name):
            return env[name]
        if operator == ":?":
            raise KeyError(f"{name}: {argument}")
        return argument or ""

    return VARIABLE.sub(value, text)


@pytest.fixture(scope="module")
def compose() -> dict:
    text = interpolate((REPO / "compose.yaml").read_text("utf-8"), example_env())
    parsed = PyCompose.from_json(json.dumps(yaml.safe_load(text)))  # safe_load resolves the YAML merge keys (<<)
    parsed.validate()  # every volume, network, config and secret a service uses is defined
    parsed.to_spec()  # and the whole file holds to the specification's schema
    return parsed.to_dict()


def test_compose_needs_its_secrets_from_the_env_file():
    env = example_env()
    for required in ("KEFU_SECRET_KEY", "POSTGRES_PASSWORD"):
        with pytest.raises(KeyError, match=required):
            interpolate((REPO / "compose.yaml").read_text("utf-8"), {**env, required: ""})
    assert len(env["KEFU_SECRET_KEY"]) >= 32  # the example's placeholder is long enough for HS256


def test_the_services_of_a_production_deployment(compose):
    services = compose["services"]
    assert {"vllm", "postgres", "chroma", "redis", "init", "app", "proxy"} <= services.keys()

    vllm = services["vllm"]
    flags = " ".join(vllm["command"])
    assert "--enable-prefix-caching" in flags and "--enable-auto-tool-choice" in flags and "--tool-call-parser=hermes" in flags
    assert vllm["deploy"]["resources"]["reservations"]["devices"][0]["capabilities"] == ["gpu"]
    assert vllm["environment"]["HF_HUB_OFFLINE"] == "1" and all(v.endswith(":ro") for v in vllm["volumes"])

    app = services["app"]
    assert app["deploy"]["replicas"] == 2 and "ports" not in app  # replicas share the proxy's one port
    assert "healthz" in " ".join(app["healthcheck"]["test"])
    assert app["depends_on"]["init"]["condition"] == "service_completed_successfully"
    assert ".env" in app["env_file"] and ".env" in services["init"]["env_file"]
    assert services["init"]["restart"] == "no"
    assert services["proxy"]["ports"] == ["8000:8000"] or services["proxy"]["ports"][0].get("published") in ("8000", 8000)
    assert services["proxy"]["depends_on"]["app"]["condition"] == "service_healthy"
    assert "dynamic a app 8000" in compose["configs"]["caddyfile"]["content"]


def test_every_kefu_variable_in_the_deployment_is_a_setting(compose):
    """A misspelt KEFU_* name would be silently ignored by the app: each must be a real setting."""
    known = {f"KEFU_{name.upper()}" for name in Settings.model_fields}
    used = set(example_env()) | {name for service in compose["services"].values() for name in service.get("environment", {})}
    unknown = {name for name in used if name.startswith("KEFU_")} - known
    assert not unknown, unknown
    app_env = compose["services"]["app"]["environment"]
    assert app_env["KEFU_DATABASE_URL"].startswith("postgresql+psycopg://") and app_env["KEFU_CHROMA_URL"] == "http://chroma:8000"
    assert app_env["KEFU_REDIS_URL"].startswith("redis://") and app_env["KEFU_LLM_PROVIDER"] == "openai"


def test_the_init_service_runs_commands_that_exist(compose):
    script = compose["services"]["init"]["command"][-1]
    commands = [shlex.split(part.strip())[1:] for part in re.findall(r"kefu [^;\n&|]+", script)]
    assert [c[:2] for c in commands][:1] == [["db", "upgrade"]] and any(c[:2] == ["ingest", "--orders"] for c in commands)
    runner = CliRunner()
    for words in commands:
        subcommand = [w for w in words if not w.startswith("-") and not w.startswith("/")][:2]
        result = runner.invoke(cli, [*subcommand, "--help"])
        assert result.exit_code == 0, (words, result.output)
        for option in (w for w in words if w.startswith("--")):
            assert option in result.output, (words, option)
