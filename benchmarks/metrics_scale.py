"""Benchmark: the dashboard summary (the eight questions) and a month's `report --json` with
1,000,000 assets and about 10,000,000 events, on SQLite and PostgreSQL, each against
hand-written SQL computing the same aggregates in the same run.

Setup (timed, reported apart): a fresh, migrated database filled by benchmarks/_bulk.py with
a year of history up to `now` (2026-11-25 15:00 UTC): requests and SKU lines from generated,
validated intake, assets, capture/retouch/AI versions, one gate decision row per version and
gate, and about ten events per asset with the payloads the services write; recent work is
left open in every stage, due around now. Written with Core executemany in time order;
PostgreSQL is VACUUM ANALYZEd afterwards, SQLite is not (Shotline never runs ANALYZE).

Measured, in the same child process, on the application's own engine (as the CLI builds it):

* dashboard(uow, actor, now), each call in its own unit of work, D times (after one cold
  call, reported apart), p50/p95/max in ms; interleaved with the hand-written SQL for the
  same answers (one scan of the open assets for the counts by track, state and gate and the
  SLA sums; the failed-checks, failed-decisions, team and AI-workflow group-bys), on one
  connection, no ORM;
* build_report(uow, actor, start, end, now) for the last full month plus json.dumps of the
  document (what `shotline report --json` prints), R times (after one cold call), p50/max in
  seconds; interleaved with hand-written SQL for the headline numbers (assets approved and
  delivered, first-pass approval, rework rate and rounds, preventable share, SLA hit rate,
  cost total and per image with the policy's estimates for missing costs, AI rejection),
  straight from the events;
* the two paths' numbers side by side (they must agree), one instrumented call of each
  service split into its queries and steps, peak RSS of setup and of measuring.

With --try-indexes the child then creates the indexes suggested for these queries (in the
throwaway database only) and measures again.

    .venv/bin/python benchmarks/metrics_scale.py [--assets 1000000] [--dashboard-runs 50]
        [--report-runs 5] [--no-postgres] [--no-sqlite] [--try-indexes] [--explain]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import math
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import _bulk
import numpy as np
from _copy import copy_sqlite_to_postgres
from _pg import drop_postgres, fresh_postgres
from sqlalchemy import Connection, TextClause, bindparam, func, select, text
from sqlalchemy import event as sa_event

from shotline.adapters.db.models import Asset, CheckResult
from shotline.adapters.db.types import UTCDateTime
from shotline.bootstrap import App, build
from shotline.config import Settings
from shotline.domain import metrics as domain_metrics
from shotline.domain.access import Actor
from shotline.domain.calendar import BusinessCalendar
from shotline.domain.policy import Policy
from shotline.domain.sla import WORKING_STATES
from shotline.services import dashboard as dash
from shotline.services import metrics as svc_metrics
from shotline.services import workspaces
from shotline.services.policies import load_active_policy

NOW = _bulk.NOW
MONTH_END = NOW.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
MONTH_START = (MONTH_END - dt.timedelta(days=1)).replace(day=1)
# --loop-budget, --reuse, --copy-from
OPTIONS: dict[str, Any] = {"loop_budget_s": 300.0, "reuse": False, "copy_from": None}
MIN_RUNS = 3
# What --try-indexes adds: the dashboard's window over decisions (decided_at first: the
# AI-workflow query filters versions.workspace_id, not gate_decisions.workspace_id) and
# checks, its scans of the open assets (covering: track, complexity, due_at, gate), and the
# report's assets due in the period.
SUGGESTED = (
    "CREATE INDEX bench_gate_decisions_decided ON gate_decisions (decided_at, workspace_id)",
    "CREATE INDEX bench_check_results_ws_measured ON check_results (workspace_id, measured_at)",
    "CREATE INDEX bench_assets_ws_state ON assets "
    "(workspace_id, state, track, complexity, due_at, gate)",
    "CREATE INDEX bench_assets_ws_due ON assets (workspace_id, due_at)",
)
UTC_TYPE = UTCDateTime()


def _revision() -> str:
    try:
        out = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True,
                             text=True, check=True, cwd=Path(__file__).parent)  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip()


def _peak_mb() -> float:
    """This process's peak RSS (VmHWM: ru_maxrss carries a parent's peak over exec)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    line = next((x for x in status.splitlines() if x.startswith("VmHWM:")), None)
    if line is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return int(line.split()[1]) / 1024


