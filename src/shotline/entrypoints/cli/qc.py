"""`shotline qc PATH...`: the automated technical checks as a batch tool, no database.

Exit status: 0 when every image passes, 1 when any fails, 2 when any input cannot be read
(the others are still checked and reported) or the options are wrong.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path

import typer

from shotline.adapters.imaging.checks import (
    Lab,
    QcResult,
    analyse,
    consistency_outcome,
    duplicate_outcome,
    reference_lab,
)
from shotline.adapters.imaging.source import HEIC_SUFFIXES, RAW_SUFFIXES, ImageRefused
from shotline.domain.errors import PolicyError, ShotlineError
from shotline.domain.policy import Policy, parse_policy
from shotline.domain.qc import CheckContext, ImageReport, QcThresholds
from shotline.entrypoints.cli.context import console, errors, read_policy_file

IMAGE_SUFFIXES = (
    frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp"}) | RAW_SUFFIXES | HEIC_SUFFIXES
)


@dataclass(frozen=True)
class _Job:
    path: Path
    context: CheckContext
    thresholds: QcThresholds
    preview: bool


@dataclass(frozen=True)
class _Done:
    """One image's result, or the one line saying why it could not be read."""

    path: Path
    result: QcResult | None
    error: str | None


def qc(
    paths: list[Path] = typer.Argument(..., help="Image files or folders (recursed)"),
    channel: str | None = typer.Option(
        None, "--channel", help="Channel whose specification applies"
    ),
    category: str | None = typer.Option(None, "--category", help="Product category"),
    reference_color: str | None = typer.Option(
        None, "--reference-color", help="Approved colour: sRGB hex (#AA3322) or L,a,b"
    ),
    reference: Path | None = typer.Option(None, "--reference", help="Approved reference image"),
    source: Path | None = typer.Option(
        None, "--source", help="The version these images were made from"
    ),
    color_class: str | None = typer.Option(
        None, "--color-class", help="Colour accuracy class (default: the category's)"
    ),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per image per line"),
    report: Path | None = typer.Option(None, "--report", help="Write an HTML report here"),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Images checked at once"),
    policy_file: Path | None = typer.Option(
        None, "--policy", help="Policy YAML (default: the shipped default policy)"
    ),
) -> None:
    """Measure images against the written standard: resolution, format, focus, exposure,
    white balance, background, fill, aspect, colour, silhouette, detail and duplicates.

    Names {sku}_{colorway}_... group images for colour consistency and duplicates."""
    try:
        policy = _policy(policy_file)
        thresholds, context = _setup(
            policy, channel, category, color_class, reference_color, reference, source
        )
        files = list(_collect(paths))
    except ShotlineError as exc:
        errors.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    if not files:
        errors.print("[red]error:[/red] no images found in the given paths", highlight=False)
        raise typer.Exit(2)
    jobs = [_Job(f, context, thresholds, report is not None) for f in files]
    done = _run(jobs, workers)
    done = _compare_across(done, thresholds)
    _print(done, as_json)
    if report is not None:
        from shotline.adapters.reports.qc_html import render_qc_report

        html = render_qc_report(
            [(d.path, d.result, d.error) for d in done],
            channel=channel,
            category=category,
        )
        _write_atomically(report, html)
        if not as_json:
            console.print(f"report written to {report}", highlight=False)
    unreadable = any(d.error for d in done)
    failed = any(d.result is not None and not d.result.report.passed for d in done)
    raise typer.Exit(2 if unreadable else 1 if failed else 0)


def _policy(path: Path | None) -> Policy:
    from shotline.services.policies import default_policy_text

    if path is None:
        return parse_policy(default_policy_text(), "default policy")
    try:
        return parse_policy(read_policy_file(path), str(path))
    except PolicyError as exc:
        first = exc.issues[0] if exc.issues else "invalid"
        more = f" (and {len(exc.issues) - 1} more)" if len(exc.issues) > 1 else ""
        raise ShotlineError(f"{path}: {first}{more}") from None


def _setup(
    policy: Policy,
    channel: str | None,
    category: str | None,
    color_class: str | None,
    reference_color: str | None,
    reference: Path | None,
    source: Path | None,
) -> tuple[QcThresholds, CheckContext]:
    if channel is not None and channel not in policy.channels:
        known = ", ".join(sorted(policy.channels))
        raise ShotlineError(f"--channel: unknown channel {channel!r} (the policy has {known})")
    if category is not None and category not in policy.categories:
        known = ", ".join(sorted(policy.categories))
        raise ShotlineError(f"--category: unknown category {category!r} (the policy has {known})")
    if reference_color is not None and reference is not None:
        raise ShotlineError("give --reference-color or --reference, not both")
    for option, path in (("--reference", reference), ("--source", source)):
        if path is not None and not path.is_file():
            raise ShotlineError(f"{option}: no such file: {path}")
    lab: Lab | None = None
    if reference_color is not None:
        try:
            lab = reference_lab(reference_color)
        except ShotlineError as exc:
            raise ShotlineError(f"--reference-color: {exc}") from None
    thresholds = QcThresholds.from_policy(policy, category, channel, color_class=color_class)
    context = CheckContext(
        channel=policy.channels[channel] if channel is not None else None,
        channel_name=channel,
        category=category,
        reference_lab=lab,
        reference_path=reference,
        source_path=source,
    )
    return thresholds, context


