"""Automated QC in the workflow: a run per upload, results stored with the version, the
technical gate pre-filled and guarded, lost jobs found again, history. The imaging checks
are replaced by a scripted checker so these tests are about the plumbing, not pixels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from huey import MemoryHuey
from sqlalchemy import func, select

from conftest import NOW
from crew import Crew
from shotline.adapters.db.models import CheckResult, Event, QcRun
from shotline.adapters.imaging.source import ImageRefused
from shotline.adapters.queue import HueyJobs
from shotline.domain.qc import CheckContext, CheckOutcome, ImageReport, QcThresholds
from shotline.domain.review import ReviewError
from shotline.services import history, qc
from shotline.services.assets import AssetKey
from support import row

FRONT = AssetKey("TEE-001", "Black", "front")
BACK = AssetKey("TEE-001", "Black", "back")
OTHER = AssetKey("TEE-002", "Black", "front")
LATER = NOW + dt.timedelta(minutes=1)


@dataclass
class ScriptedChecker:
    """Fails the checks named in `failing`, skips those in `skipped`, passes the rest; the
    first outcome carries an overlay. Remembers what it was asked to measure."""

    failing: set[str] = field(default_factory=set)
    skipped: set[str] = field(default_factory=set)
    refuse: bool = False
    explode: bool = False
    calls: list[tuple[Path, CheckContext, QcThresholds]] = field(default_factory=list)

    def run_checks(self, path: Path, context: CheckContext, limits: QcThresholds) -> ImageReport:
        self.calls.append((path, context, limits))
        if self.explode:
            raise RuntimeError("checker crashed")
        if self.refuse:
            raise ImageRefused(str(path), "not an image")
        outcomes = [
            CheckOutcome(
                name,
                passed=name not in self.failing,
                value=1.5,
                threshold=2.0,
                unit="px",
                message=f"{name} measured",
                skipped=name in self.skipped,
                overlay_png=b"\x89PNG overlay" if name == "focus" else None,
            )
            for name in ("resolution", "focus", "exposure", "fill_ratio", "aspect_ratio")
        ]
        return ImageReport(str(path), tuple(outcomes))

    def perceptual_hash(self, path: Path) -> int:
        return 0xF0F0F0F0F0F0F0F0


@dataclass
class RecordingJobs:
    """A queue that only remembers what was enqueued."""

    batches: list[list[int]] = field(default_factory=list)

    def enqueue_qc(self, version_ids: Sequence[int]) -> None:
        self.batches.append(list(version_ids))


@pytest.fixture
def checker() -> ScriptedChecker:
    return ScriptedChecker()


@pytest.fixture
def immediate(crew: Crew, checker: ScriptedChecker) -> HueyJobs:
    """Jobs run in-process as soon as the upload commits (Huey's immediate mode)."""
    jobs = HueyJobs(
        lambda: MemoryHuey("test", immediate=True, results=False),
        checker=qc.Checker(checker.run_checks, checker.perceptual_hash),
        clock=lambda: LATER,
    )
    jobs.bind(crew.app.uow)
    crew.app.jobs = jobs
    return jobs


@pytest.fixture
def recorded(crew: Crew) -> RecordingJobs:
    jobs = RecordingJobs()
    crew.app.jobs = jobs  # type: ignore[assignment]
    return jobs


def _run(crew: Crew, version_id: int) -> QcRun:
    with crew.app.uow() as uow:
        run = uow.session.scalar(select(QcRun).where(QcRun.version_id == version_id))
        assert run is not None
        uow.session.expunge(run)
        return run


def _results(crew: Crew, version_id: int) -> dict[str, CheckResult]:
    with crew.app.uow() as uow:
        rows = list(
            uow.session.scalars(select(CheckResult).where(CheckResult.version_id == version_id))
        )
        for r in rows:
            uow.session.expunge(r)
    assert len(rows) == len({r.check for r in rows}), "results duplicated"
    return {r.check: r for r in rows}


def test_an_upload_records_a_queued_run_and_enqueues_it_after_the_commit(
    crew: Crew, recorded: RecordingJobs
) -> None:
    crew.import_rows([row()])
    version = crew.upload("retoucher", FRONT, "retouch")
    run = _run(crew, version.version_id)
    assert (run.state, run.attempts, run.queued_at) == ("queued", 0, NOW)
    assert recorded.batches == [[version.version_id]]


def test_a_refused_upload_leaves_no_run_and_enqueues_nothing(
    crew: Crew, recorded: RecordingJobs
) -> None:
    crew.import_rows([row()])
    with pytest.raises(Exception, match="upload"):
        crew.upload("merch", FRONT, "retouch")  # a merchandiser may not upload
    with crew.app.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(QcRun)) == 0
    assert recorded.batches == []


