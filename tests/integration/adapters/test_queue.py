"""The job queue on real Huey storage: a SQLite consumer thread, Redis, draining, and a queue
that is down. The imaging checks are scripted; the queue and the database are real."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from huey import PriorityRedisHuey, SqliteHuey
from sqlalchemy import select

from conftest import NOW
from crew import CREW, Crew
from shotline.adapters.db.models import CheckResult, QcRun
from shotline.adapters.queue import HueyJobs, make_huey, start_embedded_worker
from shotline.bootstrap import App
from shotline.config import Settings
from shotline.domain.access import Actor
from shotline.domain.qc import CheckContext, CheckOutcome, ImageReport, QcThresholds
from shotline.services import qc, workspaces
from shotline.services.assets import AssetKey
from support import row

FRONT = AssetKey("TEE-001", "Black", "front")
BACK = AssetKey("TEE-001", "Black", "back")
REDIS_URL = os.environ.get("SHOTLINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def crew(app: App, admin: Actor, tmp_path: Path) -> Crew:
    people = {"admin": admin}
    for name, roles in CREW.items():
        with app.uow() as uow:
            people[name] = workspaces.add_user(uow, admin, name, roles, NOW)
    files = tmp_path / "files"
    files.mkdir()
    return Crew(app, people, files)


def _report(path: Path, context: CheckContext, limits: QcThresholds) -> ImageReport:
    focus = CheckOutcome("focus", False, 3.0, 2.0, "px", "soft")
    return ImageReport(str(path), (focus,))


CHECKER = qc.Checker(_report, lambda path: 42)


def _states(app: App) -> dict[int, str]:
    with app.uow() as uow:
        return {r.version_id: r.state for r in uow.session.scalars(select(QcRun))}


def _wait_done(app: App, count: int, timeout: float = 30.0) -> dict[int, str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = _states(app)
        if len(states) == count and set(states.values()) == {"done"}:
            return states
        time.sleep(0.05)
    raise AssertionError(f"runs not done in {timeout}s: {_states(app)}")


def _use(crew: Crew, jobs: HueyJobs) -> HueyJobs:
    jobs.checker = CHECKER
    jobs.bind(crew.app.uow)
    crew.app.jobs = jobs
    return jobs


def test_the_default_queue_is_sqlite_in_home_and_redis_when_configured(tmp_path: Path) -> None:
    settings = Settings(tmp_path / "home", "sqlite://", "default", "admin")
    huey = make_huey(settings)
    assert isinstance(huey, SqliteHuey)
    assert huey.storage.filename == str(tmp_path / "home" / "queue.db")
    redis = make_huey(Settings(tmp_path, "sqlite://", "default", "admin", REDIS_URL))
    assert isinstance(redis, PriorityRedisHuey)


def test_settings_read_the_redis_url_from_the_environment() -> None:
    env = {"SHOTLINE_HOME": "/tmp/x", "SHOTLINE_REDIS_URL": "redis://queue:6379/0"}
    assert Settings.from_env(env).redis_url == "redis://queue:6379/0"
    assert Settings.from_env({"SHOTLINE_HOME": "/tmp/x"}).redis_url is None


def test_a_sqlite_consumer_thread_measures_uploads(crew: Crew, tmp_path: Path) -> None:
    settings = crew.app.settings
    jobs = _use(crew, HueyJobs.from_settings(settings))
    stop = start_embedded_worker(crew.app, workers=2)
    try:
        crew.import_rows([row()])
        front = crew.upload("retoucher", FRONT, "retouch")
        back = crew.upload("retoucher", BACK, "retouch")
        states = _wait_done(crew.app, 2)
    finally:
        stop()
    assert states == {front.version_id: "done", back.version_id: "done"}
    assert (settings.home / "queue.db").is_file()
    assert jobs.pending() == 0
    with crew.app.uow() as uow:
        checks = [
            (r.version_id, r.check, r.passed) for r in uow.session.scalars(select(CheckResult))
        ]
    assert sorted(checks) == [(front.version_id, "focus", False), (back.version_id, "focus", False)]


def test_drain_runs_waiting_jobs_and_finds_lost_runs(crew: Crew) -> None:
    jobs = _use(crew, HueyJobs.from_settings(crew.app.settings))
    crew.import_rows([row()])
    front = crew.upload("retoucher", FRONT, "retouch")
    assert jobs.pending() == 1
    jobs.huey.flush()  # the queue loses the job (say, a Redis restart without persistence)
    crew.upload("retoucher", BACK, "retouch")
    assert jobs.run_until_idle() == 2  # the back's job, then the front's again
    assert set(_states(crew.app).values()) == {"done"}
    assert front.version_id in _states(crew.app)


def test_a_queue_that_is_down_does_not_fail_the_upload(crew: Crew) -> None:
    # Nothing listens on port 1: every enqueue fails.
    down = HueyJobs(lambda: PriorityRedisHuey("down", url="redis://127.0.0.1:1/0"))
    _use(crew, down)
    crew.import_rows([row()])
    version = crew.upload("retoucher", FRONT, "retouch")
    assert _states(crew.app) == {version.version_id: "queued"}  # the sweeper's to find


@pytest.fixture
def redis_huey() -> Iterator[PriorityRedisHuey]:
    """A Redis-backed Huey on its own queue name; under CI=true Redis must be there."""
    huey = PriorityRedisHuey(f"shotline-test-{uuid.uuid4().hex[:8]}", url=REDIS_URL, results=False)
    try:
        huey.storage.conn.ping()
    except Exception as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required under CI=true: {exc}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    yield huey
    huey.flush()


def test_redis_carries_jobs_to_a_consumer(crew: Crew, redis_huey: PriorityRedisHuey) -> None:
    jobs = _use(crew, HueyJobs(lambda: redis_huey))
    crew.import_rows([row()])
    version = crew.upload("retoucher", FRONT, "retouch")
    assert jobs.pending() == 1
    consumer = jobs.consumer(workers=1, periodic=False)
    consumer.start()
    try:
        assert _wait_done(crew.app, 1) == {version.version_id: "done"}
    finally:
        consumer.stop(graceful=True)
    assert jobs.pending() == 0


def test_single_uploads_go_before_bulk_batches(redis_huey: PriorityRedisHuey) -> None:
    jobs = HueyJobs(lambda: redis_huey)
    jobs.enqueue_qc([1, 2, 3])
    jobs.enqueue_qc([4])
    first = redis_huey.dequeue()
    assert first is not None and first.args == ([4],)


def test_the_periodic_sweep_requeues_runs_whose_job_was_lost(crew: Crew) -> None:
    jobs = _use(crew, HueyJobs.from_settings(crew.app.settings))
    crew.import_rows([row()])
    version = crew.upload("retoucher", FRONT, "retouch")  # queued at NOW, hours ago
    assert jobs.sweep() == []  # its job still waits in the queue: not lost
    jobs.huey.flush()
    assert jobs.sweep() == [version.version_id]
    assert jobs.pending() == 1
    assert jobs.run_until_idle() == 1 and _states(crew.app) == {version.version_id: "done"}


def test_with_redis_configured_serve_starts_no_embedded_worker(crew: Crew) -> None:
    settings = crew.app.settings
    crew.app.settings = Settings(
        settings.home, settings.database_url, "default", "admin", REDIS_URL
    )
    assert start_embedded_worker(crew.app)() is None  # a no-op: `shotline worker` runs jobs
