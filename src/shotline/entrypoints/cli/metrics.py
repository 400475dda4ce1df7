"""`shotline metrics-rebuild`: recompute the metric projections from the event log."""

from __future__ import annotations

import typer

from shotline.entrypoints.cli.context import console, state
from shotline.services.projections import rebuild_metrics


def metrics_rebuild(ctx: typer.Context) -> None:
    """Throw away the workspace's metric projections (what reports and the dashboard read)
    and recompute them from its event log, in one transaction."""
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        done = rebuild_metrics(uow, actor)
    console.print(
        f"rebuilt the metric projections of {actor.workspace} from {done.events_followed:,} "
        f"events in {done.seconds:.1f} s"
    )
