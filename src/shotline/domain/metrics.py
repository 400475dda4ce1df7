"""Metric definitions, computed from per-asset facts that the event log yields.

Each function takes the facts of the assets that matter and a period [start, end). The
definitions are written out in docs/metrics.md; keep the two in step.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

AI_INVOLVEMENT = ("none", "ai_assisted", "ai_generated")
# Durations in hours: a list, or a numpy array of them (the projections' reading).
Hours = Sequence[float] | npt.NDArray[np.float64]

DIMENSIONS = (
    "category",
    "track",
    "complexity",
    "channel",
    "vendor",
    "photographer",
    "retoucher",
    "ai",
    "week",
    "month",
)


@dataclass(frozen=True)
class DecisionFact:
    at: dt.datetime
    passed: bool
    defects: tuple[str, ...]
    preventable: bool
    version_id: int
    version_kind: str
    ai_workflow: str | None


@dataclass(frozen=True)
class WorkFact:
    """One piece of work on an asset (a version or a review) and what it cost."""

    at: dt.datetime
    kind: str
    cost: float
    estimated: bool


@dataclass
class AssetFacts:
    """What the event log says about one asset."""

    asset_id: int
    sku: str
    category: str
    track: str
    complexity: str
    channels: tuple[str, ...]
    due_at: dt.datetime
    requested_at: dt.datetime
    uploads: list[tuple[dt.datetime, str]] = field(default_factory=list)
    submissions: list[dt.datetime] = field(default_factory=list)
    decisions: list[DecisionFact] = field(default_factory=list)
    approvals: list[dt.datetime] = field(default_factory=list)
    deliveries: list[dt.datetime] = field(default_factory=list)
    lives: list[dt.datetime] = field(default_factory=list)
    cancelled_at: dt.datetime | None = None
    work: list[WorkFact] = field(default_factory=list)
    photographer: str | None = None
    retoucher: str | None = None
    vendor: str | None = None
    ai: str = "none"

    def dimension(self, name: str) -> tuple[str, ...]:
        """The slice values of this asset for a dimension (an asset may sit in several
        channels, so a dimension gives a tuple)."""
        if name == "channel":
            return self.channels or ("(none)",)
        value = {
            "category": self.category,
            "track": self.track,
            "complexity": self.complexity,
            "vendor": self.vendor,
            "photographer": self.photographer,
            "retoucher": self.retoucher,
            "ai": self.ai,
        }[name]
        return (value or "(none)",)


def _within(at: dt.datetime, start: dt.datetime, end: dt.datetime) -> bool:
    return start <= at < end


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between closest ranks, as numpy's default method."""
    return _ranked_percentile(sorted(values), q)


def _ranked_percentile(ordered: Hours, q: float) -> float | None:
    """`percentile` of values already sorted (a month at catalog scale has tens of thousands
    of durations: sort them once for every percentile taken)."""
    if not len(ordered):
        return None
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (rank - low))


def ranked(counts: Counter[str]) -> dict[str, int]:
    """Counts, most frequent first; ties by code, so the order never depends on the order the
    counts were read in."""
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def approved_in(
    facts: Iterable[AssetFacts], start: dt.datetime, end: dt.datetime
) -> list[AssetFacts]:
    return [f for f in facts if any(_within(a, start, end) for a in f.approvals)]


def delivered_in(
    facts: Iterable[AssetFacts], start: dt.datetime, end: dt.datetime
) -> list[AssetFacts]:
    return [f for f in facts if any(_within(d, start, end) for d in f.deliveries)]


def first_pass_approval_rate(
    facts: Sequence[AssetFacts], start: dt.datetime, end: dt.datetime
) -> float | None:
    """Of the assets approved in the period, the share that never had a failed decision."""
    approved = approved_in(facts, start, end)
    clean = [f for f in approved if not any(not d.passed and d.at < end for d in f.decisions)]
    return _share(len(clean), len(approved))


def _decided(
    facts: Sequence[AssetFacts], start: dt.datetime, end: dt.datetime
) -> list[tuple[AssetFacts, list[DecisionFact]]]:
    out = []
    for f in facts:
        inside = [d for d in f.decisions if _within(d.at, start, end)]
        if inside:
            out.append((f, inside))
    return out


