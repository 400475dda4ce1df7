"""Bulk history for benchmarks: a year of a studio's work written straight to the tables.

`fill(url, assets)` migrates a fresh database, creates the workspace and its people through
the services (initialise_workspace, add_user), then writes, with SQLAlchemy Core
executemany in batches (no service layer), what a year of intake and production leaves
behind:

* one request per intake day and its SKU lines, generated and validated as a real intake
  would be (categories, tracks, complexity, colorways, views, channels, due times), each
  line's due time moved to the day it arrived;
* per asset a story told the way the services would record it: capture (with an AI assist
  on some catalog work) and retouch versions or AI versions (with their AI workflow),
  submission, one gate decision per version and gate (row in gate_decisions, checklist
  answers as judge() sees them, defects, route, preventable), rework rounds, approval,
  delivery, live, some blocks, holds and cancellations, and vendor assignments; every
  event carries the payload keys the services write (version_id, kind, cost, defects...);
* everything stops at `now`, so recent assets are left open in every stage (requested, in
  capture, in retouch, in review at each gate, approved, blocked, on hold), due around now.

Rows are written in time order, as a live system appends them: each asset's story is
generated when it arrives, its rows are queued by day, and a day is written once no asset
arriving later can add to it (ids of events and decisions are given then, so they grow with
time). Secondary indexes are dropped for the load and created again afterwards (the same
definitions, read back from the database), and foreign keys are not checked while loading
(the generator keeps them consistent; `check=True` verifies on SQLite). The metric
projections are filled as production fills them: each written day's events go through
`services.projections.project`, the function UnitOfWork.flush_events calls, in the same
transaction (timed apart as `project_seconds`). PostgreSQL then gets
its sequences moved past the explicit ids and a VACUUM ANALYZE, as autovacuum soon would.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, select, text
from sqlalchemy.engine import make_url

from shotline.adapters.db import migrate
from shotline.adapters.db.models import (
    Asset,
    Event,
    GateDecision,
    Request,
    RequestLine,
    Team,
    Version,
    table_of,
)
from shotline.bootstrap import build
from shotline.config import Settings
from shotline.domain.intake.model import AcceptedLine, IntakeTable, RawRow
from shotline.domain.intake.validation import validate_intake
from shotline.domain.policy import Policy
from shotline.domain.review import answers_from_defects, gates_for, judge
from shotline.services import projections, workspaces
from shotline.services.policies import load_active_policy
from shotline.simulation.intake import HEADERS, generate_rows

NOW = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)
DAYS = 365
SKUS_PER_CHUNK = 5_000
BATCH = 10_000
AI_TRACKS = ("ai_generated", "ai_experimental")
WORK_STATE = {"capture": "in_capture", "ai": "in_generation", "retouch": "in_retouch"}
STAGE = {"capture": "raw", "retouch": "wip", "ai": "wip"}

# username: (roles, team, vendor)
PEOPLE: dict[str, tuple[list[str], str | None, bool]] = {
    "pat.producer": (["producer"], None, False),
    "maya.merch": (["merchandiser"], None, False),
    "li.merch": (["merchandiser"], None, False),
    "alex.cd": (["creative_director"], None, False),
    "quinn.qc": (["qc_lead"], None, False),
    "jo.qc": (["qc_lead"], None, False),
    "kim.dam": (["dam_manager"], None, False),
    "sam.photo": (["photographer"], "Studio", False),
    "ana.photo": (["photographer"], "Studio", False),
    "rita.retouch": (["retoucher"], "Retouch", False),
    "omar.retouch": (["retoucher"], "Retouch", False),
    "ravi.pixellab": (["retoucher"], "Pixel Lab", True),
    "mo.pixellab": (["retoucher"], "Pixel Lab", True),
    "nova.ai": (["ai_operator"], "AI Studio", False),
    "leo.ai": (["ai_operator"], "AI Studio", False),
}
DECIDERS = {
    "technical": ("quinn.qc", "jo.qc"),
    "styling_fit": ("alex.cd", "maya.merch"),
    "brand_merch": ("alex.cd", "li.merch"),
    "final_qc": ("quinn.qc", "jo.qc"),
}
# Failure odds per gate, scaled by complexity and category (as `shotline simulate` draws).
BASE_FAIL = {"technical": 0.08, "styling_fit": 0.07, "brand_merch": 0.05, "final_qc": 0.05}
CLASS_FACTOR = {"C1": 0.7, "C2": 1.0, "C3": 1.5, "C4": 2.0}
CATEGORY_FACTOR = {"apparel": 1.0, "shoes": 0.8, "bags": 0.8, "jewelry": 1.5}
AI_DEFECTS = (
    "anatomy_error",
    "garment_deformation",
    "detail_hallucination",
    "lighting_inconsistency",
    "texture_loss",
    "skin_hair_artifact",
    "ai_artifact",
)
# AI workflow versions: (name, failure factor, first day in use, days before `now`).
AI_WORKFLOWS = (
    ("model-shots@3", 1.0, DAYS),
    ("model-shots@4", 0.7, 120),
    ("flatlay2model@1", 1.6, 200),
)
ASSIST_WORKFLOW = "bg-extend@2"
H = dt.timedelta(hours=1)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _passthrough(value: Any) -> str:
    """JSON columns: rows built here carry their JSON already serialised (json.dumps, as the
    default serialiser would); a value that is not a string is serialised as usual."""
    return value if isinstance(value, str) else json.dumps(value)


def _bulk_engine(url: str) -> Engine:
    """An engine for loading only: no foreign key checks, no fsync, pre-serialised JSON."""
    engine = create_engine(url, json_serializer=_passthrough)
    if engine.dialect.name == "sqlite":

        def pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=OFF")
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-262144")
            cursor.close()

        event.listen(engine, "connect", pragmas)
    return engine


# --- indexes ------------------------------------------------------------------------------

LOADED = ("requests", "request_lines", "assets", "versions", "gate_decisions", "events")
# Projection tables whose secondary indexes are also dropped for the load (project() itself
# only looks rows up by primary key).
PROJECTED = ("metric_milestones", "metric_decisions", "metric_uploads", "metric_ai_versions")


def secondary_indexes(conn: Connection, tables: tuple[str, ...]) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of each index on `tables` that backs no constraint."""
    names = ", ".join(f"'{t}'" for t in tables)
    if conn.dialect.name == "sqlite":
        query = (
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({names}) ORDER BY name"
        )
    else:
        query = (
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            f"AND tablename IN ({names}) AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u')) ORDER BY indexname"
        )
    return [(str(n), str(s)) for n, s in conn.execute(text(query))]


