"""Automated QC in the workflow: every new version gets a QC run, a worker measures it, and
the results are stored with the version, pre-fill the gates' checklists and show in history.

The `qc_runs` row is the truth: written `queued` in the upload's transaction, claimed
`running` by one worker with a conditional UPDATE, finished `done` (results stored) or
`failed` (the checks themselves could not run) in one transaction. Jobs in the queue are
only nudges, so a job lost or delivered twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import and_, delete, or_, select, update

from shotline.adapters.db.models import Asset, CheckResult, QcRun, RequestLine, Version
from shotline.domain.access import Actor
from shotline.domain.errors import NotFound, ShotlineError
from shotline.domain.events import EventKind, NewEvent
from shotline.domain.policy import Policy
from shotline.domain.qc import CheckContext, CheckOutcome, ImageReport, QcThresholds
from shotline.services.assets import check_visible
from shotline.services.policies import load_active_policy
from shotline.services.unit_of_work import UnitOfWork

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
RUN_STATES = (QUEUED, RUNNING, DONE, FAILED)
TECHNICAL = "technical"
# Images of the same SKU and colorway compared for colour consistency (the newest of each
# other view): enough for a PDP set, bounded so a huge SKU cannot make one run slow.
MAX_PEERS = 8
# The intake field that carries an approved swatch (sRGB hex or CIELAB L,a,b).
REFERENCE_FIELD = "reference_color"
# A running job older than this lost its worker; a queued one older than this (while the
# queue is empty) lost its job.
RUNNING_TIMEOUT = dt.timedelta(minutes=10)
QUEUED_GRACE = dt.timedelta(minutes=2)
_PENDING = "qc.pending_versions"

log = logging.getLogger("shotline.qc")


@dataclass(frozen=True)
class Checker:
    """The measuring side (the imaging checks), injectable so the workflow can be tested
    without pixels."""

    run_checks: Callable[[Path, CheckContext, QcThresholds], ImageReport]
    perceptual_hash: Callable[[Path], int]


def default_checker() -> Checker:
    """The imaging checks of `shotline.adapters.imaging.checks`."""
    from shotline.adapters.imaging.checks import perceptual_hash, run_checks

    return Checker(run_checks, perceptual_hash)


# --- queueing -----------------------------------------------------------------------------


def request_qc(uow: UnitOfWork, version: Version, now: dt.datetime) -> None:
    """Record a queued QC run for a new version in the caller's transaction; once that
    commits, its job is enqueued (one job per transaction, however many versions)."""
    uow.session.add(
        QcRun(
            workspace_id=version.workspace_id,
            version_id=version.id,
            state=QUEUED,
            attempts=0,
            queued_at=now,
        )
    )
    _enqueue_after_commit(uow, [version.id])


def _enqueue_after_commit(uow: UnitOfWork, version_ids: Sequence[int]) -> None:
    pending: list[int] | None = uow.cache.get(_PENDING)
    if pending is None:
        pending = uow.cache[_PENDING] = []

        def send() -> None:
            ids = uow.cache.pop(_PENDING, [])
            if ids and uow.jobs is not None:
                uow.jobs.enqueue_qc(ids)

        uow.after_commit(send)
    pending.extend(version_ids)


def requeue_lost(
    uow: UnitOfWork,
    now: dt.datetime,
    *,
    queue_empty: bool,
    running_timeout: dt.timedelta = RUNNING_TIMEOUT,
    queued_grace: dt.timedelta = QUEUED_GRACE,
) -> list[int]:
    """Runs whose job was lost, queued again and enqueued after the commit: those running
    longer than `running_timeout` (their worker died), and, when the queue is empty (so it
    cannot still hold their job), those queued longer than `queued_grace`. Returns their
    version ids."""
    lost = and_(QcRun.state == RUNNING, QcRun.started_at < now - running_timeout)
    if queue_empty:
        lost = or_(lost, and_(QcRun.state == QUEUED, QcRun.queued_at < now - queued_grace))
    runs = list(uow.session.scalars(select(QcRun).where(lost).order_by(QcRun.id)))
    for run in runs:
        run.state = QUEUED
        run.queued_at = now
        run.started_at = None
    ids = [run.version_id for run in runs]
    if ids:
        log.warning("re-queued QC of %d version(s) whose job was lost", len(ids))
        _enqueue_after_commit(uow, ids)
    uow.commit()
    return ids


def retry_failed(uow: UnitOfWork, actor: Actor, now: dt.datetime) -> list[int]:
    """Queue every failed run of the actor's workspace again (after fixing what made the
    checks fail, e.g. a missing blob restored); the version ids."""
    runs = list(
        uow.session.scalars(
            select(QcRun).where(QcRun.workspace_id == actor.workspace_id, QcRun.state == FAILED)
        )
    )
    for run in runs:
        run.state = QUEUED
        run.queued_at = now
        run.started_at = None
    ids = [run.version_id for run in runs]
    if ids:
        _enqueue_after_commit(uow, ids)
    uow.commit()
    return ids


# --- running ------------------------------------------------------------------------------


@dataclass(frozen=True)
class QcJob:
    """A claimed run: which file to measure, against what."""

    version_id: int
    workspace_id: int
    asset_id: int
    attempt: int
    file: Path
    label: str
    context: CheckContext
    thresholds: QcThresholds


def run_qc(
    uows: Callable[[], UnitOfWork],
    version_id: int,
    *,
    checker: Checker | None = None,
    clock: Callable[[], dt.datetime] | None = None,
) -> str | None:
    """Measure one version: claim its run, run the checks outside any transaction, store
    the results (replacing earlier ones), the overlays and a `qc_checked` event in one
    transaction. Returns the run's final state, or None when there was nothing to do (the
    run is done, or another worker holds it). Never raises for a bad image: an unreadable
    file fails `file_format`; anything else unexpected marks the run failed."""
    now = clock or _utcnow
    try:
        with uows() as uow:
            job = claim(uow, version_id, now())
    except Exception as exc:
        log.exception("QC of version %s could not start", version_id)
        _record_failure(uows, version_id, None, exc, now())
        return FAILED
    if job is None:
        return None
    try:
        report, phash = measure(job, checker or default_checker())
        with uows() as uow:
            stored = store_results(uow, job, report, phash, now())
    except Exception as exc:
        log.exception("QC of version %s failed", version_id)
        _record_failure(uows, version_id, job.attempt, exc, now())
        return FAILED
    return DONE if stored else None


def claim(uow: UnitOfWork, version_id: int, now: dt.datetime) -> QcJob | None:
    """Take a queued run (exactly one worker wins) and gather its context; None when it is
    not queued."""
    taken = uow.session.execute(
        update(QcRun)
        .where(QcRun.version_id == version_id, QcRun.state == QUEUED)
        .values(state=RUNNING, started_at=now, attempts=QcRun.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if getattr(taken, "rowcount", 0) != 1:
        uow.session.rollback()
        return None
    attempt = uow.session.scalar(select(QcRun.attempts).where(QcRun.version_id == version_id))
    job = _job(uow, version_id, int(attempt or 1))
    uow.commit()
    return job


def _job(uow: UnitOfWork, version_id: int, attempt: int) -> QcJob:
    version = uow.session.get(Version, version_id)
    if version is None:
        raise NotFound(f"version {version_id} does not exist")
    asset = uow.session.get(Asset, version.asset_id)
    assert asset is not None
    policy = load_active_policy(uow, version.workspace_id).policy
    fields: dict[str, Any] = (
        uow.session.scalar(
            select(RequestLine.fields).where(RequestLine.id == asset.request_line_id)
        )
        or {}
    )
    channel_name = _first_channel(policy, fields)
    color_class = str(fields.get("color_priority") or "").strip().lower() or None
    if color_class is not None and color_class not in _color_classes(policy):
        color_class = None
    thresholds = QcThresholds.from_policy(
        policy, asset.category, channel_name, color_class=color_class
    )
    context = CheckContext(
        channel=policy.channels.get(channel_name) if channel_name else None,
        channel_name=channel_name,
        category=asset.category,
        reference_lab=_reference_lab(fields.get(REFERENCE_FIELD)),
        reference_path=None,
        source_path=_blob_path(uow, version.parent_id),
        peer_paths=_peer_paths(uow, asset),
        other_sku_hashes=_other_sku_hashes(uow, asset),
    )
    return QcJob(
        version_id=version.id,
        workspace_id=version.workspace_id,
        asset_id=asset.id,
        attempt=attempt,
        file=uow.blobs.open_path(version.sha256),
        label=f"{asset.sku} / {asset.colorway} / {asset.view} v{version.number}",
        context=context,
        thresholds=thresholds,
    )


def _color_classes(policy: Policy) -> set[str]:
    from shotline.domain.qc import DEFAULT_COLOR_CLASSES

    return set(DEFAULT_COLOR_CLASSES) | set(policy.qc.color_classes)


def _first_channel(policy: Policy, fields: dict[str, Any]) -> str | None:
    """The asset's first requested channel the policy knows: the primary destination, whose
    specification (size, background, fill, aspect) the image is held to."""
    channels = fields.get("channels") or []
    if isinstance(channels, str):
        channels = [c.strip() for c in channels.split("|")]
    for name in channels:
        if isinstance(name, str) and name in policy.channels:
            return name
    return None


def _reference_lab(value: Any) -> tuple[float, float, float] | None:
    """The intake's swatch as CIELAB (D65): `#RRGGBB` (sRGB) or `L,a,b`. A value that is
    neither leaves colour accuracy skipped rather than failing the whole run."""
    from shotline.adapters.imaging.checks.colour_checks import reference_lab

    text = str(value or "").strip()
    if not text:
        return None
    try:
        return reference_lab(text)
    except ShotlineError:
        log.warning("ignoring reference colour %r: not #RRGGBB or L,a,b", text)
        return None


def _blob_path(uow: UnitOfWork, version_id: int | None) -> Path | None:
    if version_id is None:
        return None
    sha = uow.session.scalar(select(Version.sha256).where(Version.id == version_id))
    if sha is None or not uow.blobs.exists(sha):
        return None
    return uow.blobs.open_path(sha)


def _peer_paths(uow: UnitOfWork, asset: Asset) -> tuple[Path, ...]:
    """The newest version of every other view of the same SKU and colorway."""
    rows = uow.session.execute(
        select(Version.asset_id, Version.sha256)
        .join(Asset, Asset.id == Version.asset_id)
        .where(
            Asset.workspace_id == asset.workspace_id,
            Asset.sku == asset.sku,
            Asset.colorway == asset.colorway,
            Asset.id != asset.id,
        )
        .order_by(Version.asset_id, Version.number.desc())
    )
    newest: dict[int, str] = {}
    for asset_id, sha in rows:
        newest.setdefault(asset_id, sha)
    paths = [uow.blobs.open_path(sha) for sha in newest.values() if uow.blobs.exists(sha)]
    return tuple(paths[:MAX_PEERS])


def _other_sku_hashes(uow: UnitOfWork, asset: Asset) -> dict[str, int]:
    """Stored perceptual hashes of other SKUs' versions in the workspace, by label."""
    rows = uow.session.execute(
        select(Asset.sku, Asset.colorway, Asset.view, Version.number, QcRun.phash)
        .join(Version, Version.id == QcRun.version_id)
        .join(Asset, Asset.id == Version.asset_id)
        .where(
            QcRun.workspace_id == asset.workspace_id,
            QcRun.phash.is_not(None),
            Asset.sku != asset.sku,
        )
    )
    return {
        f"{sku}/{colorway}/{view} v{number}": int(phash, 16)
        for sku, colorway, view, number, phash in rows
        if phash
    }


