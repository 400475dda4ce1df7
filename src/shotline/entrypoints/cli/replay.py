"""`shotline replay` and `shotline simulate`: history import and realistic demo work."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from shotline.domain.errors import ShotlineError
from shotline.entrypoints.cli.context import console, errors, now, state
from shotline.services.policies import check_policy, default_policy_text
from shotline.services.replay import replay_file
from shotline.simulation.workflow import simulate


def _count_lines(path: Path) -> int:
    try:
        with path.open(encoding="utf-8") as handle:
            return sum(1 for line in handle if line.strip())
    except (OSError, UnicodeDecodeError) as exc:
        raise ShotlineError(f"cannot read replay file {path}: {exc}") from None


def replay(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="JSON-lines file of timestamped actions"),
    keep_going: bool = typer.Option(False, "--continue", help="Record failing lines, go on"),
) -> None:
    """Apply a history file through the service layer, every rule enforced."""
    cli = state(ctx)
    total = _count_lines(path)
    app = cli.app()
    columns = (
        *Progress.get_default_columns()[:1],
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=errors, disable=not errors.is_terminal) as progress:
        task = progress.add_task(f"replaying {path.name}", total=total)
        result = replay_file(
            app,
            cli.settings().workspace,
            path,
            keep_going,
            progress=lambda _n: progress.advance(task),
        )
    summary = ", ".join(f"{n} {a}" for a, n in sorted(result.by_action.items()))
    console.print(f"applied {result.applied} of {total} line(s): {summary}")
    for failure in result.failed:
        errors.print(f"[yellow]skipped[/yellow] {failure}", highlight=False)
    if result.failed:
        raise typer.Exit(1)


def simulate_(
    out: Path = typer.Option(Path("simulation"), "--out", help="Folder for replay file + images"),
    skus: int = typer.Option(40, "--skus", min=1),
    days: int = typer.Option(30, "--days", min=1),
    seed: int = typer.Option(1, "--seed"),
) -> None:
    """Write a realistic replay file (and its images) of a team's last DAYS days."""
    policy = check_policy(default_policy_text(), "default policy")
    end = now().replace(second=0, microsecond=0) - dt.timedelta(minutes=1)
    path, lines = simulate(out, skus, days, seed, policy, end)
    console.print(f"wrote {lines} actions to {path}; replay with `shotline replay {path}`")