def test_many_uploads_in_one_transaction_make_one_job(crew: Crew, recorded: RecordingJobs) -> None:
    """Replay batches many lines into one transaction: one queue write for the lot."""
    from shotline.services import production

    crew.import_rows([row()])
    from shotline.simulation.images import write_png

    paths = [write_png(crew.files / f"{i}.png", f"batch {i}") for i in range(2)]
    with crew.app.uow() as uow:
        uow.defer_commits()
        for path, key in zip(paths, (FRONT, BACK), strict=True):
            production.upload_version(
                uow, crew["retoucher"], key, production.Upload(path, "retouch"), NOW
            )
        assert recorded.batches == []  # nothing before the real commit
        uow.commit_deferred()
    assert len(recorded.batches) == 1 and len(recorded.batches[0]) == 2


def test_a_rolled_back_upload_enqueues_nothing(crew: Crew, recorded: RecordingJobs) -> None:
    from shotline.services import production
    from shotline.simulation.images import write_png

    crew.import_rows([row()])
    path = write_png(crew.files / "a.png", "rolled back")
    with crew.app.uow() as uow:
        uow.defer_commits()
        production.upload_version(
            uow, crew["retoucher"], BACK, production.Upload(path, "retouch"), NOW
        )
        # Leaving the block without commit_deferred rolls everything back.
    assert recorded.batches == []
    with crew.app.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(QcRun)) == 0


def test_results_are_stored_with_the_version_and_an_event(
    crew: Crew, immediate: HueyJobs, checker: ScriptedChecker
) -> None:
    checker.failing = {"focus"}
    checker.skipped = {"aspect_ratio"}
    crew.import_rows([row()])
    version = crew.upload("retoucher", FRONT, "retouch")
    run = _run(crew, version.version_id)
    assert (run.state, run.attempts, run.passed) == ("done", 1, False)
    assert (run.started_at, run.finished_at, run.phash) == (LATER, LATER, "f0f0f0f0f0f0f0f0")
    results = _results(crew, version.version_id)
    assert set(results) == {"resolution", "focus", "exposure", "fill_ratio", "aspect_ratio"}
    focus = results["focus"]
    assert (focus.passed, focus.value, focus.threshold, focus.unit) == (False, 1.5, 2.0, "px")
    assert focus.explanation == "focus measured"
    assert focus.overlay_sha256 is not None
    assert crew.app.blobs.open_path(focus.overlay_sha256).read_bytes() == b"\x89PNG overlay"
    assert results["aspect_ratio"].skipped and results["aspect_ratio"].passed
    with crew.app.uow() as uow:
        (event,) = uow.session.scalars(select(Event).where(Event.kind == "qc_checked"))
        payload, asset_id = event.payload, event.asset_id
    assert payload["failed"] == ["focus"]
    assert payload["skipped"] == ["aspect_ratio"]
    assert asset_id == crew.asset_id(FRONT)