def measure(job: QcJob, checker: Checker) -> tuple[ImageReport, str | None]:
    """Run the checks on the job's file; a file that cannot be read fails `file_format`
    (it cannot pass review unmeasured) instead of failing the run."""
    from shotline.adapters.imaging.source import ImageRefused

    try:
        report = checker.run_checks(job.file, job.context, job.thresholds)
    except ImageRefused as exc:
        unreadable = CheckOutcome(
            "file_format",
            passed=False,
            value=None,
            threshold=None,
            unit="",
            message=f"the file cannot be read as an image: {exc}",
        )
        return ImageReport(job.label, (unreadable,)), None
    try:
        phash: str | None = f"{checker.perceptual_hash(job.file) & (2**64 - 1):016x}"
    except ImageRefused:
        phash = None
    return report, phash


def store_results(
    uow: UnitOfWork, job: QcJob, report: ImageReport, phash: str | None, now: dt.datetime
) -> bool:
    """Replace the version's results with this report, finish the run and record
    `qc_checked`, in one transaction. False (nothing written) when the run was re-queued
    and taken again since this job claimed it."""
    run = uow.session.scalar(
        select(QcRun).where(QcRun.version_id == job.version_id).with_for_update()
    )
    if run is None or run.state != RUNNING or run.attempts != job.attempt:
        return False
    uow.session.execute(delete(CheckResult).where(CheckResult.version_id == job.version_id))
    rows = [
        CheckResult(
            workspace_id=job.workspace_id,
            version_id=job.version_id,
            check=outcome.check,
            passed=bool(outcome.passed or outcome.skipped),
            value=_finite(outcome.value),
            threshold=_finite(outcome.threshold),
            unit=outcome.unit[:32],
            explanation=outcome.message,
            measured_at=now,
            skipped=outcome.skipped,
            overlay_sha256=_store_overlay(uow, outcome.overlay_png),
        )
        for outcome in report.checks
    ]
    uow.session.add_all(rows)
    run.state = DONE
    run.finished_at = now
    run.passed = report.passed
    run.phash = phash
    run.error = None
    payload = {
        "version_id": job.version_id,
        "passed": report.passed,
        "failed": [c.check for c in report.failed],
        "skipped": [c.check for c in report.checks if c.skipped],
        "attempt": job.attempt,
    }
    uow.record(
        job.workspace_id, None, now, NewEvent(EventKind.QC_CHECKED, payload, asset_id=job.asset_id)
    )
    uow.commit()
    return True


