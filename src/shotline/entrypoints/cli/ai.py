"""`shotline ai ...`: the AI workflow registry, its evidence, and the retention rule."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import typer
import yaml
from rich.table import Table

from shotline.domain.ai import FirstPass, Impact, Readiness, Rejections, parse_spec
from shotline.domain.errors import ShotlineError
from shotline.entrypoints.cli.context import ShotlineGroup, act, console, now
from shotline.services import ai

app = typer.Typer(cls=ShotlineGroup, help="AI governance: registered workflows and evidence.")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _interval(value: tuple[float, float] | None) -> str:
    return "-" if value is None else f"{_pct(value[0])}-{_pct(value[1])}"


def read_workflow_file(path: Path) -> Any:
    """A workflow description file (YAML or JSON), parsed, or one clear error."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ShotlineError(f"cannot read workflow file {path}: {reason}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        raise ShotlineError(f"{path}: YAML syntax error at {where}") from None


@app.command("register")
def register(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The workflow description (YAML), see docs/ai.md"),
) -> None:
    """Register a workflow version (as experimental). A different model, LoRA or prompt is a
    new version: a registered version never changes."""
    spec = parse_spec(read_workflow_file(file), str(file))
    result = act(ctx, ai.register_workflow, spec, now())
    view = result.workflow
    if not result.created:
        console.print(f"{view.ref} is already registered with this description; nothing changed")
        return
    console.print(
        f"registered {view.ref} ({view.status}); prompt sha256 {view.prompt_sha256[:12]}; "
        f"approve it with `shotline ai approve {view.ref}`",
        highlight=False,
    )


def _status(result: ai.StatusChange, verb: str) -> None:
    console.print(f"evidence: {result.readiness.summary}", highlight=False)
    ref = result.workflow.ref
    if result.changed:
        console.print(f"{ref} {verb}", highlight=False)
    else:
        console.print(f"{ref} was already {result.workflow.status}; nothing changed")


@app.command("approve")
def approve(ctx: typer.Context, workflow: str = typer.Argument(..., help="NAME@VERSION")) -> None:
    """Promote an experimental version to approved, with its readiness evidence shown."""
    _status(act(ctx, ai.approve_workflow, workflow, now()), "approved")


@app.command("retire")
def retire(ctx: typer.Context, workflow: str = typer.Argument(..., help="NAME@VERSION")) -> None:
    """Retire a version: it can no longer be cited for new work; its history stays."""
    _status(act(ctx, ai.retire_workflow, workflow, now()), "retired")


def _stats_json(stats: Rejections) -> dict[str, Any]:
    return {
        "reviewed": stats.reviewed,
        "rejected": stats.rejected,
        "rejection_rate": stats.rate,
        "interval_95": list(stats.interval) if stats.interval else None,
        "reasons": stats.reasons,
    }


def _readiness_json(r: Readiness) -> dict[str, Any]:
    return {
        "ready": r.ready,
        "min_reviewed": r.min_reviewed,
        "max_rejection_rate": r.max_rejection_rate,
        "summary": r.summary,
    }


def _workflow_json(view: ai.WorkflowView) -> dict[str, Any]:
    data = {k: v for k, v in vars(view).items() if k != "id"}
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in data.items()}


def _summary_json(s: ai.WorkflowSummary) -> dict[str, Any]:
    return {
        **_workflow_json(s.workflow),
        "stats": _stats_json(s.stats),
        "readiness": _readiness_json(s.readiness),
    }


@app.command("workflows")
def workflows(
    ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="JSON output")
) -> None:
    """Every registered workflow version with its rejection rate and readiness."""
    summaries = act(ctx, ai.list_workflows)
    if as_json:
        typer.echo(json.dumps([_summary_json(s) for s in summaries]))
        return
    table = Table(
        "workflow", "status", "tool", "model", "categories", "reviewed", "rejected",
        "rejection rate", "95% CI", "ready",
    )  # fmt: skip
    for s in summaries:
        w = s.workflow
        table.add_row(
            w.ref, w.status, w.tool, f"{w.model} {w.model_version}", ", ".join(w.categories),
            str(s.stats.reviewed), str(s.stats.rejected), _pct(s.stats.rate),
            _interval(s.stats.interval), "yes" if s.readiness.ready else "no",
        )  # fmt: skip
    console.print(table)
    console.print(f"{len(summaries)} workflow version(s)")


def _impact_json(impact: Impact | None) -> dict[str, Any] | None:
    if impact is None:
        return None
    return {
        "before": impact.before,
        "after": impact.after,
        "before_stats": _stats_json(impact.before_stats),
        "after_stats": _stats_json(impact.after_stats),
        "rate_change": impact.rate_change,
        "reasons": [{"defect": c, "before": b, "after": a} for c, b, a in impact.reasons()],
    }


def _first_pass_json(rows: list[FirstPass]) -> list[dict[str, Any]]:
    return [
        {
            "category": f.category,
            "ai": {"reviewed": f.ai.reviewed, "first_pass": FirstPass.share(f.ai)},
            "studio": {"reviewed": f.studio.reviewed, "first_pass": FirstPass.share(f.studio)},
        }
        for f in rows
    ]


