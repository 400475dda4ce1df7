"""`shotline requests ...` and `shotline assets ...`: what came in and what is in production."""

from __future__ import annotations

import typer
from rich.table import Table

from shotline.entrypoints.cli.context import ShotlineGroup, console, state
from shotline.services import requests as request_service

requests_app = typer.Typer(cls=ShotlineGroup, help="Intake requests and their lines.")
assets_app = typer.Typer(cls=ShotlineGroup, help="Assets: one per SKU x colorway x view.")


@requests_app.command("list")
def list_requests(ctx: typer.Context) -> None:
    """Every request of the workspace, newest first."""
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        views = request_service.list_requests(uow, actor)
    table = Table("id", "source", "state", "rows", "accepted", "rejected", "assets", "by", "at")
    for r in views:
        table.add_row(
            str(r.id),
            r.source,
            r.state,
            str(r.rows),
            str(r.accepted),
            str(r.rejected),
            str(r.assets),
            r.submitted_by,
            r.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    console.print(table)


@requests_app.command("show")
def show_request(ctx: typer.Context, request_id: int = typer.Argument(...)) -> None:
    """Every line of one request with its track, due time, errors and warnings."""
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        lines = request_service.request_lines(uow, actor, request_id)
    table = Table("row", "sku", "status", "track", "class", "due (UTC)", "errors / warnings")
    for x in lines:
        notes = [f"{e['field']}: {e['message']}" for e in x.errors] + list(x.warnings)
        due = x.due_at.strftime("%Y-%m-%d %H:%M") if x.due_at else ""
        table.add_row(
            str(x.row), x.sku, x.status, x.track or "", x.complexity or "", due, "\n".join(notes)
        )
    console.print(table)


@assets_app.command("list")
def list_assets(
    ctx: typer.Context,
    state_: str | None = typer.Option(None, "--state", help="Only assets in this state"),
    track: str | None = typer.Option(None, "--track", help="Only assets on this track"),
    sku: str | None = typer.Option(None, "--sku", help="Only this SKU"),
    limit: int = typer.Option(100, "--limit", min=1, help="Show at most this many"),
) -> None:
    """Assets ordered by due time, then priority."""
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        views, total = request_service.list_assets(uow, actor, state_, track, sku, limit)
    table = Table(
        "sku", "colorway", "view", "category", "track", "class", "priority", "state", "due (UTC)"
    )
    for a in views:
        table.add_row(
            a.sku,
            a.colorway,
            a.view,
            a.category,
            a.track,
            a.complexity,
            a.priority,
            a.state,
            a.due_at.strftime("%Y-%m-%d %H:%M"),
        )
    console.print(table)
    console.print(f"{len(views)} of {total} asset(s)")