def _finite(value: float | None) -> float | None:
    # NaN and infinities do not survive every database (nor JSON); they mean "no number".
    if value is None or value != value or value in (float("inf"), float("-inf")):
        return None
    return float(value)


def _store_overlay(uow: UnitOfWork, png: bytes | None) -> str | None:
    if not png:
        return None
    with tempfile.TemporaryDirectory(prefix="shotline-overlay-") as folder:
        path = Path(folder) / "overlay.png"
        path.write_bytes(png)
        return uow.put_blob(path).sha256


def _record_failure(
    uows: Callable[[], UnitOfWork],
    version_id: int,
    attempt: int | None,
    exc: BaseException,
    now: dt.datetime,
) -> None:
    reason = f"{type(exc).__name__}: {exc}"[:2000]
    try:
        with uows() as uow:
            run = uow.session.scalar(
                select(QcRun).where(QcRun.version_id == version_id).with_for_update()
            )
            if run is None or (attempt is not None and run.attempts != attempt):
                return
            asset_id = uow.session.scalar(select(Version.asset_id).where(Version.id == version_id))
            run.state = FAILED
            run.finished_at = now
            run.error = reason
            payload = {"version_id": version_id, "error": reason, "attempt": run.attempts}
            uow.record(
                run.workspace_id,
                None,
                now,
                NewEvent(EventKind.QC_FAILED, payload, asset_id=asset_id),
            )
            uow.commit()
    except Exception:
        # The database itself is failing: the run stays running and the sweeper finds it.
        log.exception("could not record the failed QC of version %s", version_id)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckView:
    """One stored measurement."""

    check: str
    passed: bool
    skipped: bool
    value: float | None
    threshold: float | None
    unit: str
    message: str
    overlay_sha256: str | None


