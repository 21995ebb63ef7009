"""`kefu serve`: the API, the chat page and the console, with the local model server when configured."""

from __future__ import annotations

import logging
import threading
import time
from typing import Annotated

import typer

from serving.cli.common import app, err, fail, index_errors, out, settings_or_exit


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (KEFU_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (KEFU_PORT).")] = None,
    no_ui: Annotated[bool, typer.Option("--no-ui", help="Serve the API only, without the Gradio page.")] = False,
) -> None:
    """Start the API and the Gradio chat; with KEFU_LLM_PROVIDER=vllm, start the model server in the background."""
    import uvicorn

    from serving.api import CONSOLE_PATH, UI_PATH, create_app
    from serving.llm.providers import ConfigurationError
    from serving.runtime import build_runtime

    settings = settings_or_exit()
    host, port = host or settings.host, port or settings.port
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for chatty in ("alembic", "httpx", "sentence_transformers"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    try:
        with index_errors():
            runtime = build_runtime(settings)
    except ConfigurationError as exc:
        raise fail(str(exc)) from None
    base = f"http://{host}:{port}"
    out.print(f"[bold]kefu[/bold] API      {base}/v1/chat   (docs {base}/docs, readiness {base}/readyz)")
    if not no_ui:
        out.print(f"[bold]kefu[/bold] chat UI  {base}{UI_PATH}/")
        out.print(f"[bold]kefu[/bold] console  {base}{CONSOLE_PATH}/   (operator console)")
    out.print(f"[bold]kefu[/bold] model    {runtime.model.status()}")
    if runtime.model.supervisor is not None:
        _report_warmup(runtime.model.supervisor)
    try:
        if runtime.warmup is not None:
            runtime.warmup.start()  # /readyz says "warming" (503) until the sentences are embedded
        uvicorn.run(create_app(runtime, mount_ui=not no_ui), host=host, port=port, log_level="info")
    finally:
        runtime.close()


def _report_warmup(supervisor, every_s: float = 15.0) -> None:
    """Print the model's warm-up progress until it is ready or has failed."""
    from serving.llm.vllm_server import ModelState

    def watch() -> None:
        while supervisor.state is ModelState.STARTING:
            err.print(f"model warming up: {supervisor.elapsed_s():.0f} s (answers are degraded until ready)")
            time.sleep(every_s)
        if supervisor.state is ModelState.READY:
            err.print(f"[green]model ready[/green] after {supervisor.ready_after_s} s: answers now come from the model")
        else:
            err.print(f"[yellow]model {supervisor.state.value}[/yellow]: {supervisor.detail} (answers stay degraded)")

    threading.Thread(target=watch, name="kefu-warmup-report", daemon=True).start()
