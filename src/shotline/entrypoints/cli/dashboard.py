"""`shotline dashboard`: the eight questions, answered now."""

from __future__ import annotations

import json

import typer

from shotline.entrypoints.cli.context import console, now, state
from shotline.services.dashboard import dashboard as build_dashboard


def dashboard(
    ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON")
) -> None:
    """What is in production, waiting for review, blocked, at risk of missing SLA, failing
    QC; which categories rework most; which teams and AI workflows do best."""
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        data = build_dashboard(uow, actor, now())
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    review = ", ".join(f"{g} {n}" for g, n in data["waiting_for_review"].items()) or "none"
    qc = data["failed_qc"]
    rework = ", ".join(f"{c} {n}" for c, n in list(qc["by_category"].items())[:5]) or "none"
    teams = ", ".join(f"{t['team']} {t['pass_rate']:.0%}" for t in data["teams"]) or "none"
    flows = (
        ", ".join(
            f"{f['workflow']} {f['rejection_rate']:.0%} rejected" for f in data["ai_workflows"]
        )
        or "none"
    )
    lines = [
        f"in production: {data['in_production']['total']}",
        f"waiting for review: {review}",
        f"blocked or on hold: {data['blocked']}",
        f"SLA: {data['sla']['overdue']} overdue, {data['sla']['at_risk']} at risk",
        f"failed QC (last {data['window_days']} days): {qc['failed_decisions']} gate failures, "
        f"{qc['versions_failing_checks']} versions failing automated checks",
        f"most rework by category: {rework}",
        f"teams and vendors by pass rate: {teams}",
        f"AI workflows: {flows}",
    ]
    for line in lines:
        console.print(line, highlight=False)