def _reset_peak() -> bool:
    """Start VmHWM again from the current RSS (Linux: write 5 to clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- hand-written SQL -----------------------------------------------------------------------


def _json(dialect: str, column: str, key: str) -> str:
    """A JSON payload field as SQL text (SQLite: json_extract; PostgreSQL: ->>)."""
    if dialect == "sqlite":
        return f"json_extract({column}, '$.{key}')"
    return f"({column} ->> '{key}')"


def _sql(statement: str, *times: str) -> TextClause:
    """A text statement whose datetime parameters bind as the columns store them."""
    return text(statement).bindparams(*(bindparam(name, type_=UTC_TYPE) for name in times))


def _num(value: Any) -> float:
    return float(value) if value is not None else 0.0


class DashboardSQL:
    """The dashboard's answers as a person would write them: one pass over the open assets
    for the counts by track, state and gate and the SLA sums, then the four group-bys."""

    def __init__(self, dialect: str, policy: Policy) -> None:
        self.policy = policy
        self.calendar = BusinessCalendar(policy.calendar)
        self.pairs = [
            (track, cls, hours)
            for track, spec in policy.tracks.items()
            for cls, hours in spec.sla.items()
        ]
        states = ", ".join(f"'{s}'" for s in WORKING_STATES)
        risk = " ".join(
            f"WHEN track = '{t}' AND complexity = '{c}' THEN :risk{i}"
            for i, (t, c, _) in enumerate(self.pairs)
        )
        self.open = _sql(
            f"""SELECT track, state, gate, count(*),
                sum(CASE WHEN due_at < :now THEN 1 ELSE 0 END),
                sum(CASE WHEN due_at >= :now AND due_at < (CASE {risk} END) THEN 1 ELSE 0 END)
            FROM assets WHERE workspace_id = :ws AND state IN ({states})
            GROUP BY track, state, gate""",
            "now", *(f"risk{i}" for i in range(len(self.pairs))),
        )  # fmt: skip
        self.checks = _sql(
            """SELECT count(DISTINCT version_id) FROM check_results
            WHERE workspace_id = :ws AND measured_at >= :since AND NOT passed""",
            "since",
        )
        self.failed = _sql(
            """SELECT a.category, count(*) FROM gate_decisions g JOIN assets a ON a.id = g.asset_id
            WHERE g.workspace_id = :ws AND g.decided_at >= :since AND NOT g.passed
            GROUP BY a.category""",
            "since",
        )
        self.teams = _sql(
            """SELECT t.name, count(*), sum(CASE WHEN g.passed THEN 1 ELSE 0 END)
            FROM gate_decisions g JOIN versions v ON v.id = g.version_id
            JOIN memberships m ON m.user_id = v.uploaded_by_id AND m.workspace_id = g.workspace_id
            JOIN teams t ON t.id = m.team_id
            WHERE g.workspace_id = :ws AND g.decided_at >= :since GROUP BY t.name""",
            "since",
        )
        self.ai = _sql(
            """SELECT v.ai_workflow, count(DISTINCT v.id),
                count(DISTINCT CASE WHEN NOT g.passed THEN v.id END)
            FROM gate_decisions g JOIN versions v ON v.id = g.version_id
            WHERE v.workspace_id = :ws AND v.kind = 'ai' AND g.decided_at >= :since
            GROUP BY v.ai_workflow""",
            "since",
        )

    def statements(self) -> dict[str, TextClause]:
        return {"open assets (by state, review, SLA)": self.open, "failed checks": self.checks,
                "failed decisions by category": self.failed, "teams": self.teams,
                "AI workflows": self.ai}  # fmt: skip

    def params(self, now: dt.datetime) -> dict[str, Any]:
        share = self.policy.workflow.sla_risk_share
        risk = {
            f"risk{i}": self.calendar.add_business_hours(now, share * hours)
            for i, (_, _, hours) in enumerate(self.pairs)
        }
        return {"ws": 1, "now": now, "since": now - dash.WINDOW, **risk}

    def run(self, conn: Connection, now: dt.datetime) -> dict[str, Any]:
        p = self.params(now)
        by_state: dict[str, dict[str, int]] = {}
        review: dict[str, int] = {}
        overdue = at_risk = 0
        for track, state, gate, n, late, risky in conn.execute(self.open, p):
            states = by_state.setdefault(track, {})
            states[state] = states.get(state, 0) + n
            if state == "in_review":
                key = gate or "(none)"
                review[key] = review.get(key, 0) + n
            overdue += int(late or 0)
            at_risk += int(risky or 0)
        paused = ("blocked", "on_hold")
        checks = conn.execute(self.checks, p).scalar_one()
        by_category = {c: int(n) for c, n in conn.execute(self.failed, p)}
        teams = [
            {"team": t, "decisions": n, "pass_rate": int(k or 0) / n}
            for t, n, k in conn.execute(self.teams, p)
            if n
        ]
        flows = [
            {"workflow": w, "versions": n, "rejection_rate": int(r or 0) / n}
            for w, n, r in conn.execute(self.ai, p)
        ]
        return {
            "in_production": {
                "total": sum(n for s in by_state.values() for k, n in s.items() if k not in paused),
                "by_track_and_state": by_state,
            },
            "waiting_for_review": review,
            "blocked": sum(n for s in by_state.values() for k, n in s.items() if k in paused),
            "sla": {"overdue": overdue, "at_risk": at_risk},
            "failed_qc": {
                "versions_failing_checks": int(checks or 0),
                "failed_decisions": sum(by_category.values()),
                "by_category": by_category,
            },
            "teams": sorted(teams, key=lambda t: (-t["pass_rate"], t["team"])),
            "ai_workflows": sorted(flows, key=lambda f: (f["rejection_rate"], f["workflow"] or "")),
        }


class ReportSQL:
    """The report's headline numbers for a period, straight from the event log."""

    def __init__(self, dialect: str, policy: Policy) -> None:
        j = lambda key, col="e.payload": _json(dialect, col, key)  # noqa: E731
        num = (lambda s: s) if dialect == "sqlite" else (lambda s: f"CAST({s} AS double precision)")
        version_id = j("version_id")
        if dialect != "sqlite":
            version_id = f"CAST({version_id} AS bigint)"
        preventable = (
            f"{j('preventable', 'payload')} = 1"
            if dialect == "sqlite"
            else f"{j('preventable', 'payload')} = 'true'"
        )
        costs = policy.costs

        def by_class(table: dict[str, float]) -> str:
            whens = " ".join(f"WHEN '{k}' THEN {v!r}" for k, v in table.items())
            return f"(CASE a.complexity {whens} ELSE 0 END)"

        rates = " ".join(f"WHEN '{n}' THEN {r!r}" for n, r in costs.vendor_rates.items())
        vendor = f"(CASE t.name {rates} ELSE 1.0 END)" if rates else "1.0"
        kind = j("kind")
        estimate = f"""(CASE WHEN e.kind <> 'version_uploaded' THEN {costs.review!r}
            WHEN {kind} = 'ai' THEN {costs.ai_generation!r}
            WHEN {kind} = 'capture' THEN {by_class(costs.capture)}
            WHEN {kind} = 'retouch' THEN {by_class(costs.retouch)} * {vendor}
            ELSE {by_class(costs.retouch)} END)"""
        cost = num(j("cost"))
        period = "at >= :start AND at < :end AND asset_id IS NOT NULL"
        decisions = "('gate_passed', 'gate_failed', 'approved')"
        self.approved = _sql(
            f"""SELECT count(*), sum(CASE WHEN EXISTS (SELECT 1 FROM events f
                    WHERE f.asset_id = ap.asset_id AND f.kind = 'gate_failed' AND f.at < :end)
                THEN 0 ELSE 1 END)
            FROM (SELECT DISTINCT asset_id FROM events WHERE workspace_id = :ws AND {period}
                  AND (kind = 'approved'
                       OR (kind = 'gate_bypassed' AND {j("next_gate", "payload")} IS NULL))) ap""",
            "start", "end",
        )  # fmt: skip
        self.rework = _sql(
            f"""SELECT count(*), sum(CASE WHEN failed > 0 THEN 1 ELSE 0 END), sum(failed),
                sum(prevented)
            FROM (SELECT asset_id, sum(CASE WHEN kind = 'gate_failed' THEN 1 ELSE 0 END) AS failed,
                    sum(CASE WHEN kind = 'gate_failed' AND {preventable} THEN 1 ELSE 0 END)
                        AS prevented
                  FROM events WHERE workspace_id = :ws AND kind IN {decisions} AND {period}
                  GROUP BY asset_id) d""",
            "start", "end",
        )  # fmt: skip
        self.sla = _sql(
            """SELECT count(*), sum(CASE WHEN delivered <= due_at THEN 1 ELSE 0 END) FROM (
                SELECT a.due_at, (SELECT min(e.at) FROM events e WHERE e.asset_id = a.id
                                  AND e.kind = 'delivered' AND e.at < :end) AS delivered
                FROM assets a WHERE a.workspace_id = :ws AND a.due_at >= :start
                  AND a.due_at < :end AND NOT EXISTS (SELECT 1 FROM events c
                    WHERE c.asset_id = a.id AND c.kind = 'cancelled' AND c.at < :end)) d
            WHERE delivered IS NOT NULL OR due_at < :now""",
            "start", "end", "now",
        )  # fmt: skip
        self.cost = _sql(
            f"""WITH delivered AS (SELECT DISTINCT asset_id FROM events
                WHERE workspace_id = :ws AND kind = 'delivered' AND {period})
            SELECT (SELECT count(*) FROM delivered),
                (SELECT count(DISTINCT a.sku) FROM delivered d JOIN assets a ON a.id = d.asset_id),
                sum(COALESCE({cost}, {estimate})),
                sum(CASE WHEN {cost} IS NULL THEN {estimate} ELSE 0 END)
            FROM events e JOIN delivered d ON d.asset_id = e.asset_id
            JOIN assets a ON a.id = e.asset_id
            LEFT JOIN memberships m ON m.user_id = e.actor_id AND m.workspace_id = e.workspace_id
            LEFT JOIN teams t ON t.id = m.team_id AND t.is_vendor
            WHERE e.kind IN ('version_uploaded', 'gate_passed', 'gate_failed', 'approved')
              AND e.at < :end""",
            "start", "end",
        )  # fmt: skip
        self.ai = _sql(
            f"""SELECT count(*), sum(CASE WHEN failed > 0 THEN 1 ELSE 0 END) FROM (
                SELECT v.id, sum(CASE WHEN e.kind = 'gate_failed' THEN 1 ELSE 0 END) AS failed
                FROM events e JOIN versions v ON v.id = {version_id}
                WHERE e.workspace_id = :ws AND e.kind IN {decisions}
                  AND e.at >= :start AND e.at < :end AND e.asset_id IS NOT NULL AND v.kind = 'ai'
                GROUP BY v.id) x""",
            "start", "end",
        )  # fmt: skip

    def statements(self) -> dict[str, TextClause]:
        return {"approved + first pass": self.approved, "rework": self.rework,
                "SLA hit": self.sla, "delivered + cost": self.cost,
                "AI rejection": self.ai}  # fmt: skip

    def run(self, conn: Connection, start: dt.datetime, end: dt.datetime,
            now: dt.datetime) -> dict[str, Any]:  # fmt: skip
        p = {"ws": 1, "start": start, "end": end, "now": now}
        approved, clean = conn.execute(self.approved, p).one()
        decided, reworked, failed, prevented = conn.execute(self.rework, p).one()
        due, hits = conn.execute(self.sla, p).one()
        delivered, skus, total, estimated = conn.execute(self.cost, p).one()
        ai_versions, ai_rejected = conn.execute(self.ai, p).one()
        total = _num(total)
        return {
            "assets_approved": int(approved),
            "assets_delivered": int(delivered),
            "first_pass_approval_rate": _num(clean) / approved if approved else None,
            "rework_rate": _num(reworked) / decided if decided else None,
            "avg_rework_rounds": _num(failed) / decided if decided else None,
            "preventable_rework_share": _num(prevented) / _num(failed) if failed else None,
            "sla_hit_rate": _num(hits) / due if due else None,
            "cost_total": round(total, 2),
            "cost_estimated_share": _num(estimated) / total if total else None,
            "cost_per_image": round(total / delivered, 2) if delivered else None,
            "cost_per_sku": round(total / skus, 2) if skus else None,
            "ai_rejection_rate": _num(ai_rejected) / ai_versions if ai_versions else None,
            "ai_versions_reviewed": int(ai_versions),
        }


