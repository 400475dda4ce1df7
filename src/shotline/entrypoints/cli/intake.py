"""`shotline intake ...`: validate and import request spreadsheets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from shotline.adapters.db import migrate
from shotline.adapters.intake_files import read_intake_file, write_rejected_csv
from shotline.domain.intake.model import IntakeResult, IntakeTable
from shotline.entrypoints.cli.context import (
    ShotlineGroup,
    console,
    now,
    read_policy_file,
    stage,
    state,
)
from shotline.services import intake as intake_service
from shotline.services import policies

app = typer.Typer(cls=ShotlineGroup, help="Validate and import intake spreadsheets (CSV, XLSX).")


def result_document(result: IntakeResult) -> dict[str, Any]:
    """The JSON contract of `intake validate --json`."""
    return {
        "rows": result.rows,
        "accepted": [
            {
                "row": line.row,
                "sku": line.sku,
                "colorways": line.colorways,
                "assets": len(line.colorways) * len(line.views),
                "track": line.track,
                "complexity": line.complexity,
                "due": line.due.isoformat(),
                "warnings": line.warnings,
            }
            for line in result.accepted
        ],
        "rejected": [
            {
                "row": line.row,
                "sku": line.sku,
                "errors": [{"field": e.field, "message": e.message} for e in line.errors],
            }
            for line in result.rejected
        ],
    }


def _validate(ctx: typer.Context, table: IntakeTable, policy_file: Path | None) -> IntakeResult:
    cli = state(ctx)
    if policy_file is not None:
        text = read_policy_file(policy_file)
        return intake_service.validate_without_workspace(
            policies.check_policy(text, str(policy_file)), table, now()
        )
    if not cli.database_exists():
        default = policies.check_policy(policies.default_policy_text(), "default policy")
        return intake_service.validate_without_workspace(default, table, now())
    app_ = cli.app(require_schema=False)
    if not migrate.is_current(app_.engine):
        default = policies.check_policy(policies.default_policy_text(), "default policy")
        return intake_service.validate_without_workspace(default, table, now())
    actor = cli.actor()
    with app_.uow() as uow:
        return intake_service.validate_with_workspace(uow, actor.workspace_id, table, now())


def _print_result(result: IntakeResult) -> None:
    console.print(
        f"{result.rows} row(s): [green]{len(result.accepted)} accepted[/green] "
        f"({result.asset_count} assets), [red]{len(result.rejected)} rejected[/red]"
    )
    for note in result.notes:
        console.print(f"[yellow]note:[/yellow] {note}", highlight=False)
    if result.rejected:
        table = Table("row", "sku", "field", "problem", title="Rejected rows")
        for line in result.rejected:
            for error in line.errors:
                table.add_row(str(line.row), line.sku, error.field, error.message)
        console.print(table)
    warned = [line for line in result.accepted if line.warnings]
    if warned:
        table = Table("row", "sku", "warning", title="Accepted with warnings")
        for accepted in warned:
            for warning in accepted.warnings:
                table.add_row(str(accepted.row), accepted.sku, warning)
        console.print(table)


def _export_errors(path: Path, table: IntakeTable, result: IntakeResult) -> None:
    by_row = {raw.row: raw for raw in table.rows}
    headers = ["shotline_row", "shotline_errors", *table.headers]
    rows = []
    for line in result.rejected:
        cells = {h: "" if v is None else str(v) for h, v in by_row[line.row].cells.items()}
        problems = "; ".join(f"{e.field}: {e.message}" for e in line.errors)
        rows.append({**cells, "shotline_row": str(line.row), "shotline_errors": problems})
    write_rejected_csv(path, headers, rows)


@app.command("validate")
def validate(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="CSV or XLSX intake file"),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON document instead"),
    errors_csv: Path | None = typer.Option(None, "--errors", help="Write rejected rows here"),
    policy_file: Path | None = typer.Option(None, "--policy", help="Check against this policy"),
) -> None:
    """Check a file without writing anything. Exit 0 all accepted, 1 any rejected, 2 unreadable."""
    table = read_intake_file(path)
    result = _validate(ctx, table, policy_file)
    if as_json:
        typer.echo(json.dumps(result_document(result), indent=2, ensure_ascii=False))
    else:
        _print_result(result)
    if errors_csv is not None:
        # Always written, so a stale file from an earlier run never survives a clean one.
        _export_errors(errors_csv, table, result)
    raise typer.Exit(1 if result.rejected else 0)


@app.command("import")
def import_(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="CSV or XLSX intake file"),
    errors_csv: Path | None = typer.Option(None, "--errors", help="Write rejected rows here"),
) -> None:
    """Store a request: accepted lines become assets, rejected ones wait as needs_info."""
    cli = state(ctx)
    with stage(f"reading {path.name}"):
        table = read_intake_file(path)
    actor = cli.actor()
    with stage(f"validating and storing {len(table.rows)} rows"), cli.app().uow() as uow:
        outcome = intake_service.import_intake(uow, actor, table, now())
    if not outcome.created:
        console.print(
            f"already imported as request {outcome.request_id} ({outcome.state}); nothing new "
            "was created"
        )
        return
    assert outcome.validation is not None
    _print_result(outcome.validation)
    console.print(f"stored request {outcome.request_id}: state {outcome.state}")
    if errors_csv is not None:
        _export_errors(errors_csv, table, outcome.validation)