def finish_postgres(conn: Connection, tables: tuple[str, ...]) -> None:
    """After a load with explicit ids and unchecked foreign keys: move each table's id
    sequence past its rows, check foreign keys again, commit, VACUUM ANALYZE (as autovacuum
    soon would)."""
    for table in tables:
        conn.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
        ))  # fmt: skip
    conn.execute(text("SET session_replication_role = DEFAULT"))
    conn.commit()
    conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))


# --- people and policy --------------------------------------------------------------------


@dataclass
class Cast:
    users: dict[str, int]
    teams: dict[str, int]
    policy: Policy
    policy_id: int


def _people(url: str, home: Path) -> Cast:
    app = build(Settings(home, url, "bench", "admin"))
    start = NOW - dt.timedelta(days=DAYS + 30)
    with app.uow() as uow:
        workspaces.initialise_workspace(uow, "bench", "Bench", start)
    with app.uow() as uow:
        admin = workspaces.resolve_actor(uow, "bench", workspaces.ADMIN_USER)
    users = {"admin": admin.user_id}
    for name, (roles, team, vendor) in PEOPLE.items():
        with app.uow() as uow:
            actor = workspaces.add_user(uow, admin, name, roles, start, team=team, vendor=vendor)
        users[name] = actor.user_id
    with app.uow() as uow:
        active = load_active_policy(uow, admin.workspace_id)
        teams = {n: i for n, i in uow.session.execute(select(Team.name, Team.id))}
    app.close()
    return Cast(users, teams, active.policy, active.id)


