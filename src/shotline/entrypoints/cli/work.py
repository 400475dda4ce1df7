"""`shotline work ...`: queues, my work, assignment, suggestions by skill and load, skills."""

from __future__ import annotations

import typer
from rich.table import Table

from shotline.entrypoints.cli.context import ShotlineGroup, console, now, state
from shotline.services import assignment, queues
from shotline.services.assets import AssetKey

app = typer.Typer(cls=ShotlineGroup, help="Work queues, assignment and routing by skill and load.")
skills_app = typer.Typer(cls=ShotlineGroup, help="Specialist skills of people, teams and vendors.")
app.add_typer(skills_app, name="skills")

SLA_STYLE = {"late": "[red]late[/red]", "at_risk": "[yellow]at_risk[/yellow]"}


def _table(items: list[queues.QueueItem], with_track: bool) -> Table:
    table = Table("sku", "colorway", "view", "category", "class", "priority")
    for column in ("track", "stage") if with_track else ("state",):
        table.add_column(column)
    for column in ("due (UTC)", "sla", "age (h)", "assignee"):
        table.add_column(column)
    for x in items:
        where = [x.track, x.stage or ""] if with_track else [x.state]
        table.add_row(
            x.sku, x.colorway, x.view, x.category, x.complexity, x.priority, *where,
            x.due_at.strftime("%Y-%m-%d %H:%M"), SLA_STYLE.get(x.sla_state, x.sla_state),
            f"{x.age_hours:.1f}", x.assignee or "",
        )  # fmt: skip
    return table


@app.command("queue")
def queue(
    ctx: typer.Context,
    track: str = typer.Argument(..., help="Track code (catalog, hero...)"),
    stage: str = typer.Argument(
        ..., help="capture, retouch, a gate (technical...), delivery or blocked"
    ),
    category: str | None = typer.Option(None, "--category", help="Only this category"),
    complexity: str | None = typer.Option(None, "--complexity", help="Only this class (C1..C4)"),
    vendor: str | None = typer.Option(None, "--vendor", help="Only work of this vendor"),
    assignee: str | None = typer.Option(None, "--assignee", help="Only work of this user/team"),
    sla: str | None = typer.Option(None, "--sla", help="Only late, at_risk or on_track work"),
    limit: int = typer.Option(200, "--limit", min=1, help="Show at most this many"),
) -> None:
    """One queue, by due time then priority, with SLA state and age."""
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        items = queues.queue(
            uow, actor, track, stage, now(), category, complexity, vendor, assignee, sla, limit
        )
    console.print(_table(items, with_track=False))
    console.print(f"{len(items)} asset(s) in the {track} {stage} queue")


@app.command("mine")
def mine(
    ctx: typer.Context,
    limit: int = typer.Option(200, "--limit", min=1, help="Show at most this many"),
) -> None:
    """Work assigned to me or to my team or vendor, next item first."""
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        items = queues.my_work(uow, actor, now(), limit)
    console.print(_table(items, with_track=True))
    console.print(f"{len(items)} asset(s) assigned to {actor.username} or {actor.team or '-'}")


def parse_asset(text: str) -> AssetKey:
    """SKU/COLORWAY/VIEW. Views are codes without slashes, and SKUs rarely have one, so a
    colorway may hold slashes ("TEE-1/Black/White/front")."""
    sku, _, rest = text.partition("/")
    colorway, _, view = rest.rpartition("/")
    if not (sku.strip() and colorway.strip() and view.strip()):
        raise typer.BadParameter(f"expected SKU/COLORWAY/VIEW, got {text!r}", param_hint="--asset")
    return AssetKey(sku.strip(), colorway.strip(), view.strip())


@app.command("assign")
def assign(
    ctx: typer.Context,
    sku: str | None = typer.Argument(None, help="SKU"),
    colorway: str | None = typer.Argument(None, help="Colorway"),
    view: str | None = typer.Argument(None, help="View"),
    asset: list[str] | None = typer.Option(
        None, "--asset", help="Another asset as SKU/COLORWAY/VIEW; repeat for several"
    ),
    to: str | None = typer.Option(None, "--to", help="Assign to this user"),
    team: str | None = typer.Option(None, "--team", help="Assign to this team or vendor"),
) -> None:
    """Assign one asset (SKU COLORWAY VIEW) and/or several (--asset ...) to a user or team."""
    given = [sku, colorway, view]
    if any(given) and not all(given):
        raise typer.BadParameter("give SKU, COLORWAY and VIEW together, or use --asset")
    keys = [AssetKey(sku, colorway, view)] if sku and colorway and view else []
    keys += [parse_asset(text) for text in asset or []]
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        count = assignment.assign(uow, actor, keys, now(), username=to, team=team)
    console.print(f"assigned {count} asset(s) to {to or team}")


@app.command("suggest")
def suggest(
    ctx: typer.Context,
    sku: str = typer.Argument(..., help="SKU"),
    colorway: str = typer.Argument(..., help="Colorway"),
    view: str = typer.Argument(..., help="View"),
) -> None:
    """Who could take the asset now: fully skilled people first, then the least loaded."""
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        candidates = assignment.suggest(uow, actor, AssetKey(sku, colorway, view), now())
    table = Table("user", "team / vendor", "open work", "skills", "missing skills")
    for c in candidates:
        table.add_row(
            c.username, c.team or "", str(c.load), ", ".join(c.skills), ", ".join(c.missing_skills)
        )
    console.print(table)


@app.command("auto-assign")
def auto_assign(
    ctx: typer.Context,
    track: str = typer.Argument(..., help="Track code"),
    stage: str = typer.Argument(..., help="Stage (capture, retouch, a gate...)"),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Assign at most this many"),
) -> None:
    """Hand every unassigned asset of a queue to the least loaded fully skilled person."""
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        done = assignment.auto_assign(uow, actor, track, stage, now(), limit)
    for key, username in done:
        console.print(f"{key} -> {username}", highlight=False)
    console.print(f"assigned {len(done)} asset(s)")


@skills_app.command("grant")
def grant(
    ctx: typer.Context,
    skill: str = typer.Argument(..., help="Skill code from the policy"),
    user: str | None = typer.Option(None, "--user", help="Grant it to this user"),
    team: str | None = typer.Option(None, "--team", help="Grant it to this team or vendor"),
) -> None:
    """Record that a user, or a whole team or vendor, holds a specialist skill."""
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        held = assignment.grant_skill(uow, actor, skill, now(), username=user, team=team)
    console.print(f"{user or team}: {', '.join(held)}")


@skills_app.command("list")
def list_skills(ctx: typer.Context) -> None:
    """The policy's skills and who holds each."""
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        views = assignment.list_skills(uow, actor)
    table = Table("skill", "label", "held by")
    for v in views:
        table.add_row(v.skill, v.label, ", ".join(v.holders))
    console.print(table)
