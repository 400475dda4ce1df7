"""`shotline policy ...`: check, show and activate the written standard."""

from __future__ import annotations

from pathlib import Path

import typer
import yaml

from shotline.domain.errors import PolicyError, ShotlineError
from shotline.entrypoints.cli.context import ShotlineGroup, console, errors, now, state
from shotline.services import policies

app = typer.Typer(cls=ShotlineGroup, help="Check, show and activate the workspace policy.")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ShotlineError(f"cannot read policy file {path}: {exc}") from None


@app.command("check")
def check(path: Path = typer.Argument(..., help="Policy YAML file")) -> None:
    """Validate a policy file; prints every problem with its path, exit 1 if any."""
    try:
        policy = policies.check_policy(_read(path), str(path))
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
        console.print(f"# workspace {actor.workspace}, stored policy version {active.version}")
        console.print(active.source, markup=False, highlight=False)
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
    text = _read(path)
    actor = cli.actor()
    with cli.app().uow() as uow:
        version = policies.activate_policy(uow, actor, text, str(path), now())
    data = yaml.safe_load(text)
    console.print(f"[green]activated[/green] {data.get('name')!r} as version {version}")