class ProjectionSQL:
    """The report's headline numbers hand-written over the metric projections (the tables
    the service reads): what a person would write given those tables, as tight as it goes."""

    def __init__(self, dialect: str, policy: Policy) -> None:
        costs = policy.costs

        def by_class(table: dict[str, float]) -> str:
            whens = " ".join(f"WHEN '{k}' THEN {v!r}" for k, v in table.items())
            return f"(CASE a.complexity {whens} ELSE 0 END)"

        rates = " ".join(f"WHEN '{n}' THEN {r!r}" for n, r in costs.vendor_rates.items())
        vendor = f"(CASE t.name {rates} ELSE 1.0 END)" if rates else "1.0"
        estimate = f"""(CASE WHEN u.kind = 'ai' THEN {costs.ai_generation!r}
            WHEN u.kind = 'capture' THEN {by_class(costs.capture)}
            WHEN u.kind = 'retouch' THEN {by_class(costs.retouch)} * {vendor}
            ELSE {by_class(costs.retouch)} END)"""
        period = "workspace_id = :ws AND at >= :start AND at < :end"
        self.approved = _sql(
            f"""SELECT count(*), sum(CASE WHEN ma.first_failed_at IS NULL
                    OR ma.first_failed_at >= :end THEN 1 ELSE 0 END)
            FROM (SELECT DISTINCT asset_id FROM metric_milestones
                  WHERE kind = 'approved' AND {period}) ap
            LEFT JOIN metric_assets ma ON ma.asset_id = ap.asset_id""",
            "start", "end",
        )  # fmt: skip
        self.rework = _sql(
            f"""SELECT count(*), sum(CASE WHEN failed > 0 THEN 1 ELSE 0 END), sum(failed),
                sum(prevented)
            FROM (SELECT asset_id, sum(CASE WHEN NOT passed THEN 1 ELSE 0 END) AS failed,
                    sum(CASE WHEN NOT passed AND preventable THEN 1 ELSE 0 END) AS prevented
                  FROM metric_decisions WHERE {period} GROUP BY asset_id) d""",
            "start", "end",
        )  # fmt: skip
        self.sla = _sql(
            """SELECT count(*), sum(CASE WHEN ma.first_delivered_at < :end
                    AND ma.first_delivered_at <= a.due_at THEN 1 ELSE 0 END)
            FROM assets a LEFT JOIN metric_assets ma ON ma.asset_id = a.id
            WHERE a.workspace_id = :ws AND a.due_at >= :start AND a.due_at < :end
              AND (ma.first_cancelled_at IS NULL OR ma.first_cancelled_at >= :end)
              AND (ma.first_delivered_at < :end OR a.due_at < :now)""",
            "start", "end", "now",
        )  # fmt: skip
        delivered = f"""(SELECT DISTINCT asset_id FROM metric_milestones
            WHERE kind = 'delivered' AND {period})"""
        self.cost = _sql(
            f"""SELECT (SELECT count(*) FROM {delivered} d1),
                (SELECT count(DISTINCT a.sku) FROM {delivered} d2
                 JOIN assets a ON a.id = d2.asset_id),
                (SELECT sum(COALESCE(u.cost, {estimate}))
                 FROM {delivered} d3 JOIN metric_uploads u ON u.asset_id = d3.asset_id
                 JOIN assets a ON a.id = u.asset_id
                 LEFT JOIN memberships m ON m.user_id = u.uploader_id
                   AND m.workspace_id = u.workspace_id
                 LEFT JOIN teams t ON t.id = m.team_id AND t.is_vendor
                 WHERE u.at < :end),
                (SELECT sum(CASE WHEN u.cost IS NULL THEN {estimate} ELSE 0 END)
                 FROM {delivered} d4 JOIN metric_uploads u ON u.asset_id = d4.asset_id
                 JOIN assets a ON a.id = u.asset_id
                 LEFT JOIN memberships m ON m.user_id = u.uploader_id
                   AND m.workspace_id = u.workspace_id
                 LEFT JOIN teams t ON t.id = m.team_id AND t.is_vendor
                 WHERE u.at < :end)""",
            "start", "end",
        )  # fmt: skip
        self.reviews = _sql(
            f"""SELECT sum(COALESCE(r.cost, {costs.review!r})),
                sum(CASE WHEN r.cost IS NULL THEN {costs.review!r} ELSE 0 END)
            FROM {delivered} d JOIN metric_decisions r ON r.asset_id = d.asset_id
            WHERE r.at < :end""",
            "start", "end",
        )  # fmt: skip
        self.ai = _sql(
            f"""SELECT count(*), sum(rejected) FROM (
                SELECT version_id, max(CASE WHEN NOT passed THEN 1 ELSE 0 END) AS rejected
                FROM metric_decisions WHERE {period} AND version_kind = 'ai'
                GROUP BY version_id) x""",
            "start", "end",
        )  # fmt: skip

        # The rest of the document: reasons over the failed decisions' defect lists, each
        # asset gone live with its stage times (percentiles taken in Python, as SQLite has
        # no percentile function), and AI rejection per workflow.
        each = "json_each(d.defects) j" if dialect == "sqlite" else (
            "json_array_elements_text(d.defects) AS j(value)")  # fmt: skip
        self.reasons = _sql(
            f"""SELECT d.version_kind = 'ai', j.value, count(*) FROM metric_decisions d, {each}
            WHERE d.workspace_id = :ws AND d.at >= :start AND d.at < :end AND NOT d.passed
            GROUP BY 1, 2""",
            "start", "end",
        )  # fmt: skip

        def micros(column: str) -> str:
            if dialect == "sqlite":
                return (f"(CAST(strftime('%s', {column}) AS INTEGER) * 1000000"
                        f" + CAST(substr({column}, 21, 6) AS INTEGER))")  # fmt: skip
            return f"CAST(extract(epoch FROM {column}) * 1000000 AS BIGINT)"

        def last_before_live(kind: str) -> str:
            return micros(f"""(SELECT max(m.at) FROM metric_milestones m WHERE
                m.asset_id = l.asset_id AND m.kind = '{kind}' AND m.at <= l.live)""")

        self.live = _sql(
            f"""SELECT {micros("l.live")}, {micros("ma.first_upload_at")},
                {micros("a.created_at")},
                CASE WHEN ma.first_submitted_at < :end
                    THEN {micros("ma.first_submitted_at")} END,
                {last_before_live("approved")}, {last_before_live("delivered")}
            FROM (SELECT asset_id, min(at) AS live FROM metric_milestones
                  WHERE kind = 'live' AND {period} GROUP BY asset_id) l
            JOIN metric_assets ma ON ma.asset_id = l.asset_id
            JOIN assets a ON a.id = l.asset_id
            WHERE ma.first_upload_at < :end""",
            "start", "end",
        )  # fmt: skip
        self.ai_workflows = _sql(
            f"""SELECT ai_workflow, count(*), sum(rejected) FROM (
                SELECT version_id, ai_workflow,
                    max(CASE WHEN NOT passed THEN 1 ELSE 0 END) AS rejected
                FROM metric_decisions WHERE {period} AND version_kind = 'ai'
                GROUP BY version_id, ai_workflow) x GROUP BY ai_workflow""",
            "start", "end",
        )  # fmt: skip

    def statements(self) -> dict[str, TextClause]:
        return {"approved + first pass": self.approved, "rework": self.rework,
                "SLA hit": self.sla, "delivered + upload cost": self.cost,
                "review cost": self.reviews, "AI rejection": self.ai,
                "rework reasons": self.reasons, "gone live": self.live,
                "AI by workflow": self.ai_workflows}  # fmt: skip

    @staticmethod
    def _shoot_to_live(rows: list[Any]) -> dict[str, Any]:
        hours = 3_600_000_000
        totals = [(live - up) / hours for live, up, *_ in rows]
        stages: list[list[float]] = [[] for _ in domain_metrics.STAGES]
        for live, up, requested, submitted, approved, delivered in rows:
            points = (requested, up, submitted, approved, delivered, live)
            for i, (a, b) in enumerate(itertools.pairwise(points)):
                if a is not None and b is not None:
                    stages[i].append((b - a) / hours)

        def pct(values: list[float], q: int) -> float | None:
            return float(np.percentile(values, q)) if values else None

        names = domain_metrics.STAGES
        stages_p50 = {n: pct(v, 50) for n, v in zip(names, stages, strict=True)}
        return {"p50": pct(totals, 50), "p90": pct(totals, 90), "assets": len(totals),
                "stages_p50": stages_p50}  # fmt: skip

    def run(self, conn: Connection, start: dt.datetime, end: dt.datetime,
            now: dt.datetime) -> dict[str, Any]:  # fmt: skip
        p = {"ws": 1, "start": start, "end": end, "now": now}
        approved, clean = conn.execute(self.approved, p).one()
        decided, reworked, failed, prevented = conn.execute(self.rework, p).one()
        due, hits = conn.execute(self.sla, p).one()
        delivered, skus, uploads, uploads_est = conn.execute(self.cost, p).one()
        reviews, reviews_est = conn.execute(self.reviews, p).one()
        ai_versions, ai_rejected = conn.execute(self.ai, p).one()
        reasons: dict[str, int] = {}
        ai_defects: dict[str, int] = {}
        for is_ai, code, n in conn.execute(self.reasons, p):
            reasons[code] = reasons.get(code, 0) + n
            if is_ai:
                ai_defects[code] = n
        live = self._shoot_to_live(conn.execute(self.live, p).all())
        by_workflow = {
            workflow or "(unknown)": {"rejected": int(r), "reviewed": int(n), "rate": r / n}
            for workflow, n, r in conn.execute(self.ai_workflows, p)
        }
        total = _num(uploads) + _num(reviews)
        estimated = _num(uploads_est) + _num(reviews_est)
        return {
            "assets_approved": int(approved),
            "assets_delivered": int(delivered),
            "first_pass_approval_rate": _num(clean) / approved if approved else None,
            "rework_rate": _num(reworked) / decided if decided else None,
            "avg_rework_rounds": _num(failed) / decided if decided else None,
            "preventable_rework_share": _num(prevented) / _num(failed) if failed else None,
            "sla_hit_rate": _num(hits) / due if due else None,
            "cost_total": round(total, 2),
            "cost_estimated_share": estimated / total if total else None,
            "cost_per_image": round(total / delivered, 2) if delivered else None,
            "cost_per_sku": round(total / skus, 2) if skus else None,
            "ai_rejection_rate": _num(ai_rejected) / ai_versions if ai_versions else None,
            "ai_versions_reviewed": int(ai_versions),
            "rework_reasons": reasons,
            "ai_rejections_by_defect": ai_defects,
            "shoot_to_live_hours": live,
            "ai_rejection_by_workflow": by_workflow,
        }


