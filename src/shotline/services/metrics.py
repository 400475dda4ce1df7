"""Metrics from the event log: gather each relevant asset's facts, then apply the domain's
definitions (domain/metrics.py)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Float,
    Integer,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    true,
    type_coerce,
    union,
    union_all,
)

from shotline.adapters.db.models import (
    Asset,
    Event,
    Membership,
    MetricAsset,
    MetricDecision,
    MetricMilestone,
    MetricUpload,
    RequestLine,
    Team,
    User,
    Version,
    table_of,
)
from shotline.domain import metrics
from shotline.domain.access import Actor
from shotline.domain.errors import PermissionDenied, ShotlineError
from shotline.domain.events import EventKind as K
from shotline.domain.policy.model import CostModel
from shotline.services.policies import load_active_policy
from shotline.services.unit_of_work import UnitOfWork

_CHUNK = 500
_UNIXEPOCH = sqlite3.sqlite_version_info >= (3, 38)
_PERIOD_KINDS = (K.APPROVED, K.GATE_PASSED, K.GATE_FAILED, K.GATE_BYPASSED, K.DELIVERED, K.LIVE)
_HISTORY_KINDS = (
    K.VERSION_UPLOADED,
    K.SUBMITTED,
    K.GATE_PASSED,
    K.GATE_FAILED,
    K.APPROVED,
    K.DELIVERED,
    K.LIVE,
    K.CANCELLED,
    K.GATE_BYPASSED,
)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def _candidates(uow: UnitOfWork, actor: Actor, start: dt.datetime, end: dt.datetime) -> list[int]:
    """Assets any metric of the period can touch: decided, approved, delivered or live in it,
    or due in it."""
    touched = select(Event.asset_id).where(
        Event.workspace_id == actor.workspace_id,
        Event.at >= start,
        Event.at < end,
        Event.kind.in_([k.value for k in _PERIOD_KINDS]),
        Event.asset_id.is_not(None),
    )
    due = select(Asset.id).where(
        Asset.workspace_id == actor.workspace_id, Asset.due_at >= start, Asset.due_at < end
    )
    ids = set(uow.session.scalars(touched)) | set(uow.session.scalars(due))
    return sorted(i for i in ids if i is not None)


def _vendors(uow: UnitOfWork, actor: Actor) -> dict[int, str]:
    rows = uow.session.execute(
        select(Membership.user_id, Team.name)
        .join(Team, Team.id == Membership.team_id)
        .where(Membership.workspace_id == actor.workspace_id, Team.is_vendor.is_(True))
    )
    return {user_id: name for user_id, name in rows}


def _facts_for(uow: UnitOfWork, ids: list[int]) -> dict[int, metrics.AssetFacts]:
    facts: dict[int, metrics.AssetFacts] = {}
    # Plain rows of the columns used, not ORM objects: at catalog scale building objects
    # costs more than the queries (benchmarks/metrics_scale.py).
    rows = uow.session.execute(
        select(
            Asset.id,
            Asset.sku,
            Asset.category,
            Asset.track,
            Asset.complexity,
            Asset.due_at,
            Asset.created_at,
            RequestLine.fields,
        )
        .join(RequestLine, RequestLine.id == Asset.request_line_id)
        .where(Asset.id.in_(ids))
    )
    for asset in rows:
        fields = asset.fields
        facts[asset.id] = metrics.AssetFacts(
            asset.id,
            asset.sku,
            asset.category,
            asset.track,
            asset.complexity,
            tuple(fields.get("channels", ())),
            asset.due_at,
            asset.created_at,
        )
    return facts


def gather(
    uow: UnitOfWork, actor: Actor, start: dt.datetime, end: dt.datetime
) -> list[metrics.AssetFacts]:
    """The facts of every asset the period's metrics need, from events before `end`."""
    policy = load_active_policy(uow, actor.workspace_id).policy
    vendors = _vendors(uow, actor)
    names = {uid: name for uid, name in uow.session.execute(select(User.id, User.username))}
    facts: dict[int, metrics.AssetFacts] = {}
    for chunk in _chunks(_candidates(uow, actor, start, end)):
        found = _facts_for(uow, chunk)
        facts |= found
        _apply_events(uow, found, chunk, end, policy.costs, vendors, names)
    return list(facts.values())


