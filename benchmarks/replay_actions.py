"""Benchmark: replay ~100,000 simulated actions into a fresh SQLite (optionally PostgreSQL)
database, in actions per second, against plain inserts of as many event rows in the same run.

The replay file comes from `shotline simulate` (fixed seed, a ~60-day window), sized to the
requested number of actions. Replay applies each line through the services, every rule
checked, with as many lines per transaction as `replay_file`'s `batch` (its default unless
--batch is given; --batch 1 is one transaction per line). Two baselines are measured on the
same backend:

* a plain SQLAlchemy Core executemany of N `events` rows in ONE transaction (the figure the
  5x target is set against), and
* one Core insert + commit per event row, N transactions: the per-transaction floor, the
  fairer comparison for a replay that commits once per line (--batch 1).

Each measurement runs in a fresh child process (so its peak RSS is its own) against a fresh,
migrated database; temporary files and PostgreSQL databases are removed afterwards.

    .venv/bin/python benchmarks/replay_actions.py [--actions 100000] [--batch N] [--postgres]
"""

from __future__ import annotations

import argparse
import datetime as dt
import inspect
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _pg import drop_postgres, fresh_postgres
from sqlalchemy import func, select, text

from shotline.adapters.db import migrate
from shotline.adapters.db.engine import make_engine
from shotline.adapters.db.models import Asset, Event, Request, RequestLine, table_of
from shotline.bootstrap import build
from shotline.config import Settings
from shotline.services import workspaces
from shotline.services.policies import check_policy, default_policy_text
from shotline.services.replay import replay_file
from shotline.simulation.workflow import simulate

END = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)
SEED = 7
PROBE_SKUS = 100


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


