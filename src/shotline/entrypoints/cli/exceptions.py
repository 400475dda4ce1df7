"""`shotline exceptions ...`: ask for, decide, list and review departures from the process."""

from __future__ import annotations

import typer
from rich.table import Table

from shotline.entrypoints.cli.context import ShotlineGroup, console, now, state
from shotline.services import exceptions
from shotline.services.assets import AssetKey, find_asset

app = typer.Typer(cls=ShotlineGroup, help="Exceptions: recorded, authorised departures.")


@app.command("request")
def request(
    ctx: typer.Context,
    kind: str = typer.Argument(..., help="skip_intake, bypass_gate, override_check, ..."),
    sku: str = typer.Argument(...),
    colorway: str = typer.Argument(...),
    view: str = typer.Argument(...),
    reason: str = typer.Option(..., "--reason"),
    days: int | None = typer.Option(None, "--days", help="How long it may be used"),
) -> None:
    """Ask for an exception for one asset, with a reason."""
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        asset_id = find_asset(uow, actor, AssetKey(sku, colorway, view)).id
    with cli.app().uow() as uow:
        exception_id = exceptions.request_exception(
            uow, actor, kind, reason, [asset_id], now(), days
        )
    console.print(f"exception {exception_id} requested ({kind})")


@app.command("decide")
def decide(
    ctx: typer.Context,
    exception_id: int = typer.Argument(...),
    grant: bool = typer.Option(..., "--grant/--refuse"),
    note: str = typer.Option("", "--note"),
) -> None:
    """Grant or refuse a requested exception."""
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        status = exceptions.decide_exception(uow, actor, exception_id, grant, note, now())
    console.print(f"exception {exception_id} {status}")


@app.command("list")
def list_(ctx: typer.Context, status: str | None = typer.Option(None, "--status")) -> None:
    """Exceptions of the workspace, newest first."""
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        rows = exceptions.list_exceptions(uow, actor, status)
    table = Table("id", "kind", "status", "by", "at", "until", "reason")
    for r in rows:
        table.add_row(
            str(r.id),
            r.kind,
            r.status,
            r.requested_by,
            r.requested_at.strftime("%Y-%m-%d"),
            r.valid_until.strftime("%Y-%m-%d"),
            r.reason,
        )
    console.print(table)


@app.command("report")
def report(
    ctx: typer.Context,
    month: str | None = typer.Option(None, "--month", help="YYYY-MM (default: all time)"),
) -> None:
    """Exceptions by kind and by who asked; recurring kinds are flagged for the monthly
    review: formalise them into the process, or stop allowing them."""
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        result = exceptions.exceptions_report(uow, actor, month)
    title = f"Exceptions {result.month or 'all time'}"
    table = Table("kind", "requested", "granted", "refused", "total", "recurring", title=title)
    for kind, counts in result.by_kind.items():
        flag = "[yellow]RECURRING[/yellow]" if kind in result.recurring else ""
        table.add_row(
            kind,
            str(counts.get("requested", 0)),
            str(counts.get("granted", 0)),
            str(counts.get("refused", 0)),
            str(sum(counts.values())),
            flag,
        )
    console.print(table)
    people = Table("asked by", "exceptions")
    for who, count in result.by_requester.items():
        people.add_row(who, str(count))
    console.print(people)
    if result.recurring:
        console.print(
            f"{len(result.recurring)} kind(s) recurred {result.threshold}+ times: "
            "formalise them into the process or stop allowing them."
        )
