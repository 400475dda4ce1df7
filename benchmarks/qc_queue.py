"""Benchmark: what automated QC in the workflow costs a replay, and how fast a worker then
clears the backlog.

A simulated replay (fixed seed) is applied three times, each on a fresh SQLite database in
this process:

* baseline: no QC at all (`request_qc` replaced by a no-op for this run only);
* rows only: every upload records its queued `qc_runs` row, no queue configured;
* queue: rows plus the default SQLite Huey queue, one job per replay batch (as shipped).

Then `HueyJobs.run_until_idle` measures every queued version with the real checks, in
versions per second (the simulated images are 16 x 16 PNGs: this measures the plumbing,
claim, context, store, event, not the pixel work; see benchmarks/qc_accuracy.py and the QC
speed benchmark for that).

    .venv/bin/python benchmarks/qc_queue.py [--skus 150] [--days 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from shotline.adapters.db import migrate
from shotline.adapters.db.engine import make_engine
from shotline.adapters.db.models import QcRun
from shotline.bootstrap import App, build
from shotline.config import Settings
from shotline.services import qc, workspaces
from shotline.services.policies import check_policy, default_policy_text
from shotline.services.replay import replay_file
from shotline.simulation.workflow import simulate

END = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)
SEED = 7


def _app(work: Path, name: str, days: int) -> App:
    home = work / name
    url = f"sqlite:///{home / 'shotline.db'}"
    home.mkdir(parents=True)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    app = build(Settings(home, url, "bench", "admin"))
    with app.uow() as uow:
        workspaces.initialise_workspace(uow, "bench", "Bench", END - dt.timedelta(days=days + 1))
    return app


def _replay(app: App, path: Path) -> dict[str, Any]:
    start, cpu = time.perf_counter(), time.process_time()
    result = replay_file(app, "bench", path)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    with app.engine.connect() as conn:
        runs = conn.execute(select(func.count()).select_from(QcRun)).scalar_one()
    jobs = app.jobs.pending() if app.jobs is not None and runs else 0
    return {"seconds": seconds, "cpu": cpu, "applied": result.applied, "runs": runs, "jobs": jobs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=150)
    parser.add_argument("--days", type=int, default=20)
    args = parser.parse_args()
    policy = check_policy(default_policy_text(), "default policy")
    with tempfile.TemporaryDirectory(prefix="qc-queue-") as folder:
        work = Path(folder)
        path, lines = simulate(work / "sim", args.skus, args.days, SEED, policy, END)

        baseline_app = _app(work, "baseline", args.days)
        real_request = qc.request_qc
        qc.request_qc = lambda uow, version, now: None  # type: ignore[assignment]
        try:
            baseline = _replay(baseline_app, path)
        finally:
            qc.request_qc = real_request  # type: ignore[assignment]
        baseline_app.close()

        rows_app = _app(work, "rows", args.days)
        rows_app.jobs = None
        rows_only = _replay(rows_app, path)
        rows_app.close()

        queue_app = _app(work, "queue", args.days)
        queued = _replay(queue_app, path)
        assert queue_app.jobs is not None
        start, cpu = time.perf_counter(), time.process_time()
        ran = queue_app.jobs.run_until_idle()
        drain_seconds, drain_cpu = time.perf_counter() - start, time.process_time() - cpu
        with queue_app.engine.connect() as conn:
            states = dict(
                conn.execute(select(QcRun.state, func.count()).group_by(QcRun.state)).all()
            )
        queue_app.close()

    cpu = platform.processor() or platform.machine()
    print(
        f"machine: {platform.system()} {cpu}, {os.cpu_count()} CPU(s), "
        f"Python {platform.python_version()}; SQLite; {lines} replay lines, "
        f"{queued['runs']} uploads"
    )
    runs = (
        ("baseline (no QC)", baseline),
        ("QC rows only", rows_only),
        ("QC rows + SQLite queue", queued),
    )
    for label, run in runs:
        print(
            f"{label:24} {run['seconds']:7.2f} s wall "
            f"({run['seconds'] / baseline['seconds']:4.2f}x), {run['cpu']:7.2f} s CPU "
            f"({run['cpu'] / baseline['cpu']:4.2f}x baseline); "
            f"runs {run['runs']}, jobs in queue {run['jobs']}"
        )
    print(
        f"worker drain: {ran} job(s), {queued['runs']} versions in {drain_seconds:.2f} s wall, "
        f"{drain_cpu:.2f} s CPU ({queued['runs'] / drain_cpu:.1f} versions per CPU second, "
        f"one thread); runs {states}"
    )
    print("Wall times on a shared machine are noisy; CPU seconds are this process's own.")


if __name__ == "__main__":
    main()
