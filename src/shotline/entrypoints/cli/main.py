"""The `shotline` command: wiring of sub-commands and global options."""

from __future__ import annotations

from pathlib import Path

import typer

from shotline.adapters.db import migrate
from shotline.entrypoints.cli import (
    ai,
    assets_store,
    audit,
    dashboard,
    demo,
    exceptions,
    intake,
    metrics,
    policy,
    production,
    qc,
    records,
    render,
    replay,
    report,
    serve,
    sla,
    tokens,
    users,
    work,
    worker,
)
from shotline.entrypoints.cli.context import (
    CliState,
    ShotlineGroup,
    console,
    now,
    read_policy_file,
    state,
)
from shotline.services import workspaces

app = typer.Typer(
    cls=ShotlineGroup,
    help="Shotline: creative operations for ecommerce content production.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(policy.app, name="policy")
app.add_typer(intake.app, name="intake")
app.add_typer(records.requests_app, name="requests")
app.add_typer(records.assets_app, name="assets")
app.add_typer(users.app, name="users")
app.add_typer(exceptions.app, name="exceptions")
app.add_typer(work.app, name="work")
app.add_typer(sla.app, name="sla")
app.add_typer(tokens.app, name="tokens")
app.add_typer(ai.app, name="ai")
app.add_typer(assets_store.rights_app, name="rights")
app.command("fsck")(assets_store.fsck)
app.command("final")(assets_store.final)
app.command("demo")(demo.demo)
app.command("upload")(production.upload)
app.command("submit")(production.submit)
app.command("review")(production.review_)
app.command("bypass")(production.bypass)
app.command("block")(production.block)
app.command("unblock")(production.resume)
app.command("hold")(production.hold)
app.command("resume")(production.resume)
app.command("cancel")(production.cancel)
app.command("deliver")(production.deliver)
app.command("live")(production.live)
app.command("move")(production.move)
app.command("history")(production.show_history)
app.command("replay")(replay.replay)
app.command("simulate")(replay.simulate_)
app.command("report")(report.report)
app.command("dashboard")(dashboard.dashboard)
app.command("metrics-rebuild")(metrics.metrics_rebuild)
app.command("audit")(audit.audit)
app.command("serve")(serve.serve)
app.command("qc")(qc.qc)
app.command("worker")(worker.worker)
app.command("qc-status")(worker.qc_status)
app.command("qc-show")(worker.qc_show)
app.command("qc-retry")(worker.qc_retry)
app.command("render")(render.render_command)


@app.callback()
def main(
    ctx: typer.Context,
    workspace: str | None = typer.Option(
        None, "--workspace", "-w", help="Workspace slug (default: $SHOTLINE_WORKSPACE or 'default')"
    ),
    user: str | None = typer.Option(
        None, "--as", help="Act as this user (default: $SHOTLINE_USER or 'admin')"
    ),
) -> None:
    """Data lives in $SHOTLINE_HOME (default ./.shotline); $SHOTLINE_DATABASE_URL overrides the
    database (SQLite by default, postgresql+psycopg://... for production)."""
    ctx.obj = CliState(workspace=workspace, user=user)


@app.command("init")
def init(
    ctx: typer.Context,
    name: str | None = typer.Option(None, "--name", help="Display name of a new workspace"),
    policy_file: Path | None = typer.Option(None, "--policy", help="First policy (YAML)"),
) -> None:
    """Create or upgrade the database, and create the workspace with its policy if new."""
    cli = state(ctx)
    app_ = cli.app(require_schema=False)
    before, after = migrate.upgrade(app_.engine)
    text = read_policy_file(policy_file) if policy_file is not None else None
    slug = cli.settings().workspace
    with app_.uow() as uow:
        result = workspaces.initialise_workspace(
            uow, slug, name or slug, now(), text, str(policy_file or "default policy")
        )
    schema = "created" if before is None else ("upgraded" if before != after else "up to date")
    console.print(f"database {schema} (revision {after}) at {app_.engine.url.render_as_string()}")
    if result.created:
        console.print(
            f"workspace {slug!r} created with policy version {result.policy_version}; "
            "user 'admin' holds the admin role"
        )
    else:
        console.print(f"workspace {slug!r} exists (policy version {result.policy_version})")


def run() -> None:
    """Console-script entry point."""
    app()