def test_the_context_comes_from_the_policy_the_intake_and_the_other_versions(
    crew: Crew, immediate: HueyJobs, checker: ScriptedChecker
) -> None:
    crew.import_rows(
        [
            row(colorways="Black", reference_color="#1F2A44", color_priority="high"),
            row(sku="TEE-002", colorways="Black", views="front"),
        ]
    )
    other = crew.upload("retoucher", OTHER, "retouch", submit=False)
    back = crew.upload("retoucher", BACK, "retouch", submit=False)
    first = crew.upload("retoucher", FRONT, "retouch", submit=False)
    crew.upload("retoucher", FRONT, "retouch")
    path, context, limits = checker.calls[-1]
    assert (context.channel_name, context.category) == ("pdp", "apparel")
    assert context.channel is not None and context.channel.aspect == "4:5"
    assert limits.min_long_side == 2500 and limits.aspect == (4, 5)
    assert limits.color_class == "high"
    assert context.reference_lab is not None
    lightness, _, b = context.reference_lab
    assert 15 < lightness < 20 and b < -15  # a dark navy
    with crew.app.uow() as uow:
        from shotline.adapters.db.models import Version

        sha = {v.id: v.sha256 for v in uow.session.scalars(select(Version))}
    assert context.source_path == crew.app.blobs.open_path(sha[first.version_id])
    assert context.peer_paths == (crew.app.blobs.open_path(sha[back.version_id]),)
    assert context.other_sku_hashes == {"TEE-002/Black/front v1": 0xF0F0F0F0F0F0F0F0}
    assert path == crew.app.blobs.open_path(sha[max(sha)])
    assert other.version_id in sha


def test_without_a_reference_or_channel_the_context_says_so(
    crew: Crew, immediate: HueyJobs, checker: ScriptedChecker
) -> None:
    crew.import_rows([row(reference_color="not a colour")])
    crew.upload("retoucher", FRONT, "retouch")
    _, context, _ = checker.calls[-1]
    assert context.reference_lab is None and context.source_path is None
    assert context.reference_path is None


def test_running_a_job_twice_changes_nothing_and_a_rerun_replaces_the_results(
    crew: Crew, immediate: HueyJobs, checker: ScriptedChecker
) -> None:
    checker.failing = {"focus"}
    crew.import_rows([row()])
    version = crew.upload("retoucher", FRONT, "retouch")
    before = _results(crew, version.version_id)
    # A duplicate job (the sweeper re-sent it while the first was still queued): no-op.
    assert qc.run_qc(crew.app.uow, version.version_id, checker=immediate.checker) is None
    assert len(checker.calls) == 1
    # Queued again (say, the run was re-queued by hand): the results are replaced.
    with crew.app.uow() as uow:
        run = uow.session.scalar(select(QcRun).where(QcRun.version_id == version.version_id))
        assert run is not None
        run.state = "queued"
        uow.commit()
    checker.failing = set()
    assert qc.run_qc(crew.app.uow, version.version_id, checker=immediate.checker) == "done"
    after = _results(crew, version.version_id)
    assert set(after) == set(before)
    assert not before["focus"].passed and after["focus"].passed
    assert _run(crew, version.version_id).attempts == 2


def test_a_worker_that_comes_back_after_its_run_was_retaken_stores_nothing(
    crew: Crew, recorded: RecordingJobs, checker: ScriptedChecker
) -> None:
    crew.import_rows([row()])
    version = crew.upload("retoucher", FRONT, "retouch")
    tools = qc.Checker(checker.run_checks, checker.perceptual_hash)
    with crew.app.uow() as uow:
        slow = qc.claim(uow, version.version_id, NOW)
    assert slow is not None
    with crew.app.uow() as uow:  # the slow worker looks dead: its run is re-queued
        assert qc.requeue_lost(uow, NOW + dt.timedelta(hours=1), queue_empty=False) == [
            version.version_id
        ]
    assert recorded.batches[-1] == [version.version_id]
    assert qc.run_qc(crew.app.uow, version.version_id, checker=tools) == "done"
    report, phash = qc.measure(slow, tools)
    with crew.app.uow() as uow:
        assert qc.store_results(uow, slow, report, phash, NOW) is False
    assert len(_results(crew, version.version_id)) == 5
    assert _run(crew, version.version_id).attempts == 2