def _apply_events(
    uow: UnitOfWork,
    facts: dict[int, metrics.AssetFacts],
    ids: list[int],
    end: dt.datetime,
    costs: CostModel,
    vendors: dict[int, str],
    names: dict[int, str],
) -> None:
    version_rows = uow.session.execute(
        select(Version.id, Version.kind, Version.ai_workflow).where(Version.asset_id.in_(ids))
    )
    versions = {v.id: v for v in version_rows}
    events = uow.session.execute(
        select(Event.asset_id, Event.kind, Event.at, Event.actor_id, Event.payload)
        .where(
            Event.asset_id.in_(ids),
            Event.at < end,
            Event.kind.in_([k.value for k in _HISTORY_KINDS]),
        )
        .order_by(Event.at, Event.id)
    )
    for event in events:
        f = facts[event.asset_id or 0]
        _apply(f, event, versions, costs, vendors, names)
    for f in facts.values():
        f.ai = _ai_involvement(f)


def _apply(
    f: metrics.AssetFacts,
    event: Any,
    versions: dict[int, Any],
    costs: CostModel,
    vendors: dict[int, str],
    names: dict[int, str],
) -> None:
    p = event.payload
    kind = event.kind
    if kind == K.VERSION_UPLOADED:
        _upload(f, event, costs, vendors, names)
    elif kind == K.SUBMITTED:
        f.submissions.append(event.at)
    elif kind in (K.GATE_PASSED, K.GATE_FAILED, K.APPROVED):
        version = versions.get(p.get("version_id", 0))
        f.decisions.append(
            metrics.DecisionFact(
                event.at,
                kind != K.GATE_FAILED,
                tuple(p.get("defects", ())),
                bool(p.get("preventable")),
                p.get("version_id", 0),
                version.kind if version else "",
                version.ai_workflow if version else None,
            )
        )
        actual = p.get("cost")
        amount = float(actual) if actual is not None else costs.estimate("review", f.complexity)
        f.work.append(metrics.WorkFact(event.at, "review", amount, actual is None))
        if kind == K.APPROVED:
            f.approvals.append(event.at)
    elif kind == K.GATE_BYPASSED:
        # Bypassing the last gate under an exception approves the asset without a decision.
        if p.get("next_gate") is None:
            f.approvals.append(event.at)
    elif kind == K.DELIVERED:
        f.deliveries.append(event.at)
    elif kind == K.LIVE:
        f.lives.append(event.at)
    elif kind == K.CANCELLED:
        f.cancelled_at = event.at


def _upload(
    f: metrics.AssetFacts,
    event: Any,
    costs: CostModel,
    vendors: dict[int, str],
    names: dict[int, str],
) -> None:
    p = event.payload
    version_kind = str(p.get("kind", ""))
    vendor = vendors.get(event.actor_id or 0)
    f.uploads.append((event.at, version_kind))
    who = names.get(event.actor_id or 0)
    if version_kind == "capture" and f.photographer is None:
        f.photographer = who
    if version_kind == "retouch":
        f.retoucher = who
        f.vendor = vendor or f.vendor
    actual = p.get("cost")
    amount = (
        float(actual) if actual is not None else costs.estimate(version_kind, f.complexity, vendor)
    )
    f.work.append(metrics.WorkFact(event.at, version_kind, amount, actual is None))


def _ai_involvement(f: metrics.AssetFacts) -> str:
    kinds = {kind for _, kind in f.uploads}
    if "ai" not in kinds:
        return "none"
    return "ai_generated" if not kinds & {"capture", "retouch"} else "ai_assisted"


# --- The same metrics from the projections (services/projections.py) ----------------------


def _day(dialect: str, column: Any) -> ColumnElement[str]:
    """The UTC calendar day of a stored time, as YYYY-MM-DD text."""
    if dialect == "sqlite":
        # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC (adapters/db/types.py).
        return func.substr(type_coerce(column, String), 1, 10)
    return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")


def _sqlite_micros(column: Any) -> ColumnElement[int]:
    """A time stored by SQLite ('YYYY-MM-DD HH:MM:SS.ffffff', UTC) as whole microseconds
    since the epoch, exact. Whole seconds of the text without its fraction (SQLite's date
    functions round a fraction to milliseconds, so :59.9996 would read as the next second),
    then the six digits after them. unixepoch() (SQLite 3.38) is four times as fast as
    strftime."""
    text_ = type_coerce(column, String)
    whole = func.substr(text_, 1, 19)
    seconds = func.unixepoch(whole) if _UNIXEPOCH else func.strftime("%s", whole)
    return cast(seconds, Integer) * 1_000_000 + cast(func.substr(text_, 21, 6), Integer)