# --- time-ordered writer ------------------------------------------------------------------

# Queue codes, in the order a release writes them.
REQ, LINE, ASSET, VERSION, DECISION, EVENT = range(6)
TABLES = (Request, RequestLine, Asset, Version, GateDecision, Event)


class Writer:
    """Rows queued by day; `release(day)` writes every day before `day` in time order."""

    def __init__(self, conn: Connection, event_id: int, decision_id: int) -> None:
        self.conn = conn
        self.project_seconds = 0.0
        self.projected = 0
        self.tables = [table_of(m) for m in TABLES]
        self.buckets: dict[int, list[tuple[dt.datetime, int, int, Any]]] = {}
        self.seq = 0
        self.event_id = event_id
        self.decision_id = decision_id
        self.counts = [0] * len(TABLES)
        self.insert_seconds = 0.0

    def add(self, at: dt.datetime, code: int, row: Any) -> None:
        self.seq += 1
        day = at.toordinal()
        bucket = self.buckets.get(day)
        if bucket is None:
            bucket = self.buckets[day] = []
        bucket.append((at, self.seq, code, row))

    def release(self, before: int | None = None) -> None:
        days = sorted(d for d in self.buckets if before is None or d < before)
        if not days:
            return
        pending: list[list[dict[str, Any]]] = [[] for _ in TABLES]
        for day in days:
            items = self.buckets.pop(day)
            items.sort(key=lambda item: (item[0], item[1]))
            for at, _, code, row in items:
                if code == EVENT:
                    self.event_id += 1
                    kind, actor, asset, request, payload = row
                    row = {
                        "id": self.event_id, "workspace_id": 1, "at": at, "kind": kind,
                        "actor_id": actor, "request_id": request, "asset_id": asset,
                        "payload": payload,
                    }  # fmt: skip
                elif code == DECISION:
                    self.decision_id += 1
                    row["id"] = self.decision_id
                pending[code].append(row)
        start = time.perf_counter()
        for code, rows in enumerate(pending):
            for i in range(0, len(rows), BATCH):
                self.conn.execute(self.tables[code].insert(), rows[i : i + BATCH])
            self.counts[code] += len(rows)
        self.insert_seconds += time.perf_counter() - start
        # The metric projections, through the same function UnitOfWork.flush_events calls,
        # with the events as it queues them (payloads as dicts), in the same transaction.
        start = time.perf_counter()
        followed = [
            {**row, "payload": json.loads(row["payload"])}
            for row in pending[EVENT]
            if row["kind"] in projections.FOLLOWED and row["asset_id"] is not None
        ]
        for i in range(0, len(followed), BATCH):
            self.projected += projections.project(self.conn, followed[i : i + BATCH])
        self.project_seconds += time.perf_counter() - start
        start = time.perf_counter()
        self.conn.commit()
        self.insert_seconds += time.perf_counter() - start


# --- stories ------------------------------------------------------------------------------


class Stop(Exception):
    """The story has reached `now`: nothing later has happened yet."""


class Story:
    """One asset's life so far, as the services would have recorded it."""

    __slots__ = (
        "colorway", "created", "current", "gate", "id", "last", "line", "line_id", "moves",
        "number", "reason", "resume", "rework", "since", "state", "team", "updated",
        "version_rows", "versions", "view",
    )  # fmt: skip

    def __init__(self, asset_id: int, line: AcceptedLine, line_id: int, colorway: str,
                 view: str, created: dt.datetime) -> None:  # fmt: skip
        self.id = asset_id
        self.line = line
        self.line_id = line_id
        self.colorway = colorway
        self.view = view
        self.created = created
        self.state = "requested"
        self.gate: str | None = None
        self.current: int | None = None
        self.last: int | None = None
        self.number = 0
        self.rework = 0
        self.moves = 0
        self.since = created
        self.updated = created
        self.resume: str | None = None
        self.reason: str | None = None
        self.team: int | None = None
        self.version_rows: dict[int, dict[str, Any]] = {}
        self.versions: dict[int, tuple[str, int]] = {}  # id: (kind, number)


