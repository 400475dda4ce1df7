"""`shotline report`: the metrics of a period, as a table, JSON or CSV."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from shotline.adapters.reports.html import render_report
from shotline.domain.access import Actor
from shotline.domain.errors import ShotlineError
from shotline.entrypoints.cli.context import CliState, console, errors, now, state
from shotline.services.metrics import build_report

HEADLINE = (
    "assets_approved",
    "assets_delivered",
    "first_pass_approval_rate",
    "rework_rate",
    "avg_rework_rounds",
    "preventable_rework_share",
    "sla_hit_rate",
    "cost_per_image",
    "cost_per_sku",
    "ai_rejection_rate",
)


def _day(text: str | None, default: dt.datetime) -> dt.datetime:
    if text is None:
        return default
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ShotlineError(f"expected a date like 2026-11-01, got {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}" if value <= 1 else f"{value:,.2f}"
    return str(value)


def _rows(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    rows = [("all", document)]
    for _dimension, slices in document.get("by", {}).items():
        rows += list(slices.items())
    return rows


def _print(document: dict[str, Any], by: str | None) -> None:
    period = document["period"]
    table = Table(
        by or "",
        *HEADLINE,
        "shoot->live p50 h",
        "p90 h",
        title=f"{period['from'][:10]} to {period['to'][:10]}",
    )
    for label, data in _rows(document):
        s2l = data["shoot_to_live_hours"]
        table.add_row(label, *(_fmt(data[k]) for k in HEADLINE), _fmt(s2l["p50"]), _fmt(s2l["p90"]))
    console.print(table)
    reasons = document["rework_reasons"]
    if reasons:
        console.print("rework reasons: " + ", ".join(f"{k} {v}" for k, v in reasons.items()))


def _csv(document: dict[str, Any], by: str | None) -> None:
    writer = csv.writer(sys.stdout)
    writer.writerow(
        [by or "slice", *HEADLINE, "shoot_to_live_p50_hours", "shoot_to_live_p90_hours"]
    )
    for label, data in _rows(document):
        s2l = data["shoot_to_live_hours"]
        writer.writerow([label, *(data[k] for k in HEADLINE), s2l["p50"], s2l["p90"]])


def _write_html(
    cli: CliState,
    actor: Actor,
    path: Path,
    start: dt.datetime,
    end: dt.datetime,
    moment: dt.datetime,
    document: dict[str, Any],
) -> None:
    documents = {"all": document}
    for dimension in ("week", "track", "vendor"):
        with cli.app().uow() as uow:
            documents[dimension] = build_report(uow, actor, start, end, moment, dimension)
    try:
        path.write_text(render_report(documents, actor.workspace), encoding="utf-8")
    except OSError as exc:
        raise ShotlineError(f"cannot write {path}: {exc.strerror or exc}") from None
    errors.print(f"wrote {path}")


def report(
    ctx: typer.Context,
    from_: str | None = typer.Option(None, "--from", help="Start date (default: 30 days ago)"),
    to: str | None = typer.Option(None, "--to", help="End date, exclusive (default: now)"),
    by: str | None = typer.Option(
        None,
        "--by",
        help="category, track, complexity, channel, "
        "vendor, photographer, retoucher, ai, week or month",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON document"),
    as_csv: bool = typer.Option(False, "--csv", help="Print CSV"),
    html: Path | None = typer.Option(None, "--html", help="Write an HTML report with charts"),
) -> None:
    """First-pass approval, rework, SLA hit rate, shoot-to-live, cost and AI rejection for a
    period, from the event log."""
    cli = state(ctx)
    actor = cli.actor()
    moment = now()
    end = _day(to, moment)
    start = _day(from_, end - dt.timedelta(days=30))
    with cli.app().uow() as uow:
        document = build_report(uow, actor, start, end, moment, by)
    if html is not None:
        _write_html(cli, actor, html, start, end, moment, document)
    if as_json:
        typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
    elif as_csv:
        _csv(document, by)
    else:
        _print(document, by)