def _defect_codes(dialect: str, column: Any) -> Any:
    """A JSON list column's elements as a table with a `value` column, joinable beside the
    row it comes from (SQLite's json_each; PostgreSQL's json_array_elements_text, whose
    function items may refer to earlier FROM items)."""
    if dialect == "sqlite":
        return func.json_each(column).table_valued("value")
    return func.json_array_elements_text(column).table_valued("value")


class _Tables:
    ms = table_of(MetricMilestone)
    md = table_of(MetricDecision)
    mu = table_of(MetricUpload)
    ma = table_of(MetricAsset)
    a = table_of(Asset)


# A slice of the assets by one of their own columns: (column, value), or None for all.
Scope = tuple[str, str] | None
# The dimensions that are columns of the asset itself, so a slice is a filter on the
# projections; the others (channel, vendor, photographer, retoucher, ai) come from each
# asset's history and are read through `gather`.
ASSET_DIMENSIONS = ("category", "track", "complexity")
_NONE = "(none)"


def _in_slice(scope: tuple[str, str]) -> ColumnElement[bool]:
    """The condition on an asset row for being in the slice."""
    column, value = scope
    a = _Tables.a
    if value == _NONE:
        return or_(a.c[column].is_(None), a.c[column] == "")
    return a.c[column] == value


def _scoped(asset_id: Any, scope: Scope) -> list[ColumnElement[bool]]:
    """Where-clauses keeping rows of assets in the slice (none for the whole workspace), for
    a query whose rows name an asset but do not read the assets table."""
    if scope is None:
        return []
    # Correlated on the asset's primary key: one lookup per row of the period, where an IN
    # list would collect every asset of the slice, all history long.
    return [exists().where(_Tables.a.c.id == asset_id, _in_slice(scope))]


def _firsts(ws: int, kind: str, start: dt.datetime, end: dt.datetime, scope: Scope = None) -> Any:
    """Assets (of the slice) with a milestone of `kind` in the period, and the first such
    time."""
    ms = _Tables.ms
    return (
        select(ms.c.asset_id, func.min(ms.c.at).label("first"))
        .where(
            ms.c.workspace_id == ws,
            ms.c.kind == kind,
            ms.c.at >= start,
            ms.c.at < end,
            *_scoped(ms.c.asset_id, scope),
        )
        .group_by(ms.c.asset_id)
        .subquery()
    )


@dataclass(frozen=True)
class _Period:
    """What each step of period_totals reads by: the workspace, the period, when the report
    is made, the database's dialect and the slice (None for all the workspace's assets)."""

    ws: int
    start: dt.datetime
    end: dt.datetime
    now: dt.datetime
    dialect: str
    scope: Scope = None


def _each_asset(p: _Period, rows: Any, asset_id: Any, table: Any,
                *columns: str) -> tuple[Any, dict[str, Any]]:  # fmt: skip
    """`rows` (the period's assets) outer-joined to their rows of `table` (assets, or a
    projection keyed by asset), and the columns asked for. On PostgreSQL a LATERAL lookup,
    kept from being flattened (OFFSET 0): one index probe per asset of the period, where the
    planner would otherwise hash-join a month's eighty thousand assets against a million-row
    table read whole (benchmarks/metrics_scale.py). SQLite probes by key anyway."""
    key = table.c.id if "id" in table.c else table.c.asset_id
    if p.dialect == "postgresql":
        found = select(*(table.c[c] for c in columns)).where(key == asset_id).offset(0).lateral()
        return rows.outerjoin(found, true()), {c: found.c[c] for c in columns}
    return rows.outerjoin(table, key == asset_id), {c: table.c[c] for c in columns}


def _approvals(db: Connection, p: _Period, t: metrics.PeriodTotals) -> None:
    ws, start, end, dialect, scope = p.ws, p.start, p.end, p.dialect, p.scope
    approved = _firsts(ws, "approved", start, end, scope)
    joined, ma = _each_asset(p, approved, approved.c.asset_id, _Tables.ma, "first_failed_at")
    day = _day(dialect, approved.c.first).label("day")
    failed = ma["first_failed_at"]
    clean = case((or_(failed.is_(None), failed >= end), 1), else_=0)
    rows = db.execute(select(day, func.count(), func.sum(clean)).select_from(joined).group_by(day))
    t.approved_by_day = {dt.date.fromisoformat(d): (n, int(k or 0)) for d, n, k in rows}