@dataclass
class Totals:
    lines: int = 0
    requests: int = 0
    stories_cut: int = 0
    states: dict[str, int] = field(default_factory=dict)


class History:
    """Writes the requests, lines, assets and their stories."""

    def __init__(self, cast: Cast, writer: Writer, seed: int, version_id: int) -> None:
        self.cast = cast
        self.policy = cast.policy
        self.w = writer
        self.rng = random.Random(seed)
        self.version_id = version_id
        self.u = cast.users
        self.totals = Totals()
        self.usable: dict[tuple[str, bool], list[str]] = {}
        for gate in self.policy.gates:
            for ai in (False, True):
                codes = [c for c, d in self.policy.defects.items() if gate in d.gates]
                pick = [c for c in codes if (c in AI_DEFECTS) == ai]
                self.usable[gate, ai] = pick or codes
        self.verdicts: dict[tuple[str, str, str, str | None], Any] = {}
        self.pass_answers = {
            gate: json.dumps(
                [{"item": i.code, "passed": True, "defects": []} for i in spec.checklist]
            )
            for gate, spec in self.policy.gates.items()
        }

    # events --------------------------------------------------------------------------

    def _check(self, at: dt.datetime) -> None:
        if at > NOW:
            raise Stop

    def _event(
        self, s: Story, at: dt.datetime, who: str, kind: str, payload: dict[str, Any]
    ) -> None:
        self.w.add(at, EVENT, (kind, self.u[who], s.id, None, json.dumps(payload)))
        s.updated = at

    def _move(self, s: Story, at: dt.datetime, who: str, kind: str, target: str,
              payload: dict[str, Any]) -> None:  # fmt: skip
        self._event(s, at, who, kind, {"before": s.state, "after": target, **payload})
        s.state = target
        s.since = at
        s.moves += 1

    # work ----------------------------------------------------------------------------

    def _upload(self, s: Story, at: dt.datetime, who: str, kind: str, cost: float | None,
                workflow: str | None = None, submit: bool = False) -> None:  # fmt: skip
        self._check(at)
        self.version_id += 1
        vid = self.version_id
        s.number += 1
        name = f"{s.line.sku}_{s.colorway}_{s.view}_v{s.number}.tif"
        sha = f"{vid:064x}"
        row = {
            "id": vid, "workspace_id": 1, "asset_id": s.id, "number": s.number, "kind": kind,
            "stage": STAGE[kind], "sha256": sha, "bytes": self.rng.randint(8_000_000, 60_000_000),
            "original_name": name, "uploaded_by_id": self.u[who], "uploaded_at": at,
            "parent_id": s.last, "ai_workflow": workflow, "cost": cost,
        }  # fmt: skip
        self.w.add(at, VERSION, row)
        s.version_rows[vid] = row
        s.versions[vid] = (kind, s.number)
        s.last = vid
        payload = {
            "version": s.number, "kind": kind, "stage": STAGE[kind], "sha256": sha,
            "file": name, "cost": cost, "ai_workflow": workflow, "version_id": vid,
        }  # fmt: skip
        work = WORK_STATE[kind]
        if s.state not in ("in_review", work):
            self._move(s, at, who, "version_uploaded", work, payload)
        else:
            self._event(s, at, who, "version_uploaded", {"state": s.state, **payload})
        if submit:
            gate = gates_for(self.policy, s.line.track, kind)[0]
            s.current = vid
            s.gate = gate
            body = {"version": s.number, "version_id": vid, "gate": gate}
            self._move(s, at, who, "submitted", "in_review", body)

    def _verdict(self, track: str, gate: str, kind: str, defect: str | None) -> Any:
        """judge() on the checklist a reviewer fills in for one defect (or none)."""
        key = (track, gate, kind, defect)
        found = self.verdicts.get(key)
        if found is None:
            answers = answers_from_defects(self.policy, gate, (defect,) if defect else ())
            verdict = judge(self.policy, track, gate, kind, answers)
            encoded = json.dumps(
                [{"item": a.item, "passed": a.passed, "defects": list(a.defects)} for a in answers]
            )
            found = self.verdicts[key] = (verdict, encoded)
        return found

    def _decide(self, s: Story, at: dt.datetime, gate: str, defect: str | None) -> Any:
        """One reviewer's checklist at `gate` for the version under review."""
        self._check(at)
        rng = self.rng
        who = rng.choice(DECIDERS[gate])
        vid = s.current
        assert vid is not None
        kind, number = s.versions[vid]
        verdict, answers = self._verdict(s.line.track, gate, kind, defect)
        cost = round(rng.uniform(0.5, 2) if defect else rng.uniform(0.3, 1.5), 2)
        cost = cost if rng.random() < 0.9 else None
        comment = f"{gate}: {defect}" if defect else ""
        self.w.add(at, DECISION, {
            "workspace_id": 1, "asset_id": s.id, "version_id": vid, "gate": gate,
            "reviewer_id": self.u[who], "passed": verdict.passed,
            "answers": answers if defect else self.pass_answers[gate],
            "defects": json.dumps(list(verdict.defects)), "comment": comment,
            "annotations": "[]", "route": verdict.route, "preventable": verdict.preventable,
            "override_reason": None, "decided_at": at, "cost": cost,
        })  # fmt: skip
        base = {"gate": gate, "version": number, "version_id": vid, "comment": comment,
                "cost": cost}  # fmt: skip
        if verdict.passed:
            base |= {"next_gate": verdict.next_gate, "override_exception": None}
            kind_ = "approved" if verdict.next_gate is None else "gate_passed"
            s.gate = verdict.next_gate
            self._move(s, at, who, kind_, verdict.next_state.value, base)
        else:
            s.gate = None
            s.rework += 1
            base |= {
                "defects": list(verdict.defects), "failed_items": list(verdict.failed_items),
                "route": verdict.route, "preventable": verdict.preventable,
                "round": s.rework, "asked_by": who,
            }  # fmt: skip
            self._move(s, at, who, "gate_failed", verdict.next_state.value, base)
        return verdict

    def _pause(self, s: Story, at: dt.datetime, kind: str, target: str, reason: str) -> None:
        self._check(at)
        resume = s.state
        self._move(s, at, "pat.producer", kind, target, {"reason": reason})
        s.resume, s.reason = resume, reason

    def _resume(self, s: Story, at: dt.datetime) -> None:
        self._check(at)
        kind = "unblocked" if s.state == "blocked" else "resumed"
        assert s.resume is not None
        self._move(s, at, "pat.producer", kind, s.resume, {"reason": s.reason})
        s.resume = s.reason = None

    # the story -------------------------------------------------------------------------

    def _fail_chance(self, s: Story, gate: str, ai: bool, factor: float) -> float:
        line = s.line
        chance = BASE_FAIL[gate] * CLASS_FACTOR[line.complexity] * CATEGORY_FACTOR[line.category]
        ai_factor = 2.5 if ai and gate in ("styling_fit", "final_qc") else 1.0
        return min(0.6, chance * factor * ai_factor)

    def _workflow(self, at: dt.datetime) -> tuple[str, float]:
        age = (NOW - at).days
        usable = [(n, f) for n, f, since in AI_WORKFLOWS if age <= since]
        weights = [1 if n == "model-shots@3" else 3 for n, _ in usable]
        return self.rng.choices(usable, weights)[0]

    def _tell(self, s: Story) -> None:
        rng = self.rng
        line = s.line
        ai = line.track in AI_TRACKS
        at = s.created
        if rng.random() < 0.005:
            self._pause(s, at + rng.uniform(0.5, 24) * H, "on_hold", "on_hold", "range review")
            at = at + rng.uniform(24, 240) * H
            self._resume(s, at)
        at = at + rng.uniform(1, rng.choice((30, 30, 90, 200))) * H
        if rng.random() < 0.01:
            self._check(at)
            self._move(s, at, "pat.producer", "cancelled", "cancelled",
                       {"reason": "dropped from the range"})  # fmt: skip
            return
        vendor = not ai and rng.random() < 0.3
        retoucher = rng.choice(
            ("ravi.pixellab", "mo.pixellab") if vendor else ("rita.retouch", "omar.retouch")
        )
        if vendor:
            assign_at = s.created + rng.uniform(0.1, 2) * H
            self._check(assign_at)
            s.team = self.cast.teams["Pixel Lab"]
            payload = {"before": {}, "after": {"team": "Pixel Lab"}, "state": s.state}
            self._event(s, assign_at, "pat.producer", "assigned", payload)
        workflow, factor = self._workflow(at) if ai else (None, 1.0)
        operator = rng.choice(("nova.ai", "leo.ai"))
        if ai:
            cost = round(rng.uniform(0.4, 2.0), 2)
            self._upload(s, at, operator, "ai", cost, workflow, submit=True)
        else:
            self._first_versions(s, at, retoucher)
        at = s.since
        for round_ in range(4):
            route = None
            for gate in gates_for(self.policy, line.track, "ai" if ai else "retouch"):
                at = at + rng.uniform(1, 20) * H
                fails = round_ < 3 and rng.random() < self._fail_chance(s, gate, ai, factor)
                defect = rng.choice(self.usable[gate, ai]) if fails else None
                verdict = self._decide(s, at, gate, defect)
                if not verdict.passed:
                    route = verdict.route
                    break
            if route is None:
                break
            at = at + rng.uniform(2, 24) * H
            if ai:
                self._upload(s, at, operator, "ai", round(rng.uniform(0.4, 2.0), 2), workflow,
                             submit=True)  # fmt: skip
                continue
            if route == "reshoot":
                self._upload(s, at, rng.choice(("sam.photo", "ana.photo")), "capture", None)
                at = at + rng.uniform(2, 20) * H
            self._upload(s, at, retoucher, "retouch", round(rng.uniform(2, 8), 2), submit=True)
        if not self.policy.tracks[line.track].can_deliver:
            at = at + rng.uniform(72, 720) * H
            self._check(at)
            self._move(s, at, "pat.producer", "cancelled", "cancelled",
                       {"reason": "experiment concluded"})  # fmt: skip
            return
        at = at + rng.uniform(2, 30) * H
        self._check(at)
        self._move(s, at, "kim.dam", "delivered", "delivered",
                   {"channels": line.channels, "version_id": s.current})  # fmt: skip
        if s.current is not None:
            s.version_rows[s.current]["stage"] = "final"
        at = at + rng.uniform(4, 48) * H
        self._check(at)
        self._move(s, at, "kim.dam", "live", "live", {})

    def _first_versions(self, s: Story, at: dt.datetime, retoucher: str) -> None:
        rng = self.rng
        self._upload(s, at, rng.choice(("sam.photo", "ana.photo")), "capture",
                     round(rng.uniform(6, 14), 2))  # fmt: skip
        luck = rng.random()
        if luck < 0.03:
            self._pause(s, at + rng.uniform(0.5, 2) * H, "blocked", "blocked", "sample missing")
            if luck < 0.002:
                raise Stop  # the sample never came
            at = at + rng.uniform(8, 60) * H
            self._resume(s, at)
        if self.policy.tracks[s.line.track].ai_usage == "assist" and rng.random() < 0.05:
            at = at + rng.uniform(1, 8) * H
            self._upload(s, at, rng.choice(("nova.ai", "leo.ai")), "ai",
                         round(rng.uniform(0.2, 1.0), 2), ASSIST_WORKFLOW)  # fmt: skip
        at = at + rng.uniform(2, 30) * H
        self._upload(s, at, retoucher, "retouch", round(rng.uniform(3, 12), 2), submit=True)

    def asset(self, s: Story) -> None:
        try:
            self._tell(s)
        except Stop:
            self.totals.stories_cut += 1
        line = s.line
        self.totals.states[s.state] = self.totals.states.get(s.state, 0) + 1
        self.w.add(s.created, ASSET, {
            "id": s.id, "workspace_id": 1, "request_line_id": s.line_id,
            "sku": line.sku, "colorway": s.colorway, "view": s.view, "category": line.category,
            "track": line.track, "complexity": line.complexity, "priority": line.priority,
            "state": s.state, "due_at": line.due, "created_at": s.created,
            "updated_at": s.updated, "lock_version": 1 + s.moves,
            "gate": s.gate if s.state == "in_review" else None,
            "current_version_id": s.current, "assignee_user_id": None,
            "assignee_team_id": s.team, "state_since": s.since, "resume_state": s.resume,
            "block_reason": s.reason, "rework_rounds": s.rework, "version_count": s.number,
        })  # fmt: skip