HEADLINE = (
    "assets_approved", "assets_delivered", "first_pass_approval_rate", "rework_rate",
    "avg_rework_rounds", "preventable_rework_share", "sla_hit_rate", "cost_total",
    "cost_estimated_share", "cost_per_image", "cost_per_sku", "ai_rejection_rate",
    "ai_versions_reviewed",
)  # fmt: skip


def _same(a: Any, b: Any, key: str) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, dict) or isinstance(b, dict):
        if not isinstance(a, dict) or not isinstance(b, dict):
            return False
        # The service's document carries more than the hand-written SQL computes (the
        # shoot-to-live histogram): compare what both have.
        keys = a.keys() & b.keys() if key == "shoot_to_live_hours" else a.keys() | b.keys()
        return all(_same(a.get(k), b.get(k), k) for k in keys)
    if key.startswith("cost_") and key != "cost_estimated_share":
        return abs(a - b) <= 0.011  # rounded to cents after float sums in another order
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


# --- measuring --------------------------------------------------------------------------------


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _stats(seconds: list[float]) -> dict[str, float]:
    return {"n": len(seconds), "p50": _pct(seconds, 50), "p95": _pct(seconds, 95),
            "max": max(seconds), "min": min(seconds)}  # fmt: skip


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def _interleave(service: Callable[[], Any], sql: Callable[[], Any], runs: int,
                label: str) -> tuple[list[float], list[float]]:  # fmt: skip
    """Alternate service and SQL runs (so load on the machine hits both alike), `runs`
    each, or fewer once --loop-budget seconds have passed (never fewer than MIN_RUNS)."""
    a: list[float] = []
    b: list[float] = []
    began = time.perf_counter()
    for n in range(runs):
        a.append(_timed(service)[0])
        b.append(_timed(sql)[0])
        budget = OPTIONS["loop_budget_s"]
        if n + 1 >= MIN_RUNS and time.perf_counter() - began > budget:
            _log(f"  {label}: stopped after {n + 1} runs (budget {budget:.0f} s)")
            break
    return a, b