def _collect(paths: list[Path]) -> Iterator[Path]:
    """Files as given; folders recursed for images, in name order. Each file once."""
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
            )
        elif path.exists():
            found = [path]
        else:
            raise ShotlineError(f"no such file or folder: {path}")
        for file in found:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                yield file


def _check(job: _Job) -> _Done:
    try:
        return _Done(
            job.path, analyse(job.path, job.context, job.thresholds, preview=job.preview), None
        )
    except ImageRefused as exc:
        return _Done(job.path, None, str(exc))


def _init_worker() -> None:
    import pyvips

    # Each worker decodes one image at a time; libvips' cache would only hold pixels of
    # images already done.
    pyvips.cache_set_max(0)


def _run(jobs: list[_Job], workers: int) -> list[_Done]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("checking"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    results: dict[Path, _Done] = {}
    with Progress(*columns, console=errors, transient=True, disable=not errors.is_terminal) as bar:
        task = bar.add_task("qc", total=len(jobs))
        if workers == 1 or len(jobs) == 1:
            _init_worker()
            for job in jobs:
                results[job.path] = _check(job)
                bar.advance(task)
        else:
            # Fresh interpreters, not forks: a fork of a process whose libvips threads are
            # running can deadlock. One libvips thread per worker: the workers are the
            # parallelism.
            os.environ.setdefault("VIPS_CONCURRENCY", "1")
            with ProcessPoolExecutor(
                max_workers=min(workers, len(jobs)),
                initializer=_init_worker,
                mp_context=multiprocessing.get_context("spawn"),
            ) as pool:
                futures = [pool.submit(_check, job) for job in jobs]
                for future in as_completed(futures):
                    done = future.result()
                    results[done.path] = done
                    bar.advance(task)
    return [results[job.path] for job in jobs]


def _sku_colorway(path: Path) -> tuple[str, str] | None:
    """(sku, colorway) from a name following `{sku}_{colorway}_{view}...`, else None."""
    parts = path.stem.split("_")
    return (parts[0].lower(), parts[1].lower()) if len(parts) >= 3 else None


def _compare_across(done: list[_Done], thresholds: QcThresholds) -> list[_Done]:
    """Colour consistency within each SKU and colorway, and duplicates across SKUs, from the
    signatures every image already carries."""
    keyed = [(d, _sku_colorway(d.path)) for d in done if d.result is not None]
    out: list[_Done] = []
    for d in done:
        if d.result is None:
            out.append(d)
            continue
        key = _sku_colorway(d.path)
        if key is None:
            out.append(d)
            continue
        peers: list[Lab] = [
            o.result.signature.colour
            for o, k in keyed
            if o is not d and k == key and o.result is not None and o.result.signature.colour
        ]
        others = {
            o.path.name: o.result.signature.phash
            for o, k in keyed
            if k is not None and k[0] != key[0] and o.result is not None
        }
        checks = []
        for outcome in d.result.report.checks:
            if outcome.check == "color_consistency" and outcome.skipped:
                outcome = consistency_outcome(d.result.signature.colour, peers, thresholds)
            elif outcome.check == "duplicate" and outcome.skipped:
                outcome = duplicate_outcome(d.result.signature.phash, others, thresholds)
            checks.append(outcome)
        report = ImageReport(file=d.result.report.file, checks=tuple(checks))
        out.append(replace(d, result=replace(d.result, report=report)))
    return out


def _print(done: list[_Done], as_json: bool) -> None:
    for d in done:
        if d.error is not None:
            errors.print(f"[red]error:[/red] {d.error}", highlight=False, markup=True)
            if as_json:
                line = {"file": str(d.path), "passed": False, "error": d.error, "checks": []}
                typer.echo(json.dumps(line, ensure_ascii=False))
            continue
        assert d.result is not None
        report = d.result.report
        if as_json:
            typer.echo(json.dumps(report.as_json(), ensure_ascii=False))
            continue
        ran = [c for c in report.checks if not c.skipped]
        if report.passed:
            console.print(
                f"[green]pass[/green] {report.file} ({len(ran)} checks, "
                f"{len(report.checks) - len(ran)} skipped)",
                highlight=False,
                soft_wrap=True,
            )
            continue
        console.print(f"[red]FAIL[/red] {report.file}", highlight=False, soft_wrap=True)
        for outcome in report.failed:
            console.print(
                f"  {outcome.check}: {outcome.message}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
    if not as_json:
        total = len(done)
        bad = sum(1 for d in done if d.error)
        failed = sum(1 for d in done if d.result is not None and not d.result.report.passed)
        console.print(
            f"{total} image(s): {total - bad - failed} passed, {failed} failed, {bad} unreadable",
            highlight=False,
        )


def _write_atomically(path: Path, text: str) -> None:
    """Write the whole file or nothing: a temporary file beside it, then a rename."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise ShotlineError(f"cannot write the report {path}: {exc.strerror or exc}") from None