# --- intake -------------------------------------------------------------------------------


def _lines(rng: random.Random, policy: Policy) -> Iterator[AcceptedLine]:
    """Validated SKU lines as an intake of generated spreadsheets accepts them (due times
    relative to `now`; the caller moves each to the day its line arrived)."""
    chunk = 0
    while True:
        rows = generate_rows(
            SKUS_PER_CHUNK, seed=rng.randint(0, 10**9), today=NOW.date(), prefix=f"Y{chunk:03d}"
        )
        raw = tuple(RawRow(i + 2, r) for i, r in enumerate(rows))
        yield from validate_intake(
            IntakeTable("bench", f"bench-{chunk}", HEADERS, raw), policy, NOW
        ).accepted
        chunk += 1


def _intake_days() -> list[dt.date]:
    first = NOW.date() - dt.timedelta(days=DAYS - 1)
    days = [first + dt.timedelta(days=d) for d in range(DAYS)]
    return [d for d in days if d.weekday() < 5]


@dataclass
class Loaded:
    assets: int
    lines: int
    requests: int
    versions: int
    decisions: int
    events: int
    states: dict[str, int]
    stories_cut: int
    generate_seconds: float
    insert_seconds: float
    project_seconds: float
    events_projected: int
    index_seconds: float
    finish_seconds: float
    setup_seconds: float
    peak_mb: float