def _decisions(db: Connection, p: _Period, t: metrics.PeriodTotals) -> None:
    ws, start, end, dialect, scope = p.ws, p.start, p.end, p.dialect, p.scope
    md = _Tables.md
    period = (md.c.workspace_id == ws, md.c.at >= start, md.c.at < end,
              *_scoped(md.c.asset_id, scope))  # fmt: skip
    failed = case((md.c.passed.is_(False), 1), else_=0)
    prevented = case((and_(md.c.passed.is_(False), md.c.preventable.is_(True)), 1), else_=0)
    per_asset = (
        select(func.sum(failed).label("failed"), func.sum(prevented).label("prevented"))
        .where(*period)
        .group_by(md.c.asset_id)
        .subquery()
    )
    decided, reworked, n_failed, n_prevented = db.execute(
        select(
            func.count(),
            func.sum(case((per_asset.c.failed > 0, 1), else_=0)),
            func.sum(per_asset.c.failed),
            func.sum(per_asset.c.prevented),
        )
    ).one()
    t.decided, t.reworked = int(decided), int(reworked or 0)
    t.failed, t.preventable = int(n_failed or 0), int(n_prevented or 0)
    # Counted in the database, one row per defect code, rather than each failed decision's
    # list decoded here: at catalog scale a month has tens of thousands of them.
    listed = _defect_codes(dialect, md.c.defects)
    is_ai = md.c.version_kind == "ai"
    for ai, code, n in db.execute(
        select(is_ai, listed.c.value, func.count())
        .select_from(md.join(listed, true()))
        .where(*period, md.c.passed.is_(False))
        .group_by(is_ai, listed.c.value)
    ):
        t.reasons[code] += n
        if ai:
            t.ai_defects[code] += n
    per_version = (
        select(md.c.ai_workflow.label("workflow"), func.max(failed).label("rejected"))
        .where(*period, md.c.version_kind == "ai")
        .group_by(md.c.version_id, md.c.ai_workflow)
        .subquery()
    )
    rows = db.execute(
        select(per_version.c.workflow, func.count(), func.sum(per_version.c.rejected)).group_by(
            per_version.c.workflow
        )
    )
    t.ai_versions = {w: (int(n), int(r or 0)) for w, n, r in rows}


def _sla(db: Connection, p: _Period, t: metrics.PeriodTotals) -> None:
    ws, start, end, now, scope = p.ws, p.start, p.end, p.now, p.scope
    a = _Tables.a
    joined, ma = _each_asset(p, a, a.c.id, _Tables.ma, "first_delivered_at", "first_cancelled_at")
    delivered, cancelled = ma["first_delivered_at"], ma["first_cancelled_at"]
    hit = case((and_(delivered < end, delivered <= a.c.due_at), 1), else_=0)
    counted, hits = db.execute(
        select(func.count(), func.sum(hit))
        .select_from(joined)
        .where(
            a.c.workspace_id == ws,
            a.c.due_at >= start,
            a.c.due_at < end,
            or_(cancelled.is_(None), cancelled >= end),
            or_(delivered < end, a.c.due_at < now),
            *([] if scope is None else [_in_slice(scope)]),
        )
    ).one()
    t.sla_counted, t.sla_hits = int(counted), int(hits or 0)


def _shoot_to_live(db: Connection, p: _Period, t: metrics.PeriodTotals) -> None:
    ws, start, end, dialect, scope = p.ws, p.start, p.end, p.dialect, p.scope
    ms = _Tables.ms
    live = _firsts(ws, "live", start, end, scope)
    joined, ma = _each_asset(
        p, live, live.c.asset_id, _Tables.ma, "first_upload_at", "first_submitted_at",
        "last_approved_at", "last_delivered_at",
    )  # fmt: skip
    joined, a = _each_asset(p, joined, live.c.asset_id, _Tables.a, "created_at")

    def last_before_live(kind: str, latest: Any) -> Any:
        # The asset's latest milestone of the kind, unless it came after going live (the
        # asset came back): then a lookup of the last one before, for those few assets.
        m = ms.alias()
        before = (
            select(func.max(m.c.at))
            .where(m.c.asset_id == live.c.asset_id, m.c.kind == kind, m.c.at <= live.c.first)
            .scalar_subquery()
        )
        return case((latest <= live.c.first, latest), else_=before)

    points = (
        select(
            a["created_at"].label("requested"),
            ma["first_upload_at"].label("uploaded"),
            case((ma["first_submitted_at"] < end, ma["first_submitted_at"])).label("submitted"),
            last_before_live("approved", ma["last_approved_at"]).label("approved"),
            last_before_live("delivered", ma["last_delivered_at"]).label("delivered"),
            live.c.first.label("live"),
        )
        .select_from(joined)
        .where(ma["first_upload_at"] < end)
        # Materialised: otherwise SQLite substitutes the correlated subqueries into every
        # use of their columns below and runs each of them several times per asset.
        .cte("points")
        .prefix_with("MATERIALIZED")
    )
    pairs = [
        ("uploaded", "live"),
        ("requested", "uploaded"),
        ("uploaded", "submitted"),
        ("submitted", "approved"),
        ("approved", "delivered"),
        ("delivered", "live"),
    ]
    rows = db.execute(select(*_elapsed_micros(dialect, points, pairs)))
    t.live_micros = [tuple(row) for row in rows]


