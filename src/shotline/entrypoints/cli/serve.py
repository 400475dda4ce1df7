"""`shotline serve`: the HTTP API and the web pages on one machine, with uvicorn."""

from __future__ import annotations

import typer

from shotline.config import Settings
from shotline.entrypoints.cli.context import console, state


def run_server(settings: Settings, host: str, port: int) -> None:
    """Serve the API and the pages for these settings until interrupted."""
    # Imported here so that every other command starts without loading the web stack.
    import uvicorn

    from shotline.adapters.queue import start_embedded_worker
    from shotline.entrypoints.api.app import create_app

    api = create_app(settings)
    # QC jobs run inside the server when the queue is the default SQLite one (one machine);
    # with Redis, `shotline worker` processes take them instead.
    stop_worker = start_embedded_worker(api.state.shotline.app)
    console.print(
        f"Shotline API on http://{host}:{port} (OpenAPI at /openapi.json), web pages at "
        f"http://{host}:{port}/login; Ctrl-C stops it.",
        highlight=False,
    )
    try:
        uvicorn.run(api, host=host, port=port, log_level="info")
    finally:
        stop_worker()


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on"),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on"),
) -> None:
    """Serve the web pages (log in with a password set by `shotline users set-password`)
    and the HTTP API (/api/v1, its OpenAPI document at /openapi.json) until interrupted.
    API callers send a token made with `shotline tokens create`."""
    cli = state(ctx)
    cli.app()  # refuses an uninitialised or outdated database, with the usual message
    run_server(cli.settings(), host, port)