def _dashboard_service(app: App, actor: Actor) -> dict[str, Any]:
    with app.uow() as uow:
        return dash.dashboard(uow, actor, NOW)


def _report_service(app: App, actor: Actor) -> dict[str, Any]:
    with app.uow() as uow:
        document = svc_metrics.build_report(uow, actor, MONTH_START, MONTH_END, NOW)
    json.dumps(document, indent=2, ensure_ascii=False)
    return document


def _dashboard_parts(app: App, actor: Actor) -> dict[str, float]:
    """One instrumented dashboard: the time of each of its queries (the service's own
    functions, called in the order dashboard() calls them)."""
    since = NOW - dash.WINDOW
    out: dict[str, float] = {}
    with app.uow() as uow:
        out["load_active_policy"], active = _timed(
            lambda: load_active_policy(uow, actor.workspace_id)
        )
        out["_by_state"], _ = _timed(lambda: dash._by_state(uow, actor))
        out["failed checks (inline)"], _ = _timed(
            lambda: uow.session.scalar(
                select(func.count(func.distinct(CheckResult.version_id))).where(
                    CheckResult.workspace_id == actor.workspace_id,
                    CheckResult.measured_at >= since,
                    CheckResult.passed.is_(False),
                )
            )
        )
        out["_review_by_gate"], _ = _timed(lambda: dash._review_by_gate(uow, actor))
        out["_sla"], _ = _timed(lambda: dash._sla(uow, actor, active.policy, NOW))
        out["_failed_by_category"], _ = _timed(lambda: dash._failed_by_category(uow, actor, since))
        out["_team_pass_rates"], _ = _timed(lambda: dash._team_pass_rates(uow, actor, since))
        out["_ai_rejections"], _ = _timed(lambda: dash._ai_rejections(uow, actor, since))
    return out


def _report_parts(app: App, actor: Actor) -> dict[str, float]:
    """One instrumented build_report: the steps of svc_metrics.period_totals() timed one
    after the other on one connection (the service runs them side by side), then the
    document and json.dumps."""
    out: dict[str, float] = {}
    began = time.perf_counter()
    with app.uow() as uow:
        policy = load_active_policy(uow, actor.workspace_id).policy
        vendors = svc_metrics._vendors(uow, actor)
    p = svc_metrics._Period(
        actor.workspace_id, MONTH_START, MONTH_END, NOW, app.engine.dialect.name
    )
    t = domain_metrics.PeriodTotals()
    steps: dict[str, Callable[[Connection], None]] = {
        "approvals": lambda db: svc_metrics._approvals(db, p, t),
        "decisions": lambda db: svc_metrics._decisions(db, p, t),
        "sla": lambda db: svc_metrics._sla(db, p, t),
        "shoot_to_live": lambda db: svc_metrics._shoot_to_live(db, p, t),
        "cost": lambda db: svc_metrics._cost(db, p, t, policy.costs, vendors),
    }
    with app.engine.connect() as conn:
        for name, step in steps.items():
            started = time.perf_counter()
            step(conn)
            out[name] = time.perf_counter() - started
    out["document"] = _timed(lambda: json.dumps(domain_metrics.summary_from_totals(t), indent=2))[0]
    out["total"] = time.perf_counter() - began
    out["live_rows"] = float(len(t.live_micros))
    return out