def _elapsed_micros(dialect: str, points: Any, pairs: list[tuple[str, str]]) -> list[Any]:
    """For each (from, to) pair of time columns of `points`, the microseconds between them,
    exact."""
    if dialect == "sqlite":
        # Each time as microseconds once per asset (the conversion is most of this query's
        # cost on SQLite), then the differences.
        micros = (
            select(*(_sqlite_micros(c).label(c.name) for c in points.c))
            .cte("points_us")
            .prefix_with("MATERIALIZED")
        )
        return [micros.c[b] - micros.c[a] for a, b in pairs]
    # PostgreSQL subtracts the times themselves and reads each interval's microseconds: a
    # third of the cost of converting every time to numeric seconds first.
    return [
        cast(func.extract("epoch", points.c[b] - points.c[a]) * 1_000_000, BigInteger)
        for a, b in pairs
    ]


def _cost(db: Connection, p: _Period, t: metrics.PeriodTotals, costs: CostModel,
          vendors: dict[int, str]) -> None:  # fmt: skip
    ws, start, end, dialect, scope = p.ws, p.start, p.end, p.dialect, p.scope
    md, mu = _Tables.md, _Tables.mu
    delivered = _firsts(ws, "delivered", start, end, scope)
    joined, a = _each_asset(p, delivered, delivered.c.asset_id, _Tables.a, "sku", "complexity")
    # Each delivered asset once, with the columns the costs need: a materialised CTE, as the
    # two branches below would otherwise work it out twice.
    each = (
        select(delivered.c.asset_id, delivered.c.first, a["sku"], a["complexity"])
        .select_from(joined)
        .cte("delivered_assets")
        .prefix_with("MATERIALIZED")
    )
    day = _day(dialect, each.c.first)
    # One statement, so the deliveries are worked out once: deliveries per day, distinct
    # SKUs, uploads by kind and uploader, reviews; the first column says which. (Typed
    # NULLs: PostgreSQL matches each column's type across the branches.)
    no_text, no_id, no_amount = null(), cast(null(), Integer), cast(null(), Float)
    branches = [
        select(literal("day"), day, no_text, no_id, func.count(), func.count(), no_amount)
        .group_by(day),
        select(literal("skus"), no_text, no_text, no_id, func.count(func.distinct(each.c.sku)),
               func.count(), no_amount),
        select(literal("upload"), each.c.complexity, mu.c.kind, mu.c.uploader_id, func.count(),
               func.count(mu.c.cost), func.sum(mu.c.cost))
        .select_from(each.join(mu, mu.c.asset_id == each.c.asset_id))
        .where(mu.c.at < end)
        .group_by(each.c.complexity, mu.c.kind, mu.c.uploader_id),
        select(literal("review"), each.c.complexity, no_text, no_id, func.count(),
               func.count(md.c.cost), func.sum(md.c.cost))
        .select_from(each.join(md, md.c.asset_id == each.c.asset_id))
        .where(md.c.at < end)
        .group_by(each.c.complexity),
    ]  # fmt: skip
    actual = estimated = 0.0
    for part, key, kind, uploader, n, n_costed, paid in db.execute(union_all(*branches)):
        if part == "day":
            t.delivered_by_day[dt.date.fromisoformat(key)] = int(n)
        elif part == "skus":
            t.delivered_skus = int(n)
        elif part == "upload":
            actual += float(paid or 0.0)
            vendor = vendors.get(uploader or 0)
            estimated += (n - n_costed) * costs.estimate(kind, key, vendor)
        else:
            actual += float(paid or 0.0)
            estimated += (n - n_costed) * costs.estimate("review", key)
    t.cost_total, t.cost_estimated = actual + estimated, estimated


