"""Benchmark: one gate decision through the service layer with 1,000,000 assets in the
database, p50/p90/p99/max in milliseconds, on SQLite and PostgreSQL.

Setup (timed, reported apart) fills a fresh, migrated database with Core bulk inserts: a
workspace (initialise_workspace), a photographer, a retoucher and two qc_lead users (through
workspaces.add_user), one request, SKU lines generated and validated as a real intake would
(categories, tracks, colorways, views, due dates), and their assets in batches of 50,000,
spread over the lifecycle states. A random sample of assets on non-AI tracks gets a capture
and an uploaded retouch version row (by the retoucher) and waits in_review at the technical
gate. PostgreSQL is ANALYZEd after the load, as autovacuum soon would; SQLite is not (Shotline
never runs ANALYZE there).

Then K calls of review.decide_gate, each in its own app.uow(), pass the full technical
checklist for K different assets (after a few warm-up decisions, not counted). The baseline,
on the same database and engine in the same process: a plain single-row Core UPDATE + commit
of one asset by primary key, K times.

Each backend runs in its own child process; temporary files and the PostgreSQL database are
removed afterwards.

    .venv/bin/python benchmarks/gate_decision.py [--assets 1000000] [--sample 2000]
                                                 [--no-postgres]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from _pg import drop_postgres, fresh_postgres
from sqlalchemy import bindparam, select, text, update
from sqlalchemy.engine import Connection, Engine, make_url

from shotline.adapters.db import migrate
from shotline.adapters.db.engine import make_engine
from shotline.adapters.db.models import Asset, Request, RequestLine, Version, table_of
from shotline.bootstrap import App, build
from shotline.config import Settings
from shotline.domain.access import Actor
from shotline.domain.intake.model import AcceptedLine, IntakeTable, RawRow
from shotline.domain.intake.validation import validate_intake
from shotline.domain.policy import Policy
from shotline.domain.review import ItemAnswer
from shotline.services import review, workspaces
from shotline.services.assets import AssetKey
from shotline.services.policies import ActivePolicy, load_active_policy
from shotline.simulation.intake import HEADERS, generate_rows

NOW = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)
GATE = "technical"
SKUS_PER_CHUNK = 5_000
ASSET_BATCH = 50_000
WARMUP = 20
# Where the other assets stand: most work of a year is live; some is in flight.
STATES = (
    ("live", 55), ("delivered", 10), ("approved", 5), ("requested", 10), ("in_capture", 5),
    ("in_generation", 1), ("in_retouch", 9), ("on_hold", 1), ("blocked", 1), ("cancelled", 3),
)  # fmt: skip


def _revision() -> str:
    try:
        out = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True,
                             text=True, check=True, cwd=Path(__file__).parent)  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip()


def _peak_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec, so
    a child started from a big parent would report the parent's peak."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    line = next((x for x in status.splitlines() if x.startswith("VmHWM:")), None)
    if line is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return int(line.split()[1]) / 1024


# --- setup -------------------------------------------------------------------------------


def _people(app: App) -> dict[str, Actor]:
    with app.uow() as uow:
        workspaces.initialise_workspace(uow, "bench", "Bench", NOW - dt.timedelta(days=400))
    with app.uow() as uow:
        admin = workspaces.resolve_actor(uow, "bench", workspaces.ADMIN_USER)
    people = {"admin": admin}
    for name, role in (("photo", "photographer"), ("retouch", "retoucher"),
                       ("qc1", "qc_lead"), ("qc2", "qc_lead")):  # fmt: skip
        with app.uow() as uow:
            people[name] = workspaces.add_user(uow, admin, f"bench.{name}", [role], NOW)
    return people


def _lines(rng: random.Random, policy: Policy) -> Iterator[list[AcceptedLine]]:
    """Chunks of validated SKU lines, as an intake of generated spreadsheets would accept."""
    chunk = 0
    while True:
        rows = generate_rows(
            SKUS_PER_CHUNK, seed=rng.randint(0, 10**9), today=NOW.date(), prefix=f"B{chunk:03d}"
        )
        raw = tuple(RawRow(i + 2, r) for i, r in enumerate(rows))
        yield validate_intake(
            IntakeTable("bench", f"bench-{chunk}", HEADERS, raw), policy, NOW
        ).accepted
        chunk += 1


def _line_row(line_id: int, request_id: int, line: AcceptedLine) -> dict[str, Any]:
    return {
        "id": line_id, "workspace_id": 1, "request_id": request_id, "row": line.row,
        "sku": line.sku, "status": "accepted", "errors": [], "warnings": line.warnings,
        "fields": {**line.fields, "colorways": line.colorways, "views": line.views,
                   "channels": line.channels},
        "category": line.category, "track": line.track, "complexity": line.complexity,
        "deadline": line.deadline, "due_at": line.due,
    }  # fmt: skip


def _fill(engine: Engine, people: dict[str, Actor], active: ActivePolicy, assets: int,
          sample: int, seed: int) -> dict[str, Any]:  # fmt: skip
    """Request, lines and assets; returns the sample ids and timings."""
    rng = random.Random(seed)
    state_names = [s for s, _ in STATES]
    state_weights = [w for _, w in STATES]
    requests, lines_t, assets_t = table_of(Request), table_of(RequestLine), table_of(Asset)
    request = {
        "workspace_id": 1, "source": "bench.csv", "checksum": "bench", "state": "accepted",
        "rows": 0, "accepted_lines": 0, "rejected_lines": 0, "asset_count": assets,
        "policy_version_id": active.id, "submitted_by_id": people["admin"].user_id,
        "created_at": NOW - dt.timedelta(days=365),
    }  # fmt: skip
    with engine.begin() as conn:
        request_id = conn.execute(requests.insert().returning(requests.c.id), request).scalar_one()
    candidates = array("q")
    batch: list[dict[str, Any]] = []
    asset_id = line_id = 0
    line_seconds = asset_seconds = 0.0
    with engine.connect() as conn:
        for accepted in _lines(rng, active.policy):
            line_rows = []
            for line in accepted:
                line_id += 1
                line_rows.append(_line_row(line_id, request_id, line))
                ai = line.track.startswith("ai_")
                for spec in line.assets():
                    asset_id += 1
                    created = NOW - dt.timedelta(days=rng.randint(0, 365))
                    batch.append({
                        "id": asset_id, "workspace_id": 1, "request_line_id": line_id,
                        "sku": spec.sku, "colorway": spec.colorway, "view": spec.view,
                        "category": line.category, "track": line.track,
                        "complexity": line.complexity, "priority": line.priority,
                        "state": rng.choices(state_names, state_weights)[0], "due_at": line.due,
                        "created_at": created, "updated_at": created, "state_since": created,
                        "lock_version": 1,
                    })  # fmt: skip
                    if not ai:
                        candidates.append(asset_id)
                    if asset_id == assets:
                        break
                if asset_id == assets:
                    break
            start = time.perf_counter()
            conn.execute(lines_t.insert(), line_rows)
            conn.commit()
            line_seconds += time.perf_counter() - start
            while len(batch) >= ASSET_BATCH or (batch and asset_id == assets):
                start = time.perf_counter()
                conn.execute(assets_t.insert(), batch[:ASSET_BATCH])
                conn.commit()
                asset_seconds += time.perf_counter() - start
                del batch[:ASSET_BATCH]
            if asset_id == assets:
                break
        with conn.begin():
            conn.execute(requests.update().values(rows=line_id, accepted_lines=line_id))
    chosen = rng.sample(range(len(candidates)), sample)
    return {
        "sample": [candidates[i] for i in chosen],
        "lines": line_id,
        "line_seconds": line_seconds,
        "asset_seconds": asset_seconds,
    }


def _versions(conn: Connection, people: dict[str, Actor], sample: list[int]) -> None:
    """A capture and an uploaded retouch version per sampled asset; each waits at technical."""
    rows: list[dict[str, Any]] = []
    for n, asset_id in enumerate(sample):
        common: dict[str, Any] = {
            "workspace_id": 1, "asset_id": asset_id, "bytes": 24_000_000, "cost": 7.5,
            "ai_workflow": None,
        }  # fmt: skip
        rows.append(common | {
            "id": 2 * n + 1, "number": 1, "kind": "capture", "stage": "raw",
            "sha256": f"{2 * n + 1:064x}", "original_name": f"asset{asset_id}_raw.tif",
            "uploaded_by_id": people["photo"].user_id, "uploaded_at": NOW - dt.timedelta(days=2),
            "parent_id": None,
        })  # fmt: skip
        rows.append(common | {
            "id": 2 * n + 2, "number": 2, "kind": "retouch", "stage": "wip",
            "sha256": f"{2 * n + 2:064x}", "original_name": f"asset{asset_id}_wip.tif",
            "uploaded_by_id": people["retouch"].user_id, "uploaded_at": NOW - dt.timedelta(days=1),
            "parent_id": 2 * n + 1,
        })  # fmt: skip
    conn.execute(table_of(Version).insert(), rows)
    assets = table_of(Asset)
    moved = (
        update(assets)
        .where(assets.c.id == bindparam("aid"))
        .values(state="in_review", gate=GATE, current_version_id=bindparam("vid"),
                version_count=2, state_since=NOW - dt.timedelta(days=1))
    )  # fmt: skip
    conn.execute(moved, [{"aid": a, "vid": 2 * n + 2} for n, a in enumerate(sample)])


def _finish_postgres(conn: Connection) -> None:
    """Explicit ids leave the sequences behind; bring them up and gather planner stats."""
    for table in ("request_lines", "assets", "versions"):
        conn.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT max(id) FROM {table}))"
        ))  # fmt: skip


def setup(url: str, home: Path, assets: int, sample: int) -> tuple[App, dict[str, Any]]:
    start = time.perf_counter()
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    app = build(Settings(home, url, "bench", "admin"))
    people = _people(app)
    with app.uow() as uow:
        active = load_active_policy(uow, 1)
    filled = _fill(app.engine, people, active, assets, sample, seed=11)
    with app.engine.begin() as conn:
        _versions(conn, people, filled["sample"])
        if app.engine.dialect.name == "postgresql":
            _finish_postgres(conn)
    if app.engine.dialect.name == "postgresql":
        with app.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    filled["setup_seconds"] = time.perf_counter() - start
    filled["people"] = people
    filled["policy"] = active.policy
    return app, filled


# --- measurement -------------------------------------------------------------------------


def _stats(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)

    def pct(p: float) -> float:
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] * 1000

    return {"p50": pct(50), "p90": pct(90), "p99": pct(99), "max": ordered[-1] * 1000,
            "per_s": len(ordered) / sum(ordered)}  # fmt: skip


def _keys(app: App, ids: list[int]) -> list[AssetKey]:
    assets = table_of(Asset)
    found: dict[int, AssetKey] = {}
    with app.engine.connect() as conn:
        for start in range(0, len(ids), 500):
            query = select(assets.c.id, assets.c.sku, assets.c.colorway, assets.c.view).where(
                assets.c.id.in_(ids[start : start + 500])
            )
            found |= {
                row.id: AssetKey(row.sku, row.colorway, row.view) for row in conn.execute(query)
            }
    return [found[i] for i in ids]


def child(url: str, assets: int, sample: int) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix="shotline-bench-gate-home-"))
    try:
        app, filled = setup(url, home, assets, sample + WARMUP)
        people = filled["people"]
        ids: list[int] = filled["sample"]
        keys = _keys(app, ids)
        checklist = filled["policy"].gates[GATE].checklist
        answers = [ItemAnswer(item.code, True, ()) for item in checklist]
        decision = review.Decision(GATE, answers, comment="ok")
        reviewers = [people["qc1"], people["qc2"]]
        timings: list[float] = []
        passed = 0
        for n, key in enumerate(keys):
            start = time.perf_counter()
            with app.uow() as uow:
                result = review.decide_gate(uow, reviewers[n % 2], key, decision, NOW)
            elapsed = time.perf_counter() - start
            passed += result.passed and result.asset_state == "in_review"
            if n >= WARMUP:
                timings.append(elapsed)
        assets_t = table_of(Asset)
        touch = (
            update(assets_t)
            .where(assets_t.c.id == bindparam("aid"))
            .values(updated_at=NOW, lock_version=assets_t.c.lock_version + 1)
        )
        base: list[float] = []
        with app.engine.connect() as conn:
            for n, asset_id in enumerate(ids):
                start = time.perf_counter()
                conn.execute(touch, {"aid": asset_id})
                conn.commit()
                elapsed = time.perf_counter() - start
                if n >= WARMUP:
                    base.append(elapsed)
        with app.engine.connect() as conn:
            decided = conn.execute(text("SELECT count(*) FROM gate_decisions")).scalar_one()
            total = conn.execute(text("SELECT count(*) FROM assets")).scalar_one()
            if app.engine.dialect.name == "sqlite":
                size = Path(make_url(url).database or "").stat().st_size
            else:
                query = text("SELECT pg_database_size(current_database())")
                size = int(conn.execute(query).scalar_one())
        app.close()
        return {
            "setup_seconds": filled["setup_seconds"],
            "line_seconds": filled["line_seconds"],
            "asset_seconds": filled["asset_seconds"],
            "lines": filled["lines"],
            "assets": total,
            "db_mb": size / 1e6,
            "decided": decided,
            "passed": passed,
            "decide": _stats(timings),
            "baseline": _stats(base),
            "timed": len(timings),
            "peak_mb": _peak_mb(),
        }
    finally:
        shutil.rmtree(home, ignore_errors=True)


# --- parent ------------------------------------------------------------------------------


def _run_child(url: str, assets: int, sample: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", "--url", url, "--assets", str(assets),
               "--sample", str(sample)]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"child failed with exit status {out.returncode}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _report(backend: str, r: dict[str, Any]) -> None:
    d, b = r["decide"], r["baseline"]
    print(f"\n{backend}")
    print(f"  setup      {r['setup_seconds']:7.1f} s: {r['assets']} assets from {r['lines']} SKU "
          f"lines (lines {r['line_seconds']:.1f} s, assets {r['asset_seconds']:.1f} s), "
          f"database {r['db_mb']:.0f} MB")  # fmt: skip
    print(f"  decide_gate  p50 {d['p50']:6.2f}  p90 {d['p90']:6.2f}  p99 {d['p99']:6.2f}  "
          f"max {d['max']:7.2f} ms  {d['per_s']:6.0f} decisions/s  ({r['timed']} timed, "
          f"{r['passed']} passed to the next gate, {r['decided']} decision rows; "
          f"peak RSS {r['peak_mb']:.0f} MB)")  # fmt: skip
    print(
        f"  Core UPDATE  p50 {b['p50']:6.2f}  p90 {b['p90']:6.2f}  p99 {b['p99']:6.2f}  "
        f"max {b['max']:7.2f} ms  {b['per_s']:6.0f} updates/s  (one asset by id + commit)"
    )
    print(f"  ratio        p50 {d['p50'] / b['p50']:5.1f}x   p99 {d['p99'] / b['p99']:5.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assets", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=2_000, help="timed decisions (K)")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.url, args.assets, args.sample)))
        return
    print(f"{platform.platform()}; {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"shotline {_revision()}")  # fmt: skip
    print(
        f"{args.assets} assets; {args.sample} timed decide_gate calls (after {WARMUP} "
        f"warm-up calls), each its own unit of work, full {GATE} checklist, all items pass"
    )
    work = Path(tempfile.mkdtemp(prefix="shotline-bench-gate-"))
    try:
        _report("SQLite", _run_child(f"sqlite:///{work / 'gate.db'}", args.assets, args.sample))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.no_postgres:
        return
    fresh = fresh_postgres("\n")
    if fresh is None:
        return
    try:
        _report("PostgreSQL", _run_child(fresh[1], args.assets, args.sample))
    finally:
        drop_postgres(fresh[0])


if __name__ == "__main__":
    main()