@dataclass(frozen=True)
class RunView:
    """A version's QC run with its results."""

    version_id: int
    asset: str
    version: int
    state: str
    attempts: int
    queued_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    passed: bool | None
    error: str | None
    checks: tuple[CheckView, ...]


def run_state(uow: UnitOfWork, version_id: int) -> str | None:
    """The state of a version's QC run (None: the version has none, e.g. older than QC).
    Flushes nothing: callers read it mid-transaction, before their own rows are written."""
    with uow.session.no_autoflush:
        return uow.session.scalar(select(QcRun.state).where(QcRun.version_id == version_id))


def results_of(uow: UnitOfWork, version_id: int) -> tuple[CheckView, ...]:
    """The latest results of a version, in the public check order."""
    from shotline.domain.qc import CHECK_NAMES

    order = {name: i for i, name in enumerate(CHECK_NAMES)}
    rows = uow.session.scalars(select(CheckResult).where(CheckResult.version_id == version_id))
    views = [
        CheckView(
            r.check,
            r.passed,
            r.skipped,
            r.value,
            r.threshold,
            r.unit,
            r.explanation,
            r.overlay_sha256,
        )
        for r in rows
    ]
    return tuple(sorted(views, key=lambda v: (order.get(v.check, len(order)), v.check)))