def _detail_json(d: ai.WorkflowDetail) -> dict[str, Any]:
    return {
        **_workflow_json(d.workflow),
        "stats": _stats_json(d.stats),
        "readiness": _readiness_json(d.readiness),
        "versions": [
            {"workflow": s.workflow.ref, "status": s.workflow.status, **_stats_json(s.stats)}
            for s in d.versions
        ],
        "model_update_impact": _impact_json(d.impact),
        "first_pass": _first_pass_json(d.first_pass),
        "cleanup": vars(d.cleanup),
    }


@app.command("show")
def show(
    ctx: typer.Context,
    workflow: str = typer.Argument(..., help="NAME@VERSION, or NAME for the newest version"),
    as_json: bool = typer.Option(False, "--json", help="JSON output"),
) -> None:
    """A workflow version with its evidence: rejections and reasons, readiness, the change
    from the previous version, first pass against studio work, and the cleanup it caused."""
    detail = act(ctx, ai.show_workflow, workflow)
    if as_json:
        typer.echo(json.dumps(_detail_json(detail)))
        return
    _print_detail(detail)


def _stamps(w: ai.WorkflowView) -> str:
    text = f"owner {w.owner}, registered {w.registered_at:%Y-%m-%d %H:%M}"
    if w.approved_at is not None:
        text += f"; approved by {w.approved_by} at {w.approved_at:%Y-%m-%d %H:%M}"
    if w.retired_at is not None:
        text += f"; retired by {w.retired_by} at {w.retired_at:%Y-%m-%d %H:%M}"
    return text + " (UTC)"


def _print_detail(d: ai.WorkflowDetail) -> None:
    w = d.workflow
    out = console.print
    out(f"[bold]{w.ref}[/bold]  {w.status}", highlight=False)
    out(f"tool {w.tool}; model {w.model} {w.model_version}", highlight=False)
    for lora in w.loras:
        out(f"LoRA {lora['name']} {lora['version']} sha256 {lora['sha256']}", highlight=False)
    out(f"prompt sha256 {w.prompt_sha256}: {w.prompt}", highlight=False, markup=False)
    views = ", ".join(w.views) or "any"
    out(
        f"references: {len(w.reference_set)}; categories: {', '.join(w.categories)}; "
        f"views: {views}",
        highlight=False,
    )
    out(_stamps(w), highlight=False)
    out(f"readiness: {d.readiness.summary}", highlight=False)
    reasons = ", ".join(f"{c} {n}" for c, n in d.stats.reasons.items()) or "none"
    out(f"rejection reasons: {reasons}", highlight=False)
    if d.impact is not None:
        _print_impact(d.impact)
    for f in d.first_pass:
        out(
            f"first pass in {f.category}: AI {_pct(FirstPass.share(f.ai))} of {f.ai.reviewed}, "
            f"studio {_pct(FirstPass.share(f.studio))} of {f.studio.reviewed}",
            highlight=False,
        )
    c = d.cleanup
    out(
        f"cleanup after {c.ai_versions} AI version(s): {c.retouch_versions} retouch "
        f"version(s), {c.hours:g} hour(s), cost {c.cost:g}",
        highlight=False,
    )


def _print_impact(impact: Impact) -> None:
    b, a = impact.before_stats, impact.after_stats
    change = "-" if impact.rate_change is None else f"{impact.rate_change * 100:+.1f} points"
    console.print(
        f"model update {impact.before} -> {impact.after}: rejection rate "
        f"{_pct(b.rate)} of {b.reviewed} -> {_pct(a.rate)} of {a.reviewed} ({change})",
        highlight=False,
    )
    table = Table("defect", impact.before, impact.after, title="Rejection reasons")
    for code, before, after in impact.reasons():
        table.add_row(code, str(before), str(after))
    console.print(table)


@app.command("retention")
def retention(
    ctx: typer.Context,
    dry_run: bool = typer.Option(False, "--dry-run", help="List what would be deleted"),
    every: float | None = typer.Option(
        None, "--every", min=0, help="Run again every SECONDS (a periodic job)"
    ),
    times: int | None = typer.Option(
        None, "--times", min=1, help="Stop after N runs (default: 1, or forever with --every)"
    ),
) -> None:
    """Apply the policy's retention rule: delete the files of AI versions rejected more than
    `ai.retention.rejected_files_days` ago. Their rows, decisions and events are kept."""
    runs = times if times is not None else (None if every is not None else 1)
    done = 0
    while runs is None or done < runs:
        if done:
            time.sleep(every or 0)
        done += 1
        _print_retention(act(ctx, ai.apply_retention, now(), dry_run))


def _print_retention(result: ai.Retention) -> None:
    if result.days is None:
        console.print("the policy keeps the files of rejected AI output (no ai.retention)")
        return
    verb = "would delete" if result.dry_run else "deleted"
    for f in result.files:
        console.print(
            f"{verb} {f.sku} / {f.colorway} / {f.view} v{f.version} ({f.bytes} bytes, "
            f"rejected {f.rejected_at:%Y-%m-%d})",
            highlight=False,
        )
    total = sum(f.bytes for f in result.files)
    cutoff = f"{result.cutoff:%Y-%m-%d %H:%M}" if result.cutoff else "-"
    console.print(
        f"{verb} {len(result.files)} file(s), {total} bytes, of AI output rejected before "
        f"{cutoff} UTC ({result.days} days); {result.kept_shared} kept because other "
        "versions use the same file",
        highlight=False,
    )
