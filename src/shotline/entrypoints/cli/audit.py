"""`shotline audit`: the seed's audit checklist answered for the workspace, with evidence,
and where the workspace stands on the maturity scale."""

from __future__ import annotations

import json
from functools import partial

import typer
from rich.markup import escape

from shotline.domain.audit import SECTIONS, AuditReport
from shotline.entrypoints.cli.context import console, now, state
from shotline.services.audit import run_audit

_COLOUR = {"yes": "green", "partial": "yellow", "no": "red"}
_WIDTH = len("[partial]")


def _print(report: AuditReport) -> None:
    # One line per question and per evidence, never wrapped: scripts grep them.
    say = partial(console.print, highlight=False, soft_wrap=True)
    say(f"Creative operations audit of workspace {escape(report.workspace)}")
    for name, items in report.sections().items():
        say(f"\n[bold]{SECTIONS.get(name, name)}[/bold]")
        for item in items:
            tag = escape(f"[{item.answer}]".ljust(_WIDTH))
            colour = _COLOUR[item.answer]
            say(f"  [{colour}]{tag}[/{colour}] {escape(item.question)}")
            say(f"  {'':{_WIDTH}} {escape(item.evidence)}")
    m = report.maturity
    say(
        f"\n[bold]Maturity: level {m.level} of 5, {m.label}[/bold] "
        f"(score {round(m.score * 100)}%: {m.yes} yes, {m.partial} partial, {m.no} no)"
    )
    say(f"  {m.meaning}")


def audit(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the JSON document"),
) -> None:
    """Answer the creative operations audit checklist (intake, workflow, quality control,
    asset management, AI governance, metrics) from the workspace's policy and data: yes,
    partial or no with the evidence, and the workspace's maturity level (1 ad hoc to 5
    optimised)."""
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        report = run_audit(uow, actor, now())
    if as_json:
        typer.echo(json.dumps(report.document(), indent=2, ensure_ascii=False))
    else:
        _print(report)
