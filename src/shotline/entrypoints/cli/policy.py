"""`shotline policy ...`: check, show and activate the written standard."""

from __future__ import annotations

from pathlib import Path

import typer
import yaml

from shotline.domain.errors import PolicyError
from shotline.entrypoints.cli.context import (
    ShotlineGroup,
    console,
    errors,
    now,
    read_policy_file,
    state,
)
from shotline.services import policies

app = typer.Typer(cls=ShotlineGroup, help="Check, show and activate the workspace policy.")


@app.command("check")
def check(path: Path = typer.Argument(..., help="Policy YAML file")) -> None:
    """Validate a policy file; prints every problem with its path, exit 1 if any."""
    try:
        policy = policies.check_policy(read_policy_file(path), str(path))
    except PolicyError as exc:
        errors.print(f"[red]{path}: {len(exc.issues)} problem(s)[/red]", highlight=False)
        for issue in exc.issues:
            errors.print(f"  {issue}", highlight=False, markup=False)
        raise typer.Exit(1) from None
    console.print(
        f"[green]ok[/green] {path}: policy {policy.name!r} v{policy.version}, "
        f"{len(policy.categories)} categories, {len(policy.tracks)} tracks, "
        f"{len(policy.gates)} gates, {len(policy.defects)} defect codes, "
        f"{len(policy.channels)} channels",
        highlight=False,
    )


@app.command("show")
def show(
    ctx: typer.Context,
    summary: bool = typer.Option(False, "--summary", help="Key facts instead of the full YAML"),
) -> None:
    """Print the workspace's active policy."""
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        active = policies.load_active_policy(uow, actor.workspace_id)
    if not summary:
        # Plain echo: the output must stay valid YAML when redirected to a file.
        typer.echo(f"# workspace {actor.workspace}, stored policy version {active.version}")
        typer.echo(active.source.rstrip("\n"))
        return
    p = active.policy
    console.print(f"policy {p.name!r} (stored version {active.version})")
    for name, track in p.tracks.items():
        sla = ", ".join(f"{c} {h:g}h" for c, h in track.sla.items())
        console.print(f"  track {name}: gates {', '.join(track.gates)}; SLA {sla}")


@app.command("activate")
def activate(ctx: typer.Context, path: Path = typer.Argument(..., help="Policy YAML file")) -> None:
    """Validate a policy file and make it the workspace's active policy (a new version)."""
    cli = state(ctx)
    text = read_policy_file(path)
    actor = cli.actor()
    with cli.app().uow() as uow:
        version = policies.activate_policy(uow, actor, text, str(path), now())
    data = yaml.safe_load(text)
    console.print(f"[green]activated[/green] {data.get('name')!r} as version {version}")
