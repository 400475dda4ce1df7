"""`shotline serve`: the HTTP API on one machine, with uvicorn."""

from __future__ import annotations

import typer

from shotline.entrypoints.cli.context import console, state


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on"),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on"),
) -> None:
    """Serve the HTTP API (/api/v1, its OpenAPI document at /openapi.json) until interrupted.
    Callers send a token made with `shotline tokens create`."""
    # Imported here so that every other command starts without loading the web stack.
    import uvicorn

    from shotline.adapters.queue import start_embedded_worker
    from shotline.entrypoints.api.app import create_app

    cli = state(ctx)
    cli.app()  # refuses an uninitialised or outdated database, with the usual message
    api = create_app(cli.settings())
    start_embedded_worker(api.state.shotline.app)  # QC jobs, when the queue is the SQLite one
    console.print(
        f"Shotline API on http://{host}:{port} (OpenAPI at /openapi.json)", highlight=False
    )
    uvicorn.run(api, host=host, port=port, log_level="info")
