"""Benchmark: import a 10,000-SKU intake CSV into SQLite and PostgreSQL.

Compares the whole import (read + validate + route + expand + store request, lines, assets
and events) with a plain SQLAlchemy Core insert of the same asset rows, measured in the same
run on the same backend. Each measurement runs in a fresh child process so that its peak
memory (max RSS) is its own.

    .venv/bin/python benchmarks/intake_import.py [--skus 10000] [--no-postgres]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _pg import drop_postgres, fresh_postgres

from shotline.adapters.db import migrate
from shotline.adapters.db.engine import make_engine
from shotline.adapters.db.models import Asset, Request, RequestLine, table_of
from shotline.adapters.intake_files import read_intake_file
from shotline.bootstrap import build
from shotline.config import Settings
from shotline.domain.intake.validation import validate_intake
from shotline.services import intake, workspaces
from shotline.services.policies import check_policy, default_policy_text
from shotline.simulation.intake import generate_rows, write_csv

NOW = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _prepare(url: str) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    app = build(Settings(Path(tempfile.mkdtemp()), url, "bench", "admin"))
    with app.uow() as uow:
        workspaces.initialise_workspace(uow, "bench", "Bench", NOW)
    app.close()


def child_import(url: str, csv_path: Path) -> dict[str, Any]:
    """The whole user action, as `shotline intake import` runs it."""
    _prepare(url)
    app = build(Settings(Path(tempfile.mkdtemp()), url, "bench", "admin"))
    start = time.perf_counter()
    table = read_intake_file(csv_path)
    with app.uow() as uow:
        actor = workspaces.resolve_actor(uow, "bench", "admin")
    with app.uow() as uow:
        outcome = intake.import_intake(uow, actor, table, NOW)
    seconds = time.perf_counter() - start
    app.close()
    return {
        "seconds": seconds,
        "rows": len(table.rows),
        "assets": outcome.assets,
        "rejected": outcome.rejected,
        "peak_mb": _peak_mb(),
    }


def _parent_rows(url: str) -> int:
    """One request and one line for the baseline's asset rows to point at."""
    engine = make_engine(url)
    requests, lines = table_of(Request), table_of(RequestLine)
    request = {
        "workspace_id": 1, "source": "baseline", "checksum": "baseline", "state": "accepted",
        "rows": 0, "accepted_lines": 0, "rejected_lines": 0, "asset_count": 0,
        "policy_version_id": 1, "submitted_by_id": 1, "created_at": NOW,
    }  # fmt: skip
    with engine.begin() as conn:
        request_id = conn.execute(requests.insert().returning(requests.c.id), request).scalar_one()
        line = {
            "workspace_id": 1, "request_id": request_id, "row": 2, "sku": "baseline",
            "status": "accepted", "fields": {}, "errors": [], "warnings": [],
        }  # fmt: skip
        line_id = conn.execute(lines.insert().returning(lines.c.id), line).scalar_one()
    engine.dispose()
    return int(line_id)


def _asset_rows(csv_path: Path, line_id: int) -> list[dict[str, Any]]:
    policy = check_policy(default_policy_text(), "default")
    result = validate_intake(read_intake_file(csv_path), policy, NOW)
    return [
        {
            "workspace_id": 1,
            "request_line_id": line_id,
            "sku": s.sku,
            "colorway": s.colorway,
            "view": s.view,
            "category": line.category,
            "track": line.track,
            "complexity": line.complexity,
            "priority": line.priority,
            "state": "requested",
            "due_at": line.due,
            "created_at": NOW,
            "updated_at": NOW,
            "lock_version": 1,
        }
        for line in result.accepted
        for s in line.assets()
    ]


def child_baseline(url: str, csv_path: Path) -> dict[str, Any]:
    """Only a plain Core executemany of the same asset rows, in one transaction."""
    _prepare(url)
    rows = _asset_rows(csv_path, _parent_rows(url))
    engine = make_engine(url)
    start = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(table_of(Asset).insert(), rows)
    seconds = time.perf_counter() - start
    engine.dispose()
    return {"seconds": seconds, "assets": len(rows), "peak_mb": _peak_mb()}


def _run_child(kind: str, url: str, csv_path: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--url", url, "--csv", str(csv_path)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _measure(backend: str, make_url_: Any, csv_path: Path) -> None:
    imported = _run_child("import", make_url_("import"), csv_path)
    baseline = _run_child("baseline", make_url_("baseline"), csv_path)
    ratio = imported["seconds"] / baseline["seconds"]
    print(
        f"{backend:<11} import {imported['seconds']:6.2f} s  "
        f"{imported['rows'] / imported['seconds']:8.0f} rows/s  "
        f"{imported['assets'] / imported['seconds']:8.0f} assets/s  "
        f"peak {imported['peak_mb']:5.0f} MB | plain Core insert of {baseline['assets']} assets "
        f"{baseline['seconds']:6.2f} s | ratio {ratio:4.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--child", choices=["import", "baseline"])
    parser.add_argument("--url")
    parser.add_argument("--csv", type=Path)
    args = parser.parse_args()
    if args.child:
        runner = child_import if args.child == "import" else child_baseline
        print(json.dumps(runner(args.url, args.csv)))
        return
    work = Path(tempfile.mkdtemp(prefix="shotline-bench-"))
    csv_path = write_csv(work / "intake.csv", generate_rows(args.skus, seed=1, today=NOW.date()))
    print(f"{args.skus} SKUs, {csv_path.stat().st_size / 1e6:.1f} MB CSV; "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}")  # fmt: skip
    _measure("SQLite", lambda tag: f"sqlite:///{work / tag}.db", csv_path)
    if args.no_postgres:
        return
    made: list[str] = []

    def pg(tag: str) -> str:
        fresh = fresh_postgres()
        if fresh is None:
            raise SystemExit(0)
        made.append(fresh[0])
        return fresh[1]

    try:
        _measure("PostgreSQL", pg, csv_path)
    finally:
        for name in made:
            drop_postgres(name)


if __name__ == "__main__":
    main()
