"""`shotline tokens ...`: API tokens that act as the current user (--as) in this workspace."""

from __future__ import annotations

import typer
from rich.table import Table

from shotline.entrypoints.cli.context import ShotlineGroup, act, console, errors, now
from shotline.services import tokens

app = typer.Typer(cls=ShotlineGroup, help="API tokens for the HTTP API (shotline serve).")


@app.command("create")
def create(
    ctx: typer.Context, name: str = typer.Argument(..., help="What the token is for")
) -> None:
    """Make a token and print its secret: the only time it is shown."""
    secret = act(ctx, tokens.create_token, name, now())
    # The secret alone on stdout, so `$(shotline tokens create ci)` captures just it.
    typer.echo(secret)
    errors.print(
        f"token {name!r} created; store it now, it cannot be shown again. "
        "Send it as `Authorization: Bearer <token>`.",
        highlight=False,
    )


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """Your tokens (every token of the workspace for an admin); never their secrets."""
    views = act(ctx, tokens.list_tokens)
    table = Table("id", "name", "user", "created (UTC)", "last used (UTC)", "revoked (UTC)")
    for t in views:
        table.add_row(
            str(t.id),
            t.name,
            t.username,
            t.created_at.strftime("%Y-%m-%d %H:%M"),
            t.last_used_at.strftime("%Y-%m-%d %H:%M") if t.last_used_at else "never",
            t.revoked_at.strftime("%Y-%m-%d %H:%M") if t.revoked_at else "",
        )
    console.print(table)


@app.command("revoke")
def revoke(
    ctx: typer.Context, token_id: int = typer.Argument(..., help="Token id (tokens list)")
) -> None:
    """Stop a token working, at once."""
    view = act(ctx, tokens.revoke_token, token_id, now())
    console.print(f"token {view.id} ({view.name}) of {view.username} revoked", highlight=False)
