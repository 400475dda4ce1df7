"""Asset store commands: `shotline fsck`, `shotline final`, `shotline rights ...`, and the
folder form of `shotline upload DIR`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from shotline.domain.errors import ShotlineError
from shotline.entrypoints.cli.context import ShotlineGroup, console, errors, now, state
from shotline.services import asset_store, folder_upload, rights, storage_check
from shotline.services.assets import AssetKey

rights_app = typer.Typer(cls=ShotlineGroup, help="Usage rights per asset or version.")

SKU = typer.Argument(..., help="SKU")
COLORWAY = typer.Argument(..., help="Colorway")
VIEW = typer.Argument(..., help="View code from the shot list")


def fsck(
    ctx: typer.Context,
    repair: bool = typer.Option(
        False, "--repair", help="Remove orphans and leftovers older than an hour"
    ),
    as_json: bool = typer.Option(False, "--json", help="JSON output"),
) -> None:
    """Check every version's file exists and matches its checksum, and list orphans.
    Exits 1 on any problem."""
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        report = storage_check.check_storage(uow, actor, now(), repair)
    if as_json:
        console.print_json(json.dumps(_fsck_json(report)))
    else:
        console.print(
            f"{report.versions} versions, {report.files} files checked; "
            f"{len(report.problems)} problem(s), {len(report.orphans)} orphan(s), "
            f"{len(report.strays)} leftover(s)"
            + (f"; {report.retention_deleted} deleted by the AI retention rule" if
               report.retention_deleted else "")
            + (f"; {report.removed} removed" if repair else "")
        )  # fmt: skip
        for problem in report.problems:
            console.print(f"problem: {problem}", highlight=False)
        for orphan in report.orphans:
            console.print(f"orphan: {orphan.sha256} ({orphan.bytes} bytes)", highlight=False)
        for stray in report.strays:
            console.print(f"leftover: {stray.name} ({stray.size} bytes)", highlight=False)
    if not report.ok:
        raise typer.Exit(1)


def _fsck_json(report: storage_check.StorageReport) -> dict[str, Any]:
    return {
        "ok": report.ok,
        "versions": report.versions,
        "files": report.files,
        "retention_deleted": report.retention_deleted,
        "removed": report.removed,
        "problems": [
            {
                "workspace": p.workspace,
                "sku": p.sku,
                "colorway": p.colorway,
                "view": p.view,
                "version": p.version,
                "sha256": p.sha256,
                "problem": p.problem,
            }
            for p in report.problems
        ],
        "orphans": [{"sha256": o.sha256, "bytes": o.bytes} for o in report.orphans],
        "leftovers": [{"name": s.name, "bytes": s.size} for s in report.strays],
    }


def final(
    ctx: typer.Context,
    sku: str = SKU,
    colorway: str = COLORWAY,
    view: str = VIEW,
    as_json: bool = typer.Option(False, "--json", help="JSON output"),
) -> None:
    """Name the approved final of an asset, and what each channel received."""
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        f = asset_store.approved_final(uow, actor, AssetKey(sku, colorway, view))
    data = {
        "sku": f.sku,
        "colorway": f.colorway,
        "view": f.view,
        "state": f.asset_state,
        "version": f.version,
        "kind": f.kind,
        "sha256": f.sha256,
        "file": f.stored_name or f.original_name,
        "original_name": f.original_name,
        "format": f.format,
        "width": f.width,
        "height": f.height,
        "ai_workflow": f.ai_workflow,
        "approved_at": f.approved_at.isoformat() if f.approved_at else None,
        "channels": f.channels,
    }
    if as_json:
        console.print_json(json.dumps(data))
        return
    size = f"{f.width}x{f.height} {f.format}" if f.width else "size not recorded"
    console.print(
        f"{f.sku} / {f.colorway} / {f.view}: final is version {f.version} ({f.kind}, {size}), "
        f"{data['file']}, sha256 {f.sha256[:12]}; asset {f.asset_state}",
        highlight=False,
    )
    for channel, file in sorted(f.channels.items()):
        console.print(f"  delivered to {channel}: {file}", highlight=False)


def _expiry(text: str | None) -> dt.datetime | None:
    if text is None or text.strip().lower() in ("", "never", "none"):
        return None
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ShotlineError(
            f"--expires must be a date like 2027-06-30 (or 'never'), got {text!r}"
        ) from None
    if value.tzinfo is None:
        # A bare date is the end of that day in UTC: rights run through the day they name.
        if len(text.strip()) == 10:
            value = value + dt.timedelta(days=1)
        value = value.replace(tzinfo=dt.UTC)
    return value


@rights_app.command("set")
def set_rights(
    ctx: typer.Context,
    sku: str = SKU,
    colorway: str = COLORWAY,
    view: str = VIEW,
    licence: str = typer.Option(..., "--licence", help="Licence, e.g. buyout, editorial"),
    territory: str = typer.Option("worldwide", "--territory"),
    model_release: str | None = typer.Option(None, "--model-release", help="Release reference"),
    expires: str | None = typer.Option(None, "--expires", help="YYYY-MM-DD, or 'never'"),
    creator: str | None = typer.Option(None, "--creator", help="Photographer or studio"),
    copyright_: str | None = typer.Option(None, "--copyright", help="Copyright notice"),
    terms: str = typer.Option("", "--terms", help="Usage terms, embedded in deliveries"),
    version: int | None = typer.Option(None, "--version", help="Only this version"),
) -> None:
    """Record the usage rights of an asset (or one version)."""
    cli = state(ctx)
    actor = cli.actor()
    item = rights.RightsInput(
        licence, territory, model_release, _expiry(expires), creator, copyright_, terms
    )
    with cli.app().uow() as uow:
        view_ = rights.set_rights(uow, actor, AssetKey(sku, colorway, view), item, now(), version)
    scope = f" version {view_.version}" if view_.version else ""
    until = f"until {view_.expires_at:%Y-%m-%d %H:%M} UTC" if view_.expires_at else "no expiry"
    console.print(
        f"rights set for {view_.sku} / {view_.colorway} / {view_.view}{scope}: "
        f"{view_.licence}, {view_.territory}, {until}",
        highlight=False,
    )


@rights_app.command("show")
def show_rights(
    ctx: typer.Context, sku: str = SKU, colorway: str = COLORWAY, view: str = VIEW
) -> None:
    """The rights recorded for an asset and its versions."""
    cli = state(ctx)
    actor = cli.actor()
    with cli.app().uow() as uow:
        views = rights.show_rights(uow, actor, AssetKey(sku, colorway, view))
    _rights_table(views)


@rights_app.command("expiring")
def expiring(
    ctx: typer.Context,
    days: int = typer.Option(30, "--days", help="Lapsing within this many days"),
    as_json: bool = typer.Option(False, "--json", help="JSON output"),
) -> None:
    """Rights that lapse within --days (and those already lapsed), soonest first."""
    cli = state(ctx)
    actor = cli.actor()
    moment = now()
    with cli.app().uow() as uow:
        views = rights.expiring(uow, actor, moment, days)
    if as_json:
        rows = [
            {
                "sku": v.sku,
                "colorway": v.colorway,
                "view": v.view,
                "version": v.version,
                "licence": v.licence,
                "territory": v.territory,
                "expires_at": v.expires_at.isoformat() if v.expires_at else None,
                "expired": v.expired(moment),
            }
            for v in views
        ]
        console.print_json(json.dumps(rows))
        return
    if not views:
        console.print(f"no rights lapse within {days} days")
        return
    _rights_table(views, moment)


def _rights_table(views: list[rights.RightsView], moment: dt.datetime | None = None) -> None:
    table = Table("asset", "version", "licence", "territory", "release", "expires (UTC)", "")
    for v in views:
        lapsed = moment is not None and v.expired(moment)
        table.add_row(
            f"{v.sku} / {v.colorway} / {v.view}",
            str(v.version or "all"),
            v.licence,
            v.territory,
            v.model_release or "",
            v.expires_at.strftime("%Y-%m-%d %H:%M") if v.expires_at else "never",
            "expired" if lapsed else "",
        )
    console.print(table)


def upload_folder(
    ctx: typer.Context,
    source: Path,
    kind: str,
    stage: str | None,
    ai_workflow: str | None,
    submit: bool,
) -> None:
    """`shotline upload DIR|ZIP --kind ...`: every file mapped to its asset by name; refused
    files are listed with their reason and the command exits 1 when any was refused."""
    cli = state(ctx)
    actor = cli.actor()
    options = folder_upload.FolderOptions(kind, stage, ai_workflow, submit)
    report = folder_upload.upload_folder(cli.app().uow, actor, source, options, now())
    for item in report.stored:
        renamed = f" (renamed {item.file})" if item.renamed else ""
        console.print(
            f"stored {item.stored_name or item.file} as version {item.version} of "
            f"{item.key}{renamed}",
            highlight=False,
        )
    for refused in report.refused:
        errors.print(f"not stored: {refused.file}: {refused.reason}", highlight=False)
    skipped = f", {len(report.skipped)} hidden file(s) skipped" if report.skipped else ""
    console.print(f"{len(report.stored)} stored, {len(report.refused)} not stored{skipped}")
    if report.refused:
        raise typer.Exit(1)