def _service_plans(app: App, actor: Actor) -> dict[str, list[str]]:
    """The plans of the statements the services really send: captured from one dashboard()
    call and one build_report() call, then EXPLAINed."""
    captured: list[tuple[str, str, Any]] = []
    label = ["dashboard"]

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                executemany: bool) -> None:  # fmt: skip
        flat = " ".join(statement.split())
        skip = ("EXPLAIN", "SELECT 1")
        if " FROM " in flat and not flat.startswith(skip) and "FROM policy_versions" not in flat:
            captured.append((label[0], statement, parameters))

    sa_event.listen(app.engine, "before_cursor_execute", capture)
    try:
        _dashboard_service(app, actor)
        label[0] = "report"
        _report_service(app, actor)
    finally:
        sa_event.remove(app.engine, "before_cursor_execute", capture)
    plans: dict[str, list[str]] = {}
    sqlite = app.engine.dialect.name == "sqlite"
    with app.engine.connect() as conn:
        for where, statement, parameters in captured:
            flat = " ".join(statement.split())
            flat = re.sub(r"\?(, \?)+", "?, ...", flat) if sqlite else flat
            flat = re.sub(r"(%\(\w+\)s(::\w+)?, ){3,}", "..., ", flat)
            key = f"{where}: {flat[:400]}"
            if key in plans:
                continue
            prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
            rows = conn.exec_driver_sql(prefix + statement, parameters)
            plans[key] = [str(row[-1])[:300] for row in rows]
            conn.rollback()
    return plans


def _explain(conn: Connection, statement: TextClause, params: dict[str, Any]) -> list[str]:
    sqlite = conn.dialect.name == "sqlite"
    times = [n for n, v in params.items()
             if isinstance(v, dt.datetime) and re.search(rf":{n}\b", statement.text)]  # fmt: skip
    explained = _sql(("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + statement.text, *times)
    return [str(row[-1]) for row in conn.execute(explained, params)]


def _measure(app: App, actor: Actor, policy: Policy, dash_runs: int, report_runs: int,
             tag: str) -> dict[str, Any]:  # fmt: skip
    dialect = app.engine.dialect.name
    dsql = DashboardSQL(dialect, policy)
    rsql = ReportSQL(dialect, policy)
    psql = ProjectionSQL(dialect, policy)
    out: dict[str, Any] = {}
    conn = app.engine.connect()
    try:
        _log(f"  [{tag}] dashboard: cold call")
        out["dashboard_cold"], service_doc = _timed(lambda: _dashboard_service(app, actor))
        out["dashboard_sql_cold"], sql_doc = _timed(lambda: dsql.run(conn, NOW))
        conn.rollback()
        got = {k: v for k, v in service_doc.items() if k not in ("at", "window_days")}
        out["dashboard_agree"] = got == sql_doc
        out["dashboard_numbers"] = {
            "in_production": got["in_production"]["total"], "blocked": got["blocked"],
            "waiting_for_review": sum(got["waiting_for_review"].values()),
            **got["sla"], "failed_decisions": got["failed_qc"]["failed_decisions"],
            "teams": len(got["teams"]), "ai_workflows": len(got["ai_workflows"]),
        }  # fmt: skip
        if not out["dashboard_agree"]:
            out["dashboard_service"] = got
            out["dashboard_sql"] = sql_doc
        _log(f"  [{tag}] dashboard: {dash_runs} runs each")

        def sql_dashboard() -> None:
            dsql.run(conn, NOW)
            conn.rollback()

        a, b = _interleave(lambda: _dashboard_service(app, actor), sql_dashboard, dash_runs,
                           "dashboard")  # fmt: skip
        out["dashboard"], out["dashboard_sql"] = _stats(a), _stats(b)
        parts = [_dashboard_parts(app, actor) for _ in range(3)]
        out["dashboard_parts"] = {k: sorted(p[k] for p in parts)[1] for k in parts[0]}
        parts_sql: dict[str, list[float]] = {}
        p = dsql.params(NOW)
        for _ in range(3):
            for name, statement in dsql.statements().items():
                parts_sql.setdefault(name, []).append(
                    _timed(lambda s=statement: conn.execute(s, p).all())[0]
                )
            conn.rollback()
        out["dashboard_sql_parts"] = {k: sorted(v)[1] for k, v in parts_sql.items()}

        if report_runs == 0:
            return out
        _log(f"  [{tag}] report {MONTH_START:%Y-%m}: cold call")
        out["report_cold"], document = _timed(lambda: _report_service(app, actor))
        out["report_sql_cold"], headline = _timed(
            lambda: rsql.run(conn, MONTH_START, MONTH_END, NOW)
        )
        conn.rollback()
        out["headline"] = {k: [document.get(k), headline[k]] for k in HEADLINE}
        out["headline_agree"] = all(_same(s, q, k) for k, (s, q) in out["headline"].items())
        _log(f"  [{tag}] report: {report_runs} runs each")

        def sql_report() -> None:
            rsql.run(conn, MONTH_START, MONTH_END, NOW)
            conn.rollback()

        a, b = _interleave(lambda: _report_service(app, actor), sql_report, report_runs,
                           "report")  # fmt: skip
        out["report"], out["report_sql"] = _stats(a), _stats(b)
        _log(f"  [{tag}] report: instrumented call")
        out["report_parts"] = _report_parts(app, actor)
        rp = {"ws": 1, "start": MONTH_START, "end": MONTH_END, "now": NOW}
        out["report_sql_parts"] = {
            name: _timed(lambda s=statement: conn.execute(s, rp).all())[0]
            for name, statement in rsql.statements().items()
        }
        conn.rollback()
        _log(f"  [{tag}] report: hand-written SQL over the projections")
        out["report_psql_cold"], pheadline = _timed(
            lambda: psql.run(conn, MONTH_START, MONTH_END, NOW)
        )
        conn.rollback()
        out["pheadline_agree"] = all(_same(pheadline[k], document.get(k), k) for k in pheadline)
        out["pheadline_differs"] = [
            k for k in pheadline if not _same(pheadline[k], document.get(k), k)
        ]

        def psql_report() -> None:
            psql.run(conn, MONTH_START, MONTH_END, NOW)
            conn.rollback()

        a, b = _interleave(lambda: _report_service(app, actor), psql_report, report_runs,
                           "report vs projection SQL")  # fmt: skip
        out["report_2"], out["report_psql"] = _stats(a), _stats(b)
    finally:
        conn.close()
    return out


def child(url: str, assets: int, dash_runs: int, report_runs: int, try_indexes: bool,
          explain: bool, check: bool) -> dict[str, Any]:  # fmt: skip
    home = Path(tempfile.mkdtemp(prefix="shotline-bench-metrics-home-"))
    try:
        result: dict[str, Any] = {"loaded": None, "setup_peak_mb": None}
        if OPTIONS["reuse"]:
            # A database an earlier run left (--keep): measure only, with today's code.
            _log(f"  reusing {url}")
        elif OPTIONS["copy_from"]:
            _log(f"  setup: copying {OPTIONS['copy_from']}")
            copied = copy_sqlite_to_postgres(OPTIONS["copy_from"], url)
            result = {
                "loaded": None,
                "copied": asdict(copied),
                "setup_peak_mb": _peak_mb(),
                "copied_from": OPTIONS["copy_from"],
            }
        else:
            _log(f"  setup: {assets} assets")
            loaded = _bulk.fill(url, home, assets, check=check, peak=_peak_mb)
            result = {"loaded": asdict(loaded), "setup_peak_mb": _peak_mb()}
        reset = _reset_peak()
        app = build(Settings(home, url, "bench", "admin"))
        with app.uow() as uow:
            actor = workspaces.resolve_actor(uow, "bench", "admin")
            policy = load_active_policy(uow, actor.workspace_id).policy
        with app.engine.connect() as conn:
            result["db_mb"] = _bulk.database_bytes(conn, url) / 1e6
            states = conn.execute(select(Asset.state, func.count()).group_by(Asset.state))
            result["open_now"] = {s: n for s, n in states if s in WORKING_STATES}
        result["base"] = _measure(app, actor, policy, dash_runs, report_runs, "as is")
        if explain:
            result["plans"] = _service_plans(app, actor)
        if try_indexes:
            _log("  creating the suggested indexes")
            start = time.perf_counter()
            with app.engine.connect() as conn:
                for statement in SUGGESTED:
                    conn.execute(text(statement))
                conn.commit()
                if app.engine.dialect.name == "postgresql":
                    conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                        text("ANALYZE assets, gate_decisions, check_results")
                    )
            result["index_seconds"] = time.perf_counter() - start
            result["indexed"] = _measure(app, actor, policy, max(10, dash_runs // 2), 0,
                                         "indexed")  # fmt: skip
            if explain:
                result["plans_indexed"] = _service_plans(app, actor)
        app.close()
        result["measure_peak_mb"] = _peak_mb() if reset else None
        return result
    finally:
        shutil.rmtree(home, ignore_errors=True)


# --- parent ----------------------------------------------------------------------------------


def _run_child(url: str, args: argparse.Namespace) -> dict[str, Any]:
    sys.stdout.flush()
    command = [sys.executable, __file__, "--child", "--url", url, "--assets", str(args.assets),
               "--dashboard-runs", str(args.dashboard_runs), "--report-runs",
               str(args.report_runs), "--loop-budget", str(args.loop_budget)]  # fmt: skip
    command += ["--try-indexes"] * args.try_indexes + ["--explain"] * args.explain
    command += ["--check"] * args.check + ["--reuse", args.reuse] * bool(args.reuse)
    command += ["--copy-from", args.copy_from] * bool(args.copy_from)
    out = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"child failed with exit status {out.returncode}")
    last = out.stdout.strip().splitlines()[-1]
    if args.save:
        # The raw figures survive whatever happens to the printing below.
        with Path(args.save).open("a", encoding="utf-8") as saved:
            saved.write(last + "\n")
    result: dict[str, Any] = json.loads(last)
    return result


def _ms(s: dict[str, float]) -> str:
    return (f"p50 {s['p50'] * 1000:8.1f}  p95 {s['p95'] * 1000:8.1f}  max {s['max'] * 1000:8.1f} ms"
            f" (n={s['n']})")  # fmt: skip


def _s(s: dict[str, float]) -> str:
    return f"p50 {s['p50']:7.2f}  max {s['max']:7.2f} s (n={s['n']})"


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.4f}" if abs(v) < 10 else f"{v:,.2f}"
    return f"{v:,}"


