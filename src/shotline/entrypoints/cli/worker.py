"""`shotline worker` (runs background jobs) and `shotline qc-status`, `qc-show`, `qc-retry`
(what automated QC found, and runs to try again)."""

from __future__ import annotations

import logging

import typer
from rich.table import Table

from shotline.adapters.queue import HueyJobs, run_worker
from shotline.domain.errors import ShotlineError
from shotline.entrypoints.cli.context import console, now, state
from shotline.services import qc
from shotline.services.assets import AssetKey, find_asset


def _jobs(ctx: typer.Context) -> HueyJobs:
    jobs = state(ctx).app().jobs
    if jobs is None:
        raise ShotlineError("this Shotline has no job queue configured")
    return jobs


def worker(
    ctx: typer.Context,
    workers: int = typer.Option(2, "--workers", "-n", min=1, max=64, help="Worker threads"),
    drain: bool = typer.Option(
        False, "--drain", help="Run every waiting job (and lost runs), then exit"
    ),
) -> None:
    """Run background jobs (automated QC of new versions) until interrupted. Every minute
    it also re-queues runs whose job was lost with a worker that died. The queue is SQLite in
    $SHOTLINE_HOME (queue.db), or Redis when $SHOTLINE_REDIS_URL is set; run as many
    workers as the machine has cores to spare."""
    cli = state(ctx)
    jobs = _jobs(ctx)
    where = cli.settings().redis_url or str(cli.settings().home / "queue.db")
    if drain:
        ran = jobs.run_until_idle(now)
        console.print(f"{ran} QC job(s) run from {where}; nothing left queued", highlight=False)
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    console.print(f"worker: {workers} thread(s) on {where}; Ctrl-C stops", highlight=False)
    run_worker(jobs, workers)


def qc_status(
    ctx: typer.Context,
    state_: str | None = typer.Option(
        None, "--state", help="Only runs in this state: queued, running, done, failed"
    ),
    sku: str | None = typer.Option(None, "--sku", help="Only this SKU"),
    limit: int = typer.Option(50, "--limit", min=1, help="Show at most this many"),
) -> None:
    """Automated QC runs, newest first: state, attempts, and what failed."""
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        runs = qc.list_runs(uow, actor, state_, sku, limit)
    table = Table("asset", "v", "state", "tries", "queued (UTC)", "result", "failed checks / error")
    for r in runs:
        failed = [c.check for c in r.checks if not c.passed and not c.skipped]
        result = "" if r.passed is None else ("pass" if r.passed else "fail")
        table.add_row(
            r.asset,
            str(r.version),
            r.state,
            str(r.attempts),
            r.queued_at.strftime("%Y-%m-%d %H:%M:%S"),
            result,
            ", ".join(failed) or (r.error or ""),
        )
    console.print(table)
    console.print(f"{len(runs)} run(s)")


def qc_show(
    ctx: typer.Context,
    sku: str = typer.Argument(..., help="SKU"),
    colorway: str = typer.Argument(..., help="Colorway"),
    view: str = typer.Argument(..., help="View code from the shot list"),
    version: int | None = typer.Option(None, "--version", help="Version number (default newest)"),
    gate: str = typer.Option(qc.TECHNICAL, "--gate", help="The gate whose checklist to pre-fill"),
) -> None:
    """One version's QC results, and the gate's checklist as the measurements pre-fill it."""
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        asset = find_asset(uow, actor, AssetKey(sku, colorway, view))
        found = qc.find_version(uow, actor, asset, version)
        results = qc.results_of(uow, found.id)
        items = qc.gate_prefill(uow, found.id, gate)
    table = Table("check", "result", "value", "threshold", "message")
    for c in results:
        table.add_row(
            c.check, _verdict(c), _number(c.value, c.unit), _number(c.threshold, c.unit), c.message
        )
    console.print(table if results else f"version {found.number}: no QC results yet")
    checklist = Table("item", "pre-filled", "from checks")
    for item in items:
        answer = {True: "yes", False: "no", None: "(reviewer)"}[item.answer]
        checklist.add_row(item.code, answer, ", ".join(item.checks))
    console.print(checklist)


def qc_retry(ctx: typer.Context) -> None:
    """Queue every failed QC run of the workspace again."""
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        ids = qc.retry_failed(uow, actor, now())
    console.print(f"{len(ids)} failed QC run(s) queued again")


def _verdict(c: qc.CheckView) -> str:
    if c.skipped:
        return "skipped"
    return "pass" if c.passed else "FAIL"


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    return f"{value:.4g} {unit}".strip()