def fill(url: str, home: Path, assets: int, seed: int = 7, check: bool = False,
         peak: Callable[[], float] | None = None) -> Loaded:  # fmt: skip
    """Migrate the fresh database at `url` and write a year of history with `assets` assets."""
    started = time.perf_counter()
    engine = _bulk_engine(url)
    migrate.upgrade(engine)
    cast = _people(url, home)
    rng = random.Random(seed)
    days = _intake_days()
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET session_replication_role = replica"))
            conn.execute(text("SET synchronous_commit = off"))
        else:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # migrate turned it back on
        indexes = secondary_indexes(conn, LOADED + PROJECTED)
        for name, _ in indexes:
            conn.execute(text(f'DROP INDEX "{name}"'))
        conn.commit()
        event_id = conn.execute(text("SELECT coalesce(max(id), 0) FROM events")).scalar_one()
        writer = Writer(conn, int(event_id), 0)
        history = History(cast, writer, seed + 1, 0)
        made = line_id = request_id = 0
        day: dt.date | None = None
        request: dict[str, Any] | None = None
        merch = (cast.users["maya.merch"], cast.users["li.merch"])
        lines = _lines(rng, cast.policy)
        last_log = time.perf_counter()

        def close_request() -> None:
            if request is None:
                return
            received = {"source": request["source"], "rows": request["rows"], "notes": []}
            row = ("request_received", request["submitted_by_id"], None, request["id"],
                   json.dumps(received))  # fmt: skip
            writer.add(request["created_at"], EVENT, row)

        while made < assets:
            line = next(lines)
            today = days[min(len(days) - 1, made * len(days) // assets)]
            if today != day:
                close_request()
                writer.release(today.toordinal())
                day = today
                request_id += 1
                created = dt.datetime.combine(today, dt.time(14), dt.UTC)
                request = {
                    "id": request_id, "workspace_id": 1, "source": f"intake-{today}.csv",
                    "checksum": f"{request_id:064x}", "state": "accepted", "rows": 0,
                    "accepted_lines": 0, "rejected_lines": 0, "asset_count": 0,
                    "policy_version_id": cast.policy_id, "submitted_by_id": rng.choice(merch),
                    "created_at": created,
                }  # fmt: skip
                writer.add(created, REQ, request)
                if time.perf_counter() - last_log > 30:
                    last_log = time.perf_counter()
                    _log(f"  ... {today}: {made} assets, {writer.event_id} events, "
                         f"{time.perf_counter() - started:.0f} s")  # fmt: skip
            assert request is not None
            created = min(NOW - H, request["created_at"] + rng.uniform(0, 7) * H)
            shift = created - NOW
            line.due = line.due + shift
            if line.deadline is not None:
                line.deadline = line.deadline + shift
            line_id += 1
            request["rows"] += 1
            request["accepted_lines"] += 1
            specs = line.assets()[: assets - made]
            request["asset_count"] += len(specs)
            fields = {**line.fields, "colorways": line.colorways, "views": line.views,
                      "channels": line.channels}  # fmt: skip
            writer.add(created, LINE, {
                "id": line_id, "workspace_id": 1, "request_id": request_id,
                "row": request["rows"] + 1, "sku": line.sku, "status": "accepted",
                "fields": json.dumps(fields), "errors": "[]", "warnings": json.dumps(line.warnings),
                "category": line.category, "track": line.track, "complexity": line.complexity,
                "deadline": line.deadline, "due_at": line.due,
            })  # fmt: skip
            accepted = {
                "line_id": line_id, "row": request["rows"] + 1, "sku": line.sku,
                "colorways": line.colorways, "views": line.views, "track": line.track,
                "complexity": line.complexity, "due": line.due.isoformat(),
                "assets": len(line.colorways) * len(line.views), "warnings": line.warnings,
            }  # fmt: skip
            writer.add(created, EVENT, ("line_accepted", request["submitted_by_id"], None,
                                        request_id, json.dumps(accepted)))  # fmt: skip
            for spec in specs:
                made += 1
                history.asset(Story(made, line, line_id, spec.colorway, spec.view, created))
        close_request()
        writer.release()
        generated = time.perf_counter() - started
        peak_mb = peak() if peak else 0.0
        _log(f"  ... written: {made} assets, {writer.counts[EVENT]} events in {generated:.0f} s;"
             " creating indexes")  # fmt: skip
        start = time.perf_counter()
        for _, statement in indexes:
            conn.execute(text(statement))
        conn.commit()
        index_seconds = time.perf_counter() - start
        start = time.perf_counter()
        if conn.dialect.name == "postgresql":
            finish_postgres(conn, LOADED)
        else:
            if check:
                bad = conn.execute(text("PRAGMA foreign_key_check")).first()
                if bad is not None:
                    raise RuntimeError(f"bulk load left a row pointing nowhere: {tuple(bad)}")
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            conn.commit()
        finish_seconds = time.perf_counter() - start
    engine.dispose()
    c = writer.counts
    return Loaded(
        assets=c[ASSET], lines=c[LINE], requests=c[REQ], versions=c[VERSION],
        decisions=c[DECISION], events=c[EVENT], states=dict(sorted(history.totals.states.items())),
        stories_cut=history.totals.stories_cut,
        generate_seconds=generated - writer.insert_seconds - writer.project_seconds,
        insert_seconds=writer.insert_seconds, project_seconds=writer.project_seconds,
        events_projected=writer.projected, index_seconds=index_seconds,
        finish_seconds=finish_seconds, setup_seconds=time.perf_counter() - started,
        peak_mb=peak_mb,
    )  # fmt: skip


def database_bytes(conn: Connection, url: str) -> int:
    if conn.dialect.name == "sqlite":
        path = Path(make_url(url).database or "")
        wal = path.with_name(path.name + "-wal")
        return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
    return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