def _report_measured(m: dict[str, Any], label: str) -> None:
    d, ds = m["dashboard"], m["dashboard_sql"]
    verdict = "meets" if d["p95"] < 0.2 else "misses"
    print(f"  dashboard   [{label}] cold {m['dashboard_cold'] * 1000:.0f} ms; "
          f"target p95 < 200 ms: {verdict}")  # fmt: skip
    print(f"    service    {_ms(d)}")
    print(f"    SQL        {_ms(ds)}")
    print(f"    ratio      p50 {d['p50'] / ds['p50']:.2f}x  p95 {d['p95'] / ds['p95']:.2f}x  "
          f"(target within 1.5x)")  # fmt: skip
    parts = m["dashboard_parts"]
    print("    service by query (median of 3, ms): "
          + ", ".join(f"{k} {v * 1000:.1f}" for k, v in parts.items()))  # fmt: skip
    sql_parts = m["dashboard_sql_parts"]
    print("    SQL by query (median of 3, ms):     "
          + ", ".join(f"{k} {v * 1000:.1f}" for k, v in sql_parts.items()))  # fmt: skip
    n = m["dashboard_numbers"]
    print(f"    answers agree: {'yes' if m['dashboard_agree'] else 'NO'} ("
          + ", ".join(f"{k} {v}" for k, v in n.items()) + ")")  # fmt: skip
    if not m["dashboard_agree"]:
        print(f"      service: {json.dumps(m['dashboard_service'], sort_keys=True)}")
        print(f"      SQL:     {json.dumps(m['dashboard_sql'], sort_keys=True)}")
    if "report" not in m:
        return
    r, rs = m["report"], m["report_sql"]
    verdict = "meets" if r["p50"] < 2 and r["max"] < 2 else "misses"
    print(f"  report {MONTH_START:%Y-%m} [{label}] cold {m['report_cold']:.2f} s; "
          f"target < 2 s: {verdict}")  # fmt: skip
    print(f"    service    {_s(r)}   (build_report + json.dumps: every metric)")
    print(f"    SQL, raw   {_s(rs)}   (headline numbers from the events)")
    print(f"    ratio      p50 {r['p50'] / rs['p50']:.2f}x  max {r['max'] / rs['max']:.2f}x")
    r2, ps = m["report_2"], m["report_psql"]
    print(f"    service    {_s(r2)}   (again, interleaved with the next line)")
    print(f"    SQL, proj. {_s(ps)}   (the whole document from the projections)")
    print(f"    ratio      p50 {r2['p50'] / ps['p50']:.2f}x  max {r2['max'] / ps['max']:.2f}x  "
          f"(target within 1.5x); agree: {'yes' if m['pheadline_agree'] else 'NO'}")  # fmt: skip
    if m.get("pheadline_differs"):
        print(f"      differ: {', '.join(m['pheadline_differs'])}")
    p = m["report_parts"]
    steps = ("approvals", "decisions", "sla", "shoot_to_live", "cost", "document")
    print(f"    service steps one after the other (one call, {p['total']:.2f} s; the service "
          "runs them side by side): "
          + ", ".join(f"{k} {p[k]:.2f} s" for k in steps)
          + f"; {int(p['live_rows']):,} assets gone live read for the percentiles")  # fmt: skip
    print("    SQL by statement (s): "
          + ", ".join(f"{k} {v:.2f}" for k, v in m["report_sql_parts"].items()))  # fmt: skip
    agree = "yes" if m["headline_agree"] else "NO"
    print(f"    headline (service | SQL), agree: {agree}")
    for key, (a, b) in m["headline"].items():
        mark = "" if _same(a, b, key) else "   <-- differs"
        print(f"      {key:<26} {_fmt(a):>14} | {_fmt(b):<14}{mark}")