def test_the_sweeper_requeues_only_lost_runs(crew: Crew, recorded: RecordingJobs) -> None:
    crew.import_rows([row()])
    front = crew.upload("retoucher", FRONT, "retouch")
    back = crew.upload("retoucher", BACK, "retouch")
    with crew.app.uow() as uow:
        assert qc.claim(uow, front.version_id, NOW) is not None  # running since NOW
    soon = NOW + dt.timedelta(minutes=1)
    with crew.app.uow() as uow:
        assert qc.requeue_lost(uow, soon, queue_empty=True) == []  # too recent to be lost
    later = NOW + dt.timedelta(minutes=30)
    with crew.app.uow() as uow:
        # The queue still holds jobs, so a queued run may simply be waiting its turn.
        assert qc.requeue_lost(uow, later, queue_empty=False) == [front.version_id]
    with crew.app.uow() as uow:
        assert qc.requeue_lost(uow, later, queue_empty=True) == [back.version_id]
    assert _run(crew, front.version_id).state == "queued"
    assert _run(crew, front.version_id).queued_at == later
    assert recorded.batches[-2:] == [[front.version_id], [back.version_id]]


def test_an_unreadable_file_fails_file_format(
    crew: Crew, immediate: HueyJobs, checker: ScriptedChecker
) -> None:
    checker.refuse = True
    crew.import_rows([row()])
    version = crew.upload("retoucher", FRONT, "retouch")
    run = _run(crew, version.version_id)
    assert (run.state, run.passed, run.phash) == ("done", False, None)
    (result,) = _results(crew, version.version_id).values()
    assert (result.check, result.passed) == ("file_format", False)
    assert "cannot be read" in result.explanation


def test_a_crash_marks_the_run_failed_and_it_can_be_retried(
    crew: Crew, immediate: HueyJobs, checker: ScriptedChecker
) -> None:
    checker.explode = True
    crew.import_rows([row()])
    version = crew.upload("retoucher", FRONT, "retouch")
    run = _run(crew, version.version_id)
    assert run.state == "failed" and run.error == "RuntimeError: checker crashed"
    with crew.app.uow() as uow:
        (event,) = uow.session.scalars(select(Event).where(Event.kind == "qc_failed"))
        assert event.payload["error"] == "RuntimeError: checker crashed"
    checker.explode = False
    with crew.app.uow() as uow:
        assert qc.retry_failed(uow, crew["admin"], NOW) == [version.version_id]
    assert _run(crew, version.version_id).state == "done"


def test_a_failed_check_blocks_the_technical_pass_unless_overridden(
    crew: Crew, immediate: HueyJobs, checker: ScriptedChecker
) -> None:
    checker.failing = {"focus", "aspect_ratio"}
    checker.skipped = {"aspect_ratio"}  # skipped: no verdict, never blocks
    crew.import_rows([row()])
    crew.upload("retoucher", FRONT, "retouch")
    with pytest.raises(ReviewError, match=r"failed automated checks \(focus\)"):
        crew.decide("qc", FRONT, "technical")
    crew.decide("qc", FRONT, "technical", override="soft focus is the look of this drop")


def test_a_rerun_that_passes_lifts_the_block(
    crew: Crew, immediate: HueyJobs, checker: ScriptedChecker
) -> None:
    checker.failing = {"exposure"}
    crew.import_rows([row()])
    version = crew.upload("retoucher", FRONT, "retouch")
    checker.failing = set()
    with crew.app.uow() as uow:
        run = uow.session.scalar(select(QcRun).where(QcRun.version_id == version.version_id))
        assert run is not None
        run.state = "queued"
        uow.commit()
    qc.run_qc(crew.app.uow, version.version_id, checker=immediate.checker)
    crew.decide("qc", FRONT, "technical")  # no override needed any more