def rework(facts: Sequence[AssetFacts], start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """rework_rate, avg_rework_rounds, rework_reasons and preventable_rework_share."""
    decided = _decided(facts, start, end)
    failed = [d for _, ds in decided for d in ds if not d.passed]
    reworked = sum(1 for _, ds in decided if any(not d.passed for d in ds))
    reasons = Counter(code for d in failed for code in d.defects)
    return {
        "rework_rate": _share(reworked, len(decided)),
        "avg_rework_rounds": len(failed) / len(decided) if decided else None,
        "rework_reasons": ranked(reasons),
        "preventable_rework_share": _share(sum(1 for d in failed if d.preventable), len(failed)),
    }


def sla_hit_rate(
    facts: Sequence[AssetFacts], start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> float | None:
    """Of assets due in the period, the share delivered at or before due. Undelivered and
    past due is a miss; not yet due, and cancelled, are left out."""
    hits = counted = 0
    for f in facts:
        if not _within(f.due_at, start, end) or f.cancelled_at is not None:
            continue
        delivered = min(f.deliveries) if f.deliveries else None
        if delivered is None and f.due_at >= now:
            continue
        counted += 1
        hits += delivered is not None and delivered <= f.due_at
    return _share(hits, counted)


def _hours(a: dt.datetime | None, b: dt.datetime | None) -> float | None:
    return (b - a).total_seconds() / 3600 if a is not None and b is not None else None


def shoot_to_live(
    facts: Sequence[AssetFacts], start: dt.datetime, end: dt.datetime
) -> dict[str, Any]:
    """Hours from first capture or AI upload to live, for assets that went live in the
    period: p50, p90 and the p50 of each stage."""
    totals: list[float] = []
    stages: dict[str, list[float]] = {
        k: []
        for k in (
            "request_to_upload",
            "upload_to_submission",
            "submission_to_approval",
            "approval_to_delivery",
            "delivery_to_live",
        )
    }
    for f in facts:
        live = next((t for t in sorted(f.lives) if _within(t, start, end)), None)
        first = min((t for t, kind in f.uploads if kind in ("capture", "ai")), default=None)
        if live is None or first is None:
            continue
        totals.append(_hours(first, live) or 0.0)
        submitted = min(f.submissions, default=None)
        approved = max((a for a in f.approvals if a <= live), default=None)
        delivered = max((d for d in f.deliveries if d <= live), default=None)
        points = [f.requested_at, first, submitted, approved, delivered, live]
        for name, a, b in zip(stages, points, points[1:], strict=False):
            value = _hours(a, b)
            if value is not None:
                stages[name].append(value)
    return {
        "p50": percentile(totals, 50),
        "p90": percentile(totals, 90),
        "assets": len(totals),
        "stages_p50": {name: percentile(values, 50) for name, values in stages.items()},
        "histogram": histogram(totals),
    }


HISTOGRAM_EDGES = (0, 24, 48, 72, 120, 168, 336)


def histogram(hours: Hours) -> dict[str, int]:
    """Counts per bucket of hours ("0-24", ..., "336+"), for the distribution chart."""
    labels = [f"{a}-{b}" for a, b in itertools.pairwise(HISTOGRAM_EDGES)]
    labels.append(f"{HISTOGRAM_EDGES[-1]}+")
    # Each value's bucket: the first whose upper edge is above it; past the last, "336+".
    index = np.searchsorted(HISTOGRAM_EDGES[1:], np.asarray(hours, dtype=np.float64), "right")
    buckets = np.bincount(index, minlength=len(labels))
    return {label: int(n) for label, n in zip(labels, buckets, strict=True)}


def cost(facts: Sequence[AssetFacts], start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """All work on the assets delivered in the period, per image and per SKU."""
    delivered = delivered_in(facts, start, end)
    total = sum(w.cost for f in delivered for w in f.work if w.at < end)
    estimated = sum(w.cost for f in delivered for w in f.work if w.at < end and w.estimated)
    skus = {f.sku for f in delivered}
    return {
        "cost_total": round(total, 2),
        "cost_estimated_share": (estimated / total) if total else None,
        "cost_per_image": round(total / len(delivered), 2) if delivered else None,
        "cost_per_sku": round(total / len(skus), 2) if skus else None,
    }


def ai_rejection(
    facts: Sequence[AssetFacts], start: dt.datetime, end: dt.datetime
) -> dict[str, Any]:
    """Of AI versions with a decision in the period, the share with a failed one; with the
    breakdown by defect code and by AI workflow version."""
    versions: dict[int, list[DecisionFact]] = {}
    for f in facts:
        for d in f.decisions:
            if d.version_kind == "ai" and _within(d.at, start, end):
                versions.setdefault(d.version_id, []).append(d)
    rejected = {v for v, ds in versions.items() if any(not d.passed for d in ds)}
    defects = Counter(c for v in rejected for d in versions[v] if not d.passed for c in d.defects)
    by_workflow: dict[str, list[int]] = {}
    for version, ds in versions.items():
        counts = by_workflow.setdefault(ds[0].ai_workflow or "(unknown)", [0, 0])
        counts[0] += version in rejected
        counts[1] += 1
    return {
        "ai_rejection_rate": _share(len(rejected), len(versions)),
        "ai_versions_reviewed": len(versions),
        "ai_rejections_by_defect": ranked(defects),
        "ai_rejection_by_workflow": {
            w: {"rejected": r, "reviewed": n, "rate": r / n}
            for w, (r, n) in sorted(by_workflow.items())
        },
    }


def week_start(at: dt.datetime) -> dt.date:
    """The Monday of the (UTC) week that holds `at`."""
    day = at.astimezone(dt.UTC).date()
    return day - dt.timedelta(days=day.weekday())


def throughput(
    facts: Sequence[AssetFacts], start: dt.datetime, end: dt.datetime
) -> dict[str, dict[str, int]]:
    """Assets approved and delivered, per week (keyed by the week's Monday)."""
    weeks: dict[str, dict[str, int]] = {}
    for f in facts:
        for label, times in (("approved", f.approvals), ("delivered", f.deliveries)):
            first = min((t for t in times if _within(t, start, end)), default=None)
            if first is not None:
                week = weeks.setdefault(
                    week_start(first).isoformat(), {"approved": 0, "delivered": 0}
                )
                week[label] += 1
    return dict(sorted(weeks.items()))


def summary(
    facts: Sequence[AssetFacts], start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> dict[str, Any]:
    """Every metric for one set of assets over one period."""
    return {
        "assets_approved": len(approved_in(facts, start, end)),
        "assets_delivered": len(delivered_in(facts, start, end)),
        "first_pass_approval_rate": first_pass_approval_rate(facts, start, end),
        **rework(facts, start, end),
        "sla_hit_rate": sla_hit_rate(facts, start, end, now),
        "shoot_to_live_hours": shoot_to_live(facts, start, end),
        **cost(facts, start, end),
        **ai_rejection(facts, start, end),
        "throughput": throughput(facts, start, end),
    }


def periods(
    start: dt.datetime, end: dt.datetime, by: str
) -> list[tuple[str, dt.datetime, dt.datetime]]:
    """Split [start, end) into weeks (from Monday) or calendar months, clipped to the period."""
    out: list[tuple[str, dt.datetime, dt.datetime]] = []
    cursor = start
    while cursor < end:
        if by == "week":
            monday = dt.datetime.combine(week_start(cursor), dt.time(0), dt.UTC)
            nxt, label = monday + dt.timedelta(days=7), week_start(cursor).isoformat()
        else:
            first = cursor.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
            nxt, label = (first + dt.timedelta(days=32)).replace(day=1), first.strftime("%Y-%m")
        out.append((label, cursor, min(nxt, end)))
        cursor = min(nxt, end)
    return out


def report(
    facts: Sequence[AssetFacts],
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    by: str | None = None,
) -> dict[str, Any]:
    """The report document: the summary, plus one summary per slice when `by` is given."""
    document: dict[str, Any] = {"period": {"from": start.isoformat(), "to": end.isoformat()}}
    document |= summary(facts, start, end, now)
    if by is None:
        document["by"] = {}
        return document
    slices: dict[str, Any] = {}
    if by in ("week", "month"):
        for label, a, b in periods(start, end, by):
            slices[label] = summary(facts, a, b, now)
    else:
        groups: dict[str, list[AssetFacts]] = {}
        for f in facts:
            for value in f.dimension(by):
                groups.setdefault(value, []).append(f)
        slices = {value: summary(group, start, end, now) for value, group in sorted(groups.items())}
    document["by"] = {by: slices}
    return document


# --- The same summary from aggregates (what the metric projections yield) -----------------

STAGES = (
    "request_to_upload",
    "upload_to_submission",
    "submission_to_approval",
    "approval_to_delivery",
    "delivery_to_live",
)


@dataclass
class PeriodTotals:
    """A period's metrics as aggregates read from the projections, before the definitions
    above turn them into rates. Durations are whole microseconds, as the database subtracts
    them, so the hours come out exactly as from datetimes."""

    # Per UTC day: assets whose first approval in the period fell on it, and how many of
    # those never had a failed decision before the period's end.
    approved_by_day: dict[dt.date, tuple[int, int]] = field(default_factory=dict)
    delivered_by_day: dict[dt.date, int] = field(default_factory=dict)
    decided: int = 0
    reworked: int = 0
    failed: int = 0
    preventable: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    sla_counted: int = 0
    sla_hits: int = 0
    # Per asset gone live: first capture or AI upload to live, then the STAGES (None: no end).
    live_micros: list[tuple[int | None, ...]] = field(default_factory=list)
    cost_total: float = 0.0
    cost_estimated: float = 0.0
    delivered_skus: int = 0
    # Per AI workflow (None: unknown): versions reviewed, versions rejected.
    ai_versions: dict[str | None, tuple[int, int]] = field(default_factory=dict)
    ai_defects: Counter[str] = field(default_factory=Counter)


def summary_from_totals(t: PeriodTotals) -> dict[str, Any]:
    """The same document as `summary`, from a period's aggregates (see PeriodTotals)."""
    approved = sum(n for n, _ in t.approved_by_day.values())
    clean = sum(k for _, k in t.approved_by_day.values())
    delivered = sum(t.delivered_by_day.values())
    # Whole columns at once with numpy: a month at catalog scale has tens of thousands of
    # assets gone live. Micros below 2**53 convert to doubles exactly and each division is
    # rounded once, as timedelta.total_seconds() / 3600 rounds, so the hours equal those
    # `summary` takes from datetimes. A missing time (None) becomes NaN.
    micros = np.array(t.live_micros, dtype=np.float64).reshape(-1, len(STAGES) + 1)
    hours = micros / 10**6 / 3600
    totals = np.sort(np.nan_to_num(hours[:, 0], nan=0.0))
    stages = {
        name: np.sort(column[~np.isnan(column)])
        for name, column in zip(STAGES, hours[:, 1:].T, strict=True)
    }
    weeks: dict[str, dict[str, int]] = {}
    for label, by_day in (
        ("approved", {d: n for d, (n, _) in t.approved_by_day.items()}),
        ("delivered", t.delivered_by_day),
    ):
        for day, n in by_day.items():
            monday = (day - dt.timedelta(days=day.weekday())).isoformat()
            weeks.setdefault(monday, {"approved": 0, "delivered": 0})[label] += n
    reviewed = sum(n for n, _ in t.ai_versions.values())
    rejected = sum(r for _, r in t.ai_versions.values())
    by_workflow: dict[str, list[int]] = {}
    for workflow, (n, r) in t.ai_versions.items():
        counts = by_workflow.setdefault(workflow or "(unknown)", [0, 0])
        counts[0] += r
        counts[1] += n
    total_cost = t.cost_total
    return {
        "assets_approved": approved,
        "assets_delivered": delivered,
        "first_pass_approval_rate": _share(clean, approved),
        "rework_rate": _share(t.reworked, t.decided),
        "avg_rework_rounds": t.failed / t.decided if t.decided else None,
        "rework_reasons": ranked(t.reasons),
        "preventable_rework_share": _share(t.preventable, t.failed),
        "sla_hit_rate": _share(t.sla_hits, t.sla_counted),
        "shoot_to_live_hours": {
            "p50": _ranked_percentile(totals, 50),
            "p90": _ranked_percentile(totals, 90),
            "assets": len(totals),
            "stages_p50": {name: _ranked_percentile(v, 50) for name, v in stages.items()},
            "histogram": histogram(totals),
        },
        "cost_total": round(total_cost, 2),
        "cost_estimated_share": (t.cost_estimated / total_cost) if total_cost else None,
        "cost_per_image": round(total_cost / delivered, 2) if delivered else None,
        "cost_per_sku": round(total_cost / t.delivered_skus, 2) if t.delivered_skus else None,
        "ai_rejection_rate": _share(rejected, reviewed),
        "ai_versions_reviewed": reviewed,
        "ai_rejections_by_defect": ranked(t.ai_defects),
        "ai_rejection_by_workflow": {
            w: {"rejected": r, "reviewed": n, "rate": r / n}
            for w, (r, n) in sorted(by_workflow.items())
        },
        "throughput": dict(sorted(weeks.items())),
    }
