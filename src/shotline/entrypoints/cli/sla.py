"""`shotline sla ...`: at-risk and overdue assets per track, escalation, and notifications."""

from __future__ import annotations

import json
import time
from typing import Any

import typer
from rich.table import Table

from shotline.domain.access import Actor
from shotline.domain.errors import Conflict
from shotline.entrypoints.cli.context import CliState, ShotlineGroup, console, errors, now, state
from shotline.services.escalation import (
    Delivery,
    SlaItem,
    SlaReport,
    check_sla,
    deliver_notifications,
)

app = typer.Typer(cls=ShotlineGroup, help="SLA risk: escalate at-risk and overdue work.")

_LEVELS = {"overdue": "overdue", "at_risk": "at risk"}


@app.command("check")
def check(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="One JSON document per run"),
    notify: bool = typer.Option(True, "--notify/--no-notify", help="Deliver due notifications"),
    every: float | None = typer.Option(
        None, "--every", min=0, help="Run again every SECONDS (a periodic job)"
    ),
    times: int | None = typer.Option(
        None, "--times", min=1, help="Stop after N runs (default: 1, or forever with --every)"
    ),
) -> None:
    """List at-risk and overdue assets per track, escalate each once per state to its
    track's escalation owner, then deliver the notifications that are due."""
    cli = state(ctx)
    actor = cli.actor()
    runs = times if times is not None else (None if every is not None else 1)
    done = 0
    while runs is None or done < runs:
        if done:
            time.sleep(every or 0)
        done += 1
        try:
            _check_once(cli, actor, as_json, notify)
        except Conflict as exc:
            # A periodic job outlives a clash with a concurrent check: the next run retries.
            if runs == 1:
                raise
            errors.print(f"[red]error:[/red] {exc}", highlight=False)


@app.command("notify")
def notify_(ctx: typer.Context) -> None:
    """Deliver the notifications that are due (new ones, and retries whose time has come)."""
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        delivery = deliver_notifications(uow, now(), actor=actor)
    console.print(_delivery_line(delivery))


def _check_once(cli: CliState, actor: Actor, as_json: bool, notify: bool) -> None:
    with cli.app().uow() as uow:
        report = check_sla(uow, actor, now())
    delivery = None
    if notify:
        with cli.app().uow() as uow:
            delivery = deliver_notifications(uow, now(), actor=actor)
    if as_json:
        typer.echo(json.dumps(_as_json(report, delivery)))
        return
    _print(report)
    if delivery is not None:
        console.print(_delivery_line(delivery))


def _print(report: SlaReport) -> None:
    tracks = report.by_track()
    if not tracks:
        console.print("no at-risk or overdue assets")
    for track, items in tracks.items():
        counts = {level: sum(i.level == level for i in items) for level in _LEVELS}
        summary = ", ".join(f"{n} {_LEVELS[level]}" for level, n in counts.items() if n)
        console.print(f"[bold]{track}[/bold]: {summary} (escalation owner {items[0].owner_role})")
        console.print(_table(items))
    console.print(
        f"{report.escalations} new escalation(s), {report.notifications} notification(s) queued"
    )


def _table(items: list[SlaItem]) -> Table:
    table = Table(
        "sku", "colorway", "view", "state", "level", "due (UTC)", "left (h)", "needed (h)",
        "escalated",
    )  # fmt: skip
    for i in items:
        table.add_row(
            i.sku,
            i.colorway,
            i.view,
            f"{i.state} at {i.gate}" if i.gate else i.state,
            _LEVELS[i.level],
            i.due_at.strftime("%Y-%m-%d %H:%M"),
            f"{i.hours_left:g}",
            f"{i.hours_needed:g}",
            "now" if i.escalated else "before",
        )
    return table


def _delivery_line(delivery: Delivery) -> str:
    return f"notifications: {delivery.sent} sent, {delivery.failed} failed"


def _as_json(report: SlaReport, delivery: Delivery | None) -> dict[str, Any]:
    return {
        "checked_at": report.checked_at.isoformat(),
        "tracks": {
            track: [_item_json(i) for i in items] for track, items in report.by_track().items()
        },
        "escalations": report.escalations,
        "notifications_queued": report.notifications,
        "estimates": {
            stage: {"hours": e.hours, "source": e.source, "samples": e.samples}
            for stage, e in report.estimates.items()
        },
        "delivered": delivery._asdict() if delivery is not None else None,
    }


def _item_json(item: SlaItem) -> dict[str, Any]:
    return {
        "sku": item.sku,
        "colorway": item.colorway,
        "view": item.view,
        "state": item.state,
        "gate": item.gate,
        "level": item.level,
        "due_at": item.due_at.isoformat(),
        "business_hours_left": item.hours_left,
        "business_hours_needed": item.hours_needed,
        "steps": list(item.steps),
        "owner_role": item.owner_role,
        "escalated": item.escalated,
    }