def _report(backend: str, r: dict[str, Any]) -> None:
    ld = r["loaded"]
    print(f"\n{backend}")
    if ld is None and "copied" not in r:
        print(f"  reused database of {r['db_mb']:,.0f} MB (--reuse)")
    else:
        _report_setup(ld, r)
    open_now = ", ".join(f"{s} {n:,}" for s, n in r["open_now"].items())
    print(f"  open now   {sum(r['open_now'].values()):,}: {open_now}")
    _report_rest(r)


def _report_setup(ld: dict[str, Any] | None, r: dict[str, Any]) -> None:
    if "copied" in r:
        c = r["copied"]
        total = c["copy_seconds"] + c["index_seconds"] + c["finish_seconds"]
        print(
            f"  setup      {total:7.1f} s: copied from {r['copied_from']}: "
            f"{c['rows'].get('assets', 0):,} assets, {c['rows'].get('events', 0):,} events; "
            f"COPY {c['copy_seconds']:.0f} s + create indexes {c['index_seconds']:.0f} s + "
            f"VACUUM ANALYZE {c['finish_seconds']:.0f} s; database {r['db_mb']:,.0f} MB"
        )
        return
    assert ld is not None
    print(f"  setup      {ld['setup_seconds']:7.1f} s: {ld['assets']:,} assets, "
          f"{ld['lines']:,} SKU lines, {ld['requests']} requests, {ld['versions']:,} versions, "
          f"{ld['decisions']:,} gate decisions, {ld['events']:,} events "
          f"({ld['events'] / ld['assets']:.1f} per asset)")  # fmt: skip
    print(f"             generate {ld['generate_seconds']:.0f} s + Core executemany "
          f"{ld['insert_seconds']:.0f} s + projections.project() on "
          f"{ld['events_projected']:,} events {ld['project_seconds']:.0f} s + "
          f"create indexes {ld['index_seconds']:.0f} s + "
          f"finish {ld['finish_seconds']:.0f} s; database {r['db_mb']:,.0f} MB; "
          f"peak RSS setup {r['setup_peak_mb']:.0f} MB")  # fmt: skip


def _report_rest(r: dict[str, Any]) -> None:
    _report_measured(r["base"], "as is")
    if "indexed" in r:
        print(f"  with the suggested indexes (created in {r['index_seconds']:.1f} s):")
        for statement in SUGGESTED:
            print(f"    {statement}")
        _report_measured(r["indexed"], "indexed")
    for key in ("plans", "plans_indexed"):
        for name, lines in r.get(key, {}).items():
            print(f"  {'plan' if key == 'plans' else 'plan, indexed'} of {name}")
            for line in lines:
                print(f"    {line}")
    peak = r["measure_peak_mb"]
    print(f"  peak RSS while measuring {peak:.0f} MB" if peak else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assets", type=int, default=1_000_000)
    parser.add_argument("--dashboard-runs", type=int, default=50)
    parser.add_argument("--report-runs", type=int, default=5)
    parser.add_argument("--loop-budget", type=float, default=OPTIONS["loop_budget_s"],
                        help="seconds after which a timing loop stops (min 3 runs)")  # fmt: skip
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--try-indexes", action="store_true",
                        help="then create the suggested indexes and measure again")  # fmt: skip
    parser.add_argument("--explain", action="store_true", help="print query plans")
    parser.add_argument("--check", action="store_true",
                        help="verify foreign keys after the SQLite load (slow)")  # fmt: skip
    parser.add_argument("--save", help="append each backend's raw figures (JSON) to this file")
    parser.add_argument(
        "--keep",
        help="write the SQLite database into this folder and keep "
        "it, and keep the PostgreSQL database",
    )
    parser.add_argument("--reuse", help="measure only, on the database at this URL (--keep)")
    parser.add_argument(
        "--copy-from",
        help="fill PostgreSQL by copying this SQLite database "
        "(a URL; by default the one this run filled)",
    )
    parser.add_argument(
        "--fill-postgres",
        action="store_true",
        help="fill PostgreSQL with the generator too, not by copying SQLite's",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    OPTIONS["loop_budget_s"] = args.loop_budget
    OPTIONS["reuse"] = bool(args.reuse)
    OPTIONS["copy_from"] = args.copy_from
    if args.child:
        result = child(args.url, args.assets, args.dashboard_runs, args.report_runs,
                       args.try_indexes, args.explain, args.check)  # fmt: skip
        print(json.dumps(result))
        return
    print(f"{platform.platform()}; {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"shotline {_revision()}; load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"{args.assets:,} assets, a year of history to {NOW:%Y-%m-%d %H:%M} UTC; dashboard "
          f"x{args.dashboard_runs} and report {MONTH_START:%Y-%m} x{args.report_runs} (each "
          f"after one cold call), service and hand-written SQL interleaved, same process and "
          f"engine")  # fmt: skip
    if args.reuse:
        _report("reused", _run_child(args.reuse, args))
        return
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="shotline-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        if not args.no_sqlite:
            sqlite_url = f"sqlite:///{work / 'metrics.db'}"
            _report("SQLite", _run_child(sqlite_url, args))
            if not args.fill_postgres and not args.copy_from:
                # PostgreSQL gets the very same history, copied (benchmarks/_copy.py).
                args.copy_from = sqlite_url
        if args.no_postgres:
            return
        fresh = fresh_postgres("\n")
        if fresh is None:
            return
        try:
            _report("PostgreSQL", _run_child(fresh[1], args))
        finally:
            if args.keep:
                print(f"  kept the PostgreSQL database: --reuse {fresh[1]}")
            else:
                drop_postgres(fresh[0])
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