def test_the_technical_checklist_is_prefilled_from_the_results(
    crew: Crew, immediate: HueyJobs, checker: ScriptedChecker
) -> None:
    checker.failing = {"focus"}
    checker.skipped = {"aspect_ratio"}
    crew.import_rows([row()])
    version = crew.upload("retoucher", FRONT, "retouch")
    with crew.app.uow() as uow:
        items = {i.code: i for i in qc.technical_prefill(uow, version.version_id)}
    assert items["focus"].answer is False
    assert items["focus"].evidence[0].value == 1.5
    assert items["resolution"].answer is True
    assert items["framing"].checks == ("fill_ratio", "aspect_ratio")
    assert items["framing"].answer is True  # fill ran and passed; aspect was skipped
    assert items["white_balance"].answer is None  # its check did not run
    assert items["clipping_path"].answer is None  # no check measures it


def test_prefill_before_the_run_leaves_everything_to_the_reviewer(
    crew: Crew, recorded: RecordingJobs
) -> None:
    crew.import_rows([row()])
    version = crew.upload("retoucher", FRONT, "retouch")
    with crew.app.uow() as uow:
        items = qc.technical_prefill(uow, version.version_id)
    assert items and all(i.answer is None for i in items)


def test_history_shows_each_versions_results(
    crew: Crew, immediate: HueyJobs, checker: ScriptedChecker
) -> None:
    checker.failing = {"focus"}
    crew.import_rows([row()])
    crew.upload("retoucher", FRONT, "retouch", submit=False)
    checker.failing = set()
    crew.upload("retoucher", FRONT, "retouch")
    with crew.app.uow() as uow:
        runs = history.qc_history(uow, crew["qc"], "TEE-001", "Black", "front")
        events = [e.kind for e in history.asset_history(uow, crew["qc"], "TEE-001")]
    assert [(r.version, r.state, r.passed) for r in runs] == [(1, "done", False), (2, "done", True)]
    focus = {c.check: c for c in runs[0].checks}["focus"]
    assert (focus.passed, focus.value, focus.threshold) == (False, 1.5, 2.0)
    assert events.count("qc_checked") == 2


def test_qc_status_lists_runs_of_the_workspace(crew: Crew, recorded: RecordingJobs) -> None:
    crew.import_rows([row()])
    crew.upload("retoucher", FRONT, "retouch")
    with crew.app.uow() as uow:
        runs = qc.list_runs(uow, crew["producer"], state="queued")
        assert [(r.asset, r.state) for r in runs] == [("TEE-001 / Black / front", "queued")]
        assert qc.list_runs(uow, crew["producer"], state="done") == []
        with pytest.raises(Exception, match="unknown QC run state"):
            qc.list_runs(uow, crew["producer"], state="lost")


def test_a_vendor_sees_only_the_runs_of_its_own_work(crew: Crew, recorded: RecordingJobs) -> None:
    from shotline.services import assignment

    crew.import_rows([row()])
    crew.upload("retoucher", FRONT, "retouch")
    with crew.app.uow() as uow:
        assert qc.list_runs(uow, crew["vendor"]) == []
    with crew.app.uow() as uow:
        assignment.assign(uow, crew["producer"], [FRONT], NOW, team="Pixel Lab")
    with crew.app.uow() as uow:
        assert [r.asset for r in qc.list_runs(uow, crew["vendor"])] == ["TEE-001 / Black / front"]


def test_a_decision_records_whether_the_measurements_were_in(
    crew: Crew, recorded: RecordingJobs, checker: ScriptedChecker
) -> None:
    crew.import_rows([row()])
    version = crew.upload("retoucher", FRONT, "retouch")
    crew.decide("qc", FRONT, "technical")  # before any worker ran: no block, but on record
    qc.run_qc(
        crew.app.uow,
        version.version_id,
        checker=qc.Checker(checker.run_checks, checker.perceptual_hash),
    )
    crew.decide("cd", FRONT, "styling_fit")
    with crew.app.uow() as uow:
        states = [
            e.payload["qc"]
            for e in uow.session.scalars(select(Event).where(Event.kind == "gate_passed"))
        ]
    assert states == ["queued", "done"]