def list_runs(
    uow: UnitOfWork,
    actor: Actor,
    state: str | None = None,
    sku: str | None = None,
    limit: int = 50,
) -> list[RunView]:
    """QC runs of the actor's workspace, newest first (optionally one state or SKU)."""
    if state is not None and state not in RUN_STATES:
        raise ShotlineError(f"unknown QC run state {state!r}; expected {', '.join(RUN_STATES)}")
    query = (
        select(QcRun, Asset, Version.number)
        .join(Version, Version.id == QcRun.version_id)
        .join(Asset, Asset.id == Version.asset_id)
        .where(QcRun.workspace_id == actor.workspace_id)
        .order_by(QcRun.queued_at.desc(), QcRun.id.desc())
        .limit(limit)
    )
    if state is not None:
        query = query.where(QcRun.state == state)
    if sku is not None:
        query = query.where(Asset.sku == sku)
    views = []
    for run, asset, number in uow.session.execute(query):
        try:
            check_visible(uow, actor, asset)
        except NotFound:
            continue  # a vendor sees only the runs of work assigned to it
        views.append(_run_view(uow, run, asset, number))
    return views


def version_runs(uow: UnitOfWork, assets: Sequence[Asset]) -> list[RunView]:
    """The QC run and results of every version of these assets, oldest version first."""
    if not assets:
        return []
    by_id = {a.id: a for a in assets}
    rows = uow.session.execute(
        select(QcRun, Version.asset_id, Version.number)
        .join(Version, Version.id == QcRun.version_id)
        .where(Version.asset_id.in_(by_id))
        .order_by(Version.asset_id, Version.number)
    )
    return [_run_view(uow, run, by_id[asset_id], number) for run, asset_id, number in rows]


def _run_view(uow: UnitOfWork, run: QcRun, asset: Asset, number: int) -> RunView:
    return RunView(
        version_id=run.version_id,
        asset=f"{asset.sku} / {asset.colorway} / {asset.view}",
        version=number,
        state=run.state,
        attempts=run.attempts,
        queued_at=run.queued_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
        passed=run.passed,
        error=run.error,
        checks=results_of(uow, run.version_id) if run.state == DONE else (),
    )


# --- the gates ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PrefilledItem:
    """A checklist item with the answer the measurements suggest: True when every mapped
    check that ran passed, False when one failed, None when none ran (or none is mapped):
    then the reviewer answers alone."""

    code: str
    question: str
    checks: tuple[str, ...]
    answer: bool | None
    evidence: tuple[CheckView, ...]


def gate_prefill(uow: UnitOfWork, version_id: int, gate: str) -> list[PrefilledItem]:
    """The gate's checklist pre-filled from the version's latest QC results, through the
    policy's `checks:` list on each checklist item. Callers check that the actor may see
    the version."""
    version = uow.session.get(Version, version_id)
    if version is None:
        raise NotFound(f"version {version_id} does not exist")
    policy = load_active_policy(uow, version.workspace_id).policy
    if gate not in policy.gates:
        raise ShotlineError(f"unknown gate {gate!r}; expected {', '.join(policy.gates)}")
    results = {r.check: r for r in results_of(uow, version_id)}
    items = []
    for item in policy.gates[gate].checklist:
        evidence = tuple(results[c] for c in item.checks if c in results)
        ran = [r for r in evidence if not r.skipped]
        answer = all(r.passed for r in ran) if ran else None
        items.append(PrefilledItem(item.code, item.question, item.checks, answer, evidence))
    return items


def technical_prefill(uow: UnitOfWork, version_id: int) -> list[PrefilledItem]:
    """The technical gate's checklist pre-filled from the version's QC results."""
    return gate_prefill(uow, version_id, TECHNICAL)


def find_version(uow: UnitOfWork, actor: Actor, asset: Asset, number: int | None) -> Version:
    """An asset's version by number (default the newest), after the visibility check."""
    check_visible(uow, actor, asset)
    query = select(Version).where(Version.asset_id == asset.id)
    query = (
        query.where(Version.number == number) if number else query.order_by(Version.number.desc())
    )
    version = uow.session.scalars(query.limit(1)).first()
    if version is None:
        raise NotFound(
            f"{asset.sku} / {asset.colorway} / {asset.view} has no version {number or ''}".strip()
        )
    return version
