"""`shotline users ...`: people, their roles in this workspace, their team or vendor."""

from __future__ import annotations

import typer
from rich.table import Table

from shotline.entrypoints.cli.context import ShotlineGroup, console, now, state
from shotline.services import auth, workspaces

app = typer.Typer(cls=ShotlineGroup, help="Users, roles, teams and vendors of the workspace.")


@app.command("add")
def add(
    ctx: typer.Context,
    username: str = typer.Argument(...),
    role: list[str] = typer.Option(..., "--role", help="A role code; repeat for several"),
    team: str | None = typer.Option(None, "--team", help="Internal team name"),
    vendor: str | None = typer.Option(None, "--vendor", help="Outside vendor name"),
    password: str | None = typer.Option(
        None, "--password", help="Also set a web login password (scripts; else set-password)"
    ),
) -> None:
    """Grant roles to a user in this workspace (creating the user if new)."""
    if team and vendor:
        raise typer.BadParameter("give --team or --vendor, not both")
    if password is not None:
        auth.check_password_rules(password)
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        member = workspaces.add_user(
            uow, actor, username, role, now(), team=team or vendor, vendor=vendor is not None
        )
    if password is not None:
        with cli.app().uow() as uow:
            auth.set_password(uow, actor, username, password, now())
    console.print(f"{member.username}: {', '.join(sorted(member.roles))}")


@app.command("set-password")
def set_password(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="Whose password"),
    password: str | None = typer.Option(
        None, "--password", help="The new password (for scripts); asked for when left out"
    ),
) -> None:
    """Set a user's password for the web pages (an admin may set anyone's). Their open web
    logins end."""
    if password is None:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        auth.set_password(uow, actor, username, password, now())
    console.print(f"password set for {username}")


@app.command("list")
def list_users(ctx: typer.Context) -> None:
    """Everyone with roles in this workspace."""
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        members = workspaces.list_members(uow, actor)
    table = Table("user", "roles", "team / vendor")
    for m in members:
        team = f"{m.team} (vendor)" if m.vendor else (m.team or "")
        table.add_row(m.username, ", ".join(m.roles), team)
    console.print(table)
