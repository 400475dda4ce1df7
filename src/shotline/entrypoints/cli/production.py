"""Production commands: upload, submit, review, block, hold, cancel, deliver, live, history."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from shotline.domain.errors import ShotlineError
from shotline.domain.review import Annotation, ItemAnswer
from shotline.entrypoints.cli import assets_store
from shotline.entrypoints.cli.context import CliState, act, console, now, state
from shotline.services import history, production, qc, review
from shotline.services.assets import AssetKey
from shotline.services.policies import load_active_policy

SKU = typer.Argument(..., help="SKU")
COLORWAY = typer.Argument(..., help="Colorway")
VIEW = typer.Argument(..., help="View code from the shot list")


def _key(sku: str, colorway: str, view: str) -> AssetKey:
    return AssetKey(sku, colorway, view)


def upload(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="Image file, or a folder or .zip mapped by name"),
    sku: str | None = typer.Argument(None, help="SKU (not for a folder)"),
    colorway: str | None = typer.Argument(None, help="Colorway (not for a folder)"),
    view: str | None = typer.Argument(None, help="View code (not for a folder)"),
    kind: str = typer.Option(..., "--kind", help="capture, retouch or ai"),
    stage: str | None = typer.Option(None, "--stage", help="raw, select, wip, final"),
    ai_workflow: str | None = typer.Option(None, "--ai-workflow", help="name@version (AI only)"),
    cost: float | None = typer.Option(None, "--cost", help="Actual cost of this work"),
    submit: bool = typer.Option(False, "--submit", help="Submit it for review at once"),
) -> None:
    """Add a file to an asset as a new immutable version; or every file of a folder or
    zip, each mapped to its asset by name."""
    if file.is_dir() or file.suffix.lower() == ".zip":
        if sku or colorway or view:
            raise ShotlineError("a folder upload maps files by name: give no SKU, colorway, view")
        assets_store.upload_folder(ctx, file, kind, stage, ai_workflow, submit)
        return
    if not (sku and colorway and view):
        raise ShotlineError("give SKU COLORWAY VIEW after the file (or a folder to map by name)")
    cli = state(ctx)
    actor = cli.actor()
    item = production.Upload(file, kind, stage, ai_workflow, cost)
    with cli.app().uow() as uow:
        view_ = production.upload_version(
            uow, actor, _key(sku, colorway, view), item, now(), submit
        )
    where = f" at the {view_.gate} gate" if view_.gate and view_.asset_state == "in_review" else ""
    console.print(
        f"version {view_.number} ({view_.kind}, {view_.stage}) stored, "
        f"sha256 {view_.sha256[:12]}; asset {view_.asset_state}{where}"
    )


def submit(
    ctx: typer.Context,
    sku: str = SKU,
    colorway: str = COLORWAY,
    view: str = VIEW,
    version: int | None = typer.Option(None, "--version", help="Version number (default newest)"),
) -> None:
    """Put the asset in review at the first gate of its track."""
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        view_ = production.submit_version(uow, actor, _key(sku, colorway, view), now(), version)
    console.print(f"version {view_.number} in review at the {view_.gate} gate")


def _answers(cli: CliState, gate: str, passed: bool, fails: list[str]) -> list[ItemAnswer]:
    actor = cli.actor()
    with cli.app().uow() as uow:
        policy = load_active_policy(uow, actor.workspace_id).policy
    if gate not in policy.gates:
        raise ShotlineError(f"unknown gate {gate!r}; expected {', '.join(policy.gates)}")
    if passed == bool(fails):
        raise ShotlineError("give --pass, or one --fail ITEM=DEFECT[,DEFECT] per failed item")
    failing: dict[str, tuple[str, ...]] = {}
    for spec in fails:
        item, _, codes = spec.partition("=")
        failing[item.strip()] = tuple(c.strip() for c in codes.split(",") if c.strip())
    items = [i.code for i in policy.gates[gate].checklist]
    answers = [ItemAnswer(i, i not in failing, failing.get(i, ())) for i in items]
    return answers + [ItemAnswer(i, False, d) for i, d in failing.items() if i not in items]


def _region(text: str) -> Annotation:
    parts = text.split(",", 4)
    try:
        x, y, w, h = (float(p) for p in parts[:4])
    except ValueError:
        raise ShotlineError(f"a region is x,y,w,h[,note], got {text!r}") from None
    return Annotation(x, y, w, h, parts[4] if len(parts) > 4 else "")


def review_(
    ctx: typer.Context,
    sku: str = SKU,
    colorway: str = COLORWAY,
    view: str = VIEW,
    gate: str = typer.Option(..., "--gate", help="technical, styling_fit, brand_merch, final_qc"),
    passed: bool = typer.Option(False, "--pass", help="Every checklist item passes"),
    fail: list[str] = typer.Option([], "--fail", help="ITEM=DEFECT[,DEFECT]; repeat per item"),
    comment: str = typer.Option("", "--comment"),
    region: list[str] = typer.Option([], "--region", help="x,y,w,h[,note] on the image"),
    override: str | None = typer.Option(None, "--override", help="Reason to pass failed checks"),
    cost: float | None = typer.Option(None, "--cost"),
) -> None:
    """Decide a review gate with its binary checklist."""
    cli = state(ctx)
    actor = cli.actor()
    decision = review.Decision(
        gate,
        _answers(cli, gate, passed, fail),
        comment,
        [_region(r) for r in region],
        override,
        cost,
    )
    with cli.app().uow() as uow:
        result = review.decide_gate(uow, actor, _key(sku, colorway, view), decision, now())
    if result.passed:
        nxt = f"next gate {result.next_gate}" if result.next_gate else "approved"
        console.print(f"[green]passed[/green] {gate}: {nxt}")
    else:
        console.print(
            f"[red]failed[/red] {gate} ({', '.join(result.defects)}): back to "
            f"{result.asset_state} by {result.route}, rework round {result.rework_rounds}"
        )


def bypass(
    ctx: typer.Context,
    sku: str = SKU,
    colorway: str = COLORWAY,
    view: str = VIEW,
    gate: str = typer.Option(..., "--gate"),
) -> None:
    """Skip a gate under a granted bypass_gate exception."""
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        after = review.bypass_gate(uow, actor, _key(sku, colorway, view), gate, now())
    console.print(f"{gate} bypassed; asset {after}")


def block(
    ctx: typer.Context,
    sku: str = SKU,
    colorway: str = COLORWAY,
    view: str = VIEW,
    reason: str = typer.Option(..., "--reason"),
) -> None:
    """Block an asset (sample missing, information missing, waiting on a vendor...)."""
    console.print(act(ctx, production.block, _key(sku, colorway, view), reason, now()))


def hold(
    ctx: typer.Context,
    sku: str = SKU,
    colorway: str = COLORWAY,
    view: str = VIEW,
    reason: str = typer.Option(..., "--reason"),
) -> None:
    """Put an asset on hold."""
    console.print(act(ctx, production.hold, _key(sku, colorway, view), reason, now()))


def resume(ctx: typer.Context, sku: str = SKU, colorway: str = COLORWAY, view: str = VIEW) -> None:
    """Unblock, or take off hold: back to the state it paused in."""
    console.print(act(ctx, production.resume, _key(sku, colorway, view), now()))


def cancel(
    ctx: typer.Context,
    sku: str = SKU,
    colorway: str = COLORWAY,
    view: str = VIEW,
    reason: str = typer.Option(..., "--reason"),
) -> None:
    """Cancel an asset (its history stays)."""
    console.print(act(ctx, production.cancel, _key(sku, colorway, view), reason, now()))


def deliver(
    ctx: typer.Context,
    sku: str = SKU,
    colorway: str = COLORWAY,
    view: str = VIEW,
    channel: list[str] = typer.Option(..., "--channel", help="Repeat per channel"),
    package: Path | None = typer.Option(
        None, "--package", help="Write a package per channel (renditions, manifests) here"
    ),
    as_zip: bool = typer.Option(False, "--zip", help="Packages as .zip files"),
) -> None:
    """Record delivery of the approved version to channels (with --package, write the
    channel renditions and manifests first)."""
    after = act(ctx, production.deliver, _key(sku, colorway, view), channel, now(), package, as_zip)
    console.print(after)
    if package is not None:
        console.print(f"packages written to {package}", highlight=False)


def live(ctx: typer.Context, sku: str = SKU, colorway: str = COLORWAY, view: str = VIEW) -> None:
    """Record that the asset is live."""
    console.print(act(ctx, production.go_live, _key(sku, colorway, view), now()))


def show_history(
    ctx: typer.Context,
    sku: str = SKU,
    colorway: str | None = typer.Option(None, "--colorway"),
    view: str | None = typer.Option(None, "--view"),
) -> None:
    """An asset's full trail from the event log."""
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        entries = history.asset_history(uow, actor, sku, colorway, view)
        runs = history.qc_history(uow, actor, sku, colorway, view)
    table = Table("at (UTC)", "event", "by", "asset", "details")
    for e in entries:
        details = {k: v for k, v in e.payload.items() if v not in (None, "", [], {})}
        table.add_row(
            e.at.strftime("%Y-%m-%d %H:%M"),
            e.kind,
            e.actor or "",
            e.asset or "",
            json.dumps(details, ensure_ascii=False, default=str)[:160],
        )
    console.print(table)
    finished = [r for r in runs if r.state in (qc.DONE, qc.FAILED)]
    if finished:
        console.print(_qc_table(finished))
    waiting = len(runs) - len(finished)
    if waiting:
        console.print(f"automated QC of {waiting} version(s) waits for a worker (shotline worker)")


def _qc_table(runs: list[qc.RunView]) -> Table:
    """Automated QC per version: each check's verdict with its value against its threshold."""
    headers = ("asset", "v", "qc", "check", "result", "value", "threshold")
    table = Table(*headers, title="Automated QC")
    for run in runs:
        if not run.checks:
            table.add_row(run.asset, str(run.version), run.state, run.error or "", "", "", "")
        for c in run.checks:
            verdict = "skipped" if c.skipped else ("pass" if c.passed else "FAIL")
            table.add_row(
                run.asset,
                str(run.version),
                run.state,
                c.check,
                verdict,
                "" if c.value is None else f"{c.value:.4g} {c.unit}".strip(),
                "" if c.threshold is None else f"{c.threshold:.4g} {c.unit}".strip(),
            )
    return table


def move(
    ctx: typer.Context,
    sku: str = SKU,
    colorway: str = COLORWAY,
    view: str = VIEW,
    track: str = typer.Option(..., "--track", help="The track to move the asset to"),
) -> None:
    """Move an asset to another track (needs a granted move_queue exception)."""
    console.print(act(ctx, production.move_track, _key(sku, colorway, view), track, now()))