def _prepare(url: str, home: Path, since: dt.datetime) -> None:
    """Migrate a fresh database and initialise the `bench` workspace."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    app = build(Settings(home, url, "bench", "admin"))
    with app.uow() as uow:
        workspaces.initialise_workspace(uow, "bench", "Bench", since)
    app.close()


# --- children ----------------------------------------------------------------------------


def _default_batch() -> int | None:
    """Lines per transaction when `replay_file` is called without `batch` (None: one)."""
    param = inspect.signature(replay_file).parameters.get("batch")
    return None if param is None else int(param.default)


def _revision() -> str:
    try:
        out = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True,
                             text=True, check=True, cwd=Path(__file__).parent)  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip()


def child_replay(url: str, path: Path, days: int, batch: int | None) -> dict[str, Any]:
    """The whole replay, as `shotline replay` runs it (without the progress bar)."""
    home = Path(tempfile.mkdtemp(prefix="home-", dir=path.parent))
    since = END - dt.timedelta(days=days + 1)
    _prepare(url, home, since)
    app = build(Settings(home, url, "bench", "admin"))
    with app.engine.connect() as conn:
        events_before = conn.execute(select(func.count()).select_from(Event)).scalar_one()
    start = time.perf_counter()
    options: dict[str, Any] = {} if batch is None else {"batch": batch}
    result = replay_file(app, "bench", path, **options)
    seconds = time.perf_counter() - start
    length = "length(payload)" if app.engine.dialect.name == "sqlite" else "length(payload::text)"
    with app.engine.connect() as conn:
        events, payload = conn.execute(text(f"SELECT count(*), avg({length}) FROM events")).one()
    app.close()
    return {
        "seconds": seconds,
        "applied": result.applied,
        "failed": len(result.failed),
        "by_action": result.by_action,
        "events": int(events) - int(events_before),
        "payload_bytes": float(payload),
        "peak_mb": _peak_mb(),
        "batch": batch if batch is not None else (_default_batch() or 1),
    }


def _event_rows(count: int, asset_ids: list[int]) -> list[dict[str, Any]]:
    """Event rows shaped like the ones replay writes most (gate decisions, uploads, moves)."""
    templates: list[tuple[str, dict[str, Any]]] = [
        ("gate_passed", {"before": "in_review", "after": "in_review", "gate": "technical",
                         "version": 2, "version_id": 0, "comment": "", "cost": 0.87,
                         "next_gate": "styling_fit", "override_exception": None}),
        ("version_uploaded", {"before": "in_capture", "after": "in_retouch", "version": 2,
                              "kind": "retouch", "stage": "wip", "sha256": "ab" * 32,
                              "file": "SL-AP-000123_Navy_front_4_wip.png", "cost": 7.5,
                              "ai_workflow": None, "version_id": 0}),
        ("submitted", {"before": "in_retouch", "after": "in_review", "version": 2,
                       "version_id": 0, "gate": "technical"}),
        ("delivered", {"before": "approved", "after": "delivered",
                       "channels": ["pdp", "amazon_main"], "version_id": 0}),
    ]  # fmt: skip
    rows = []
    for n in range(count):
        kind, payload = templates[n % len(templates)]
        rows.append(
            {
                "workspace_id": 1,
                "at": END - dt.timedelta(seconds=count - n),
                "kind": kind,
                "actor_id": 1,
                "request_id": None,
                "asset_id": asset_ids[n % len(asset_ids)],
                "payload": {**payload, "version_id": n} if "version_id" in payload else payload,
            }
        )
    return rows


def _baseline_setup(url: str, work: Path, count: int) -> tuple[Any, list[dict[str, Any]]]:
    """A migrated database with a workspace and 1,000 assets for the events to point at."""
    home = Path(tempfile.mkdtemp(prefix="home-", dir=work))
    _prepare(url, home, END - dt.timedelta(days=61))
    engine = make_engine(url)
    request = {
        "workspace_id": 1, "source": "baseline", "checksum": "baseline", "state": "accepted",
        "rows": 1, "accepted_lines": 1, "rejected_lines": 0, "asset_count": 1000,
        "policy_version_id": 1, "submitted_by_id": 1, "created_at": END,
    }  # fmt: skip
    requests, lines, assets = table_of(Request), table_of(RequestLine), table_of(Asset)
    with engine.begin() as conn:
        request_id = conn.execute(requests.insert().returning(requests.c.id), request).scalar_one()
        line = {
            "workspace_id": 1, "request_id": request_id, "row": 2, "sku": "BASE-1",
            "status": "accepted", "fields": {}, "errors": [], "warnings": [],
        }  # fmt: skip
        line_id = conn.execute(lines.insert().returning(lines.c.id), line).scalar_one()
        asset = {
            "workspace_id": 1, "request_line_id": line_id, "colorway": "Navy",
            "category": "apparel", "track": "catalog", "complexity": "C2", "priority": "normal",
            "state": "requested", "due_at": END, "created_at": END, "updated_at": END,
            "lock_version": 1,
        }  # fmt: skip
        many = [asset | {"sku": f"BASE-{n // 7}", "view": f"v{n % 7}"} for n in range(1000)]
        conn.execute(assets.insert(), many)
        asset_ids = list(conn.execute(select(assets.c.id)).scalars())
    return engine, _event_rows(count, asset_ids)


def _mean_payload(rows: list[dict[str, Any]]) -> float:
    return sum(len(json.dumps(r["payload"])) for r in rows) / max(1, len(rows))


def child_bulk(url: str, work: Path, count: int) -> dict[str, Any]:
    """N event rows in one Core executemany, one transaction."""
    engine, rows = _baseline_setup(url, work, count)
    start = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(table_of(Event).insert(), rows)
    seconds = time.perf_counter() - start
    engine.dispose()
    return {"seconds": seconds, "rows": count, "payload_bytes": _mean_payload(rows),
            "peak_mb": _peak_mb()}  # fmt: skip


def child_rowwise(url: str, work: Path, count: int) -> dict[str, Any]:
    """N event rows, each its own Core insert and commit (the per-transaction floor)."""
    engine, rows = _baseline_setup(url, work, count)
    insert = table_of(Event).insert()
    start = time.perf_counter()
    with engine.connect() as conn:
        for row in rows:
            conn.execute(insert, row)
            conn.commit()
    seconds = time.perf_counter() - start
    engine.dispose()
    return {"seconds": seconds, "rows": count, "payload_bytes": _mean_payload(rows),
            "peak_mb": _peak_mb()}  # fmt: skip


# --- parent ------------------------------------------------------------------------------


def _run_child(
    kind: str, url: str, path: Path, days: int, count: int, batch: int | None
) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", kind, "--url", url, "--file", str(path),
               "--days", str(days), "--actions", str(count)]  # fmt: skip
    if batch is not None:
        command += ["--batch", str(batch)]
    out = subprocess.run(command, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"{kind} child failed with exit status {out.returncode}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _generate(work: Path, target: int, days: int) -> tuple[Path, int, int, float]:
    """A replay file of about `target` lines: lines per SKU from a small probe run, then up
    to three corrections while the file misses the target by more than 3%; the closest file
    is kept."""
    policy = check_policy(default_policy_text(), "default policy")
    start = time.perf_counter()
    probe = work / "probe"
    _, probe_lines = simulate(probe, PROBE_SKUS, days, SEED, policy, END)
    shutil.rmtree(probe)
    skus = max(1, round(target * PROBE_SKUS / probe_lines))
    best: tuple[int, int] | None = None  # (skus, lines) of the closest file so far
    tried: set[int] = set()
    while len(tried) < 4 and skus not in tried:
        tried.add(skus)
        _, lines = simulate(work / f"sim-{skus}", skus, days, SEED, policy, END)
        if best is None or abs(lines - target) < abs(best[1] - target):
            if best is not None:
                shutil.rmtree(work / f"sim-{best[0]}")
            best = (skus, lines)
        else:
            shutil.rmtree(work / f"sim-{skus}")
        if abs(lines - target) <= 0.03 * target:
            break
        step = round((target - lines) * skus / lines) or (1 if lines < target else -1)
        skus = max(1, skus + step)
    assert best is not None
    path = work / f"sim-{best[0]}" / "replay.jsonl"
    return path, best[1], best[0], time.perf_counter() - start


def _measure(
    backend: str, url_for: Any, path: Path, days: int, lines: int, batch: int | None
) -> None:
    replay = _run_child("replay", url_for("replay"), path, days, lines, batch)
    bulk = _run_child("bulk", url_for("bulk"), path, days, lines, None)
    rowwise = _run_child("rowwise", url_for("rowwise"), path, days, lines, None)
    rate = replay["applied"] / replay["seconds"]
    target = "met" if replay["seconds"] <= 5 * bulk["seconds"] else "NOT met"
    mix = ", ".join(f"{n} {a}" for a, n in sorted(replay["by_action"].items(), key=lambda x: -x[1]))
    print(f"\n{backend}")
    print(f"  replay             {replay['applied']:>7} actions in {replay['seconds']:7.2f} s "
          f"= {rate:7.0f} actions/s, peak RSS {replay['peak_mb']:4.0f} MB, "
          f"{replay['failed']} failed, up to {replay['batch']} lines per transaction")  # fmt: skip
    print(f"                     wrote {replay['events']} events "
          f"({replay['events'] / replay['applied']:.2f} per action, mean payload "
          f"{replay['payload_bytes']:.0f} B); mix: {mix}")  # fmt: skip
    for label, base in (("bulk insert", bulk), ("insert+commit/row", rowwise)):
        ratio = replay["seconds"] / base["seconds"]
        print(f"  {label:<18} {base['rows']:>7} event rows in {base['seconds']:7.2f} s "
              f"= {base['rows'] / base['seconds']:7.0f} rows/s, peak RSS "
              f"{base['peak_mb']:4.0f} MB, payload {base['payload_bytes']:.0f} B | "
              f"replay is {ratio:5.1f}x slower")  # fmt: skip
    print(f"  target (replay within 5x of one bulk executemany of as many event rows): {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actions", type=int, default=100_000, help="target number of lines")
    parser.add_argument("--days", type=int, default=60, help="simulated window")
    parser.add_argument(
        "--batch", type=int, help="lines per transaction (default: replay_file's default)"
    )
    parser.add_argument("--postgres", action="store_true", help="also run on PostgreSQL")
    parser.add_argument("--child", choices=["replay", "bulk", "rowwise"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.child == "replay":
            result = child_replay(args.url, args.file, args.days, args.batch)
        elif args.child == "bulk":
            result = child_bulk(args.url, args.file.parent, args.actions)
        else:
            result = child_rowwise(args.url, args.file.parent, args.actions)
        print(json.dumps(result))
        return
    print(f"{platform.platform()}; {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"shotline {_revision()}")  # fmt: skip
    if args.batch is not None and _default_batch() is None:
        raise SystemExit("this version of replay_file has no batch parameter")
    work = Path(tempfile.mkdtemp(prefix="shotline-bench-replay-"))
    made: list[str] = []
    try:
        path, lines, skus, generated = _generate(work, args.actions, args.days)
        images = sum(1 for _ in (path.parent / "images").iterdir())
        print(f"replay file: {lines} actions (target {args.actions}) from {skus} SKUs over "
              f"{args.days} days, seed {SEED}; {path.stat().st_size / 1e6:.1f} MB + {images} "
              f"images; generated in {generated:.1f} s (not timed below)")  # fmt: skip

        def sqlite(tag: str) -> str:
            return f"sqlite:///{work / tag}.db"

        _measure("SQLite", sqlite, path, args.days, lines, args.batch)
        if not args.postgres:
            return

        def pg(tag: str) -> str:
            fresh = fresh_postgres()
            if fresh is None:
                raise SystemExit(0)
            made.append(fresh[0])
            return fresh[1]

        _measure("PostgreSQL", pg, path, args.days, lines, args.batch)
    finally:
        for name in made:
            drop_postgres(name)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