def period_totals(
    uow: UnitOfWork,
    actor: Actor,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    scope: Scope = None,
) -> metrics.PeriodTotals:
    """The period's aggregates from the metric projections (of the assets in `scope`, a
    slice by an asset column): a few indexed queries whose results are counts, sums and one
    row per asset gone live."""
    dialect = uow.session.get_bind().dialect.name
    p = _Period(actor.workspace_id, start, end, now, dialect, scope)
    costs = load_active_policy(uow, actor.workspace_id).policy.costs
    vendors = _vendors(uow, actor)
    t = metrics.PeriodTotals()
    steps: list[Callable[[Connection], None]] = [
        # Longest first (benchmarks/metrics_scale.py), so the connections finish together.
        lambda db: _cost(db, p, t, costs, vendors),
        lambda db: _shoot_to_live(db, p, t),
        lambda db: _decisions(db, p, t),
        lambda db: _approvals(db, p, t),
        lambda db: _sla(db, p, t),
    ]
    # The steps fill separate fields of `t` and depend on nothing but the database, so they
    # run side by side, all reading the same snapshot (adapters/db/readers.py).
    uow.read_together(steps)
    return t


def summary(
    uow: UnitOfWork,
    actor: Actor,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    scope: Scope = None,
) -> dict[str, Any]:
    """Every metric of the period (for the assets in `scope`), from the projections (equal
    to metrics.summary over the facts `gather` reads from the raw events; tests hold the two
    together)."""
    return metrics.summary_from_totals(period_totals(uow, actor, start, end, now, scope))


def slice_values(
    uow: UnitOfWork, actor: Actor, by: str, start: dt.datetime, end: dt.datetime
) -> list[str]:
    """The values of an asset column among the assets the period's metrics touch (decided,
    approved, delivered, live or bypassed in the period, or due in it): the slices `gather`
    would find, read from the projections."""
    ws = actor.workspace_id
    a, ms, md = _Tables.a, _Tables.ms, _Tables.md
    e = table_of(Event)
    # One set of asset ids, then their values: an OR of IN-subqueries here is no semi-join
    # to PostgreSQL, which then ran a subquery per asset of the workspace (minutes at 1M).
    touched = union(
        select(a.c.id).where(a.c.workspace_id == ws, a.c.due_at >= start, a.c.due_at < end),
        select(ms.c.asset_id).where(ms.c.workspace_id == ws, ms.c.at >= start, ms.c.at < end),
        select(md.c.asset_id).where(md.c.workspace_id == ws, md.c.at >= start, md.c.at < end),
        # A bypass that leaves the asset in review is in no projection; they are few.
        select(e.c.asset_id).where(e.c.workspace_id == ws, e.c.kind == K.GATE_BYPASSED.value,
                                   e.c.at >= start, e.c.at < end),
    )  # fmt: skip
    column = a.c[by]
    values = uow.session.scalars(select(column).distinct().where(a.c.id.in_(touched)))
    return sorted({v or _NONE for v in values})


def build_report(
    uow: UnitOfWork,
    actor: Actor,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    by: str | None = None,
) -> dict[str, Any]:
    """The report document for the period (optionally sliced by a dimension). The whole
    period, weeks and months, and slices by the asset's own category, track and complexity
    come from the projections; the other slices need each asset's facts, read from the
    events (`gather`)."""
    if actor.is_vendor:
        # Workspace-wide numbers include other vendors' work; a vendor sees only its queue.
        raise PermissionDenied(f"{actor.username} works for a vendor and cannot read reports")
    if end <= start:
        raise ShotlineError("the period is empty: --to must be after --from")
    if by is not None and by not in metrics.DIMENSIONS:
        raise ShotlineError(f"unknown dimension {by!r}; expected {', '.join(metrics.DIMENSIONS)}")
    if by not in (None, "week", "month", *ASSET_DIMENSIONS):
        return metrics.report(gather(uow, actor, start, end), start, end, now, by)
    document: dict[str, Any] = {"period": {"from": start.isoformat(), "to": end.isoformat()}}
    document |= summary(uow, actor, start, end, now)
    document["by"] = {}
    if by in ASSET_DIMENSIONS:
        document["by"] = {
            by: {
                value: summary(uow, actor, start, end, now, (by, value))
                for value in slice_values(uow, actor, by, start, end)
            }
        }
    elif by is not None:
        document["by"] = {
            by: {
                label: summary(uow, actor, a, b, now)
                for label, a, b in metrics.periods(start, end, by)
            }
        }
    return document
