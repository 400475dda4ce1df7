"""Metric projections: read models of the event log that keep reports and the dashboard fast
at catalog scale (the tables are described in adapters/db/models.py, MetricAsset onwards).

`project` folds a batch of new events into them. UnitOfWork.flush_events calls it with every
event it writes, in the same transaction, so no service can forget and nothing is half
written. `rebuild` throws the projections away and folds the whole log again through the same
`project`: the event log is the truth, the projections can always be recomputed from it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Connection, case, delete, func, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from shotline.adapters.db.models import (
    Asset,
    Event,
    MetricAiVersion,
    MetricAsset,
    MetricDecision,
    MetricHourly,
    MetricMilestone,
    MetricUpload,
    Version,
    table_of,
)
from shotline.domain.access import Actor, require_role
from shotline.domain.events import EventKind as K

if TYPE_CHECKING:
    # Only for annotations: unit_of_work imports this module for its hook.
    from shotline.services.unit_of_work import UnitOfWork

Executor = Session | Connection

_DECISIONS = {K.GATE_PASSED.value, K.GATE_FAILED.value, K.APPROVED.value}
# Event kinds the projections follow; every other kind is skipped without a lookup.
FOLLOWED = frozenset(
    {
        *_DECISIONS,
        K.VERSION_UPLOADED.value,
        K.SUBMITTED.value,
        K.GATE_BYPASSED.value,
        K.DELIVERED.value,
        K.LIVE.value,
        K.CANCELLED.value,
    }
)
_FIRSTS = (
    "first_upload_at",
    "first_submitted_at",
    "first_failed_at",
    "first_delivered_at",
    "first_cancelled_at",
)
_LASTS = ("last_approved_at", "last_delivered_at")
_CHUNK = 500
TABLES = (
    MetricAiVersion,
    MetricHourly,
    MetricUpload,
    MetricDecision,
    MetricMilestone,
    MetricAsset,
)


def _chunks(values: Sequence[int]) -> Iterator[Sequence[int]]:
    for i in range(0, len(values), _CHUNK):
        yield values[i : i + _CHUNK]


def _dialect(db: Executor) -> str:
    bind = db.get_bind() if isinstance(db, Session) else db
    return bind.dialect.name


def _upsert(db: Executor, model: type[Any], rows: list[dict[str, Any]], keys: Sequence[str],
            merge: Callable[[Any, Any], dict[str, Any]]) -> None:  # fmt: skip
    """INSERT ... ON CONFLICT (keys) DO UPDATE, the same on SQLite and PostgreSQL."""
    if not rows:
        return
    table = table_of(model)
    make = postgresql.insert if _dialect(db) == "postgresql" else sqlite.insert
    statement = make(table)
    statement = statement.on_conflict_do_update(
        index_elements=list(keys), set_=merge(statement.excluded, table.c)
    )
    db.execute(statement, rows)


def _earliest(new: ColumnElement[Any], old: ColumnElement[Any]) -> ColumnElement[Any]:
    return case((or_(old.is_(None), new < old), func.coalesce(new, old)), else_=old)


def _latest(new: ColumnElement[Any], old: ColumnElement[Any]) -> ColumnElement[Any]:
    return case((or_(old.is_(None), new > old), func.coalesce(new, old)), else_=old)


def _hour(at: dt.datetime) -> dt.datetime:
    return at.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


@dataclass
class _Batch:
    assets: dict[int, dict[str, Any]]
    milestones: list[dict[str, Any]]
    decisions: list[dict[str, Any]]
    uploads: list[dict[str, Any]]
    hourly: dict[tuple[int, str, dt.datetime, str], list[int]]
    ai_versions: dict[int, dict[str, Any]]


def _lookups(db: Executor, events: list[dict[str, Any]]) -> tuple[dict[int, Any], dict[int, str]]:
    """The versions the decisions name, and the categories of the assets decided."""
    version_ids = sorted(
        {int(e["payload"].get("version_id") or 0) for e in events if e["kind"] in _DECISIONS}
    )
    asset_ids = sorted({int(e["asset_id"]) for e in events if e["kind"] in _DECISIONS})
    versions: dict[int, Any] = {}
    for chunk in _chunks(version_ids):
        rows = db.execute(
            select(Version.id, Version.kind, Version.ai_workflow, Version.uploaded_by_id).where(
                Version.id.in_(chunk)
            )
        )
        versions |= {row.id: row for row in rows}
    categories: dict[int, str] = {}
    for chunk in _chunks(asset_ids):
        pairs = db.execute(select(Asset.id, Asset.category).where(Asset.id.in_(chunk)))
        categories |= {i: c for i, c in pairs}
    return versions, categories


def _asset_row(batch: _Batch, ws: int, asset_id: int) -> dict[str, Any]:
    row = batch.assets.get(asset_id)
    if row is None:
        row = batch.assets[asset_id] = {"asset_id": asset_id, "workspace_id": ws}
        row |= dict.fromkeys(_FIRSTS + _LASTS)
    return row


def _first(batch: _Batch, ws: int, asset_id: int, column: str, at: dt.datetime) -> None:
    row = _asset_row(batch, ws, asset_id)
    if row[column] is None or at < row[column]:
        row[column] = at


def _last(batch: _Batch, ws: int, asset_id: int, column: str, at: dt.datetime) -> None:
    row = _asset_row(batch, ws, asset_id)
    if row[column] is None or at > row[column]:
        row[column] = at


def _milestone(batch: _Batch, ws: int, asset_id: int, kind: str, at: dt.datetime) -> None:
    batch.milestones.append({"workspace_id": ws, "asset_id": asset_id, "kind": kind, "at": at})
    if kind == "approved":
        _last(batch, ws, asset_id, "last_approved_at", at)
    elif kind == K.DELIVERED.value:
        _first(batch, ws, asset_id, "first_delivered_at", at)
        _last(batch, ws, asset_id, "last_delivered_at", at)


def _decision(
    batch: _Batch,
    event: dict[str, Any],
    versions: dict[int, Any],
    categories: dict[int, str],
) -> None:
    ws, asset_id, at, p = event["workspace_id"], event["asset_id"], event["at"], event["payload"]
    passed = event["kind"] != K.GATE_FAILED.value
    version_id = p.get("version_id")
    version = versions.get(int(version_id or 0))
    kind = version.kind if version is not None else ""
    workflow = version.ai_workflow if version is not None else None
    batch.decisions.append(
        {
            "workspace_id": ws, "asset_id": asset_id, "at": at, "passed": passed,
            "preventable": bool(p.get("preventable")), "defects": list(p.get("defects", ())),
            "version_id": version_id, "version_kind": kind, "ai_workflow": workflow,
            "cost": p.get("cost"),
        }
    )  # fmt: skip
    if not passed:
        _first(batch, ws, asset_id, "first_failed_at", at)
    if event["kind"] == K.APPROVED.value:
        _milestone(batch, ws, asset_id, "approved", at)
    # The dashboard counts decisions as gate_decisions rows do: by the asset's category and
    # by whoever uploaded the version decided.
    hour = _hour(at)
    keys = [(ws, "category", hour, categories.get(asset_id, ""))]
    if version is not None:
        keys.append((ws, "uploader", hour, str(version.uploaded_by_id)))
    for key in keys:
        counts = batch.hourly.setdefault(key, [0, 0])
        counts[0] += 1
        counts[1] += not passed
    if kind == "ai" and version is not None:
        row = batch.ai_versions.setdefault(
            version.id,
            {"version_id": version.id, "workspace_id": ws, "ai_workflow": workflow,
             "last_decided_at": at, "last_failed_at": None},
        )  # fmt: skip
        row["last_decided_at"] = max(row["last_decided_at"], at)
        if not passed and (row["last_failed_at"] is None or at > row["last_failed_at"]):
            row["last_failed_at"] = at


def _fold(batch: _Batch, event: dict[str, Any], versions: dict[int, Any],
          categories: dict[int, str]) -> None:  # fmt: skip
    kind = event["kind"]
    ws, asset_id, at, p = event["workspace_id"], event["asset_id"], event["at"], event["payload"]
    if kind in _DECISIONS:
        _decision(batch, event, versions, categories)
    elif kind == K.VERSION_UPLOADED.value:
        version_kind = str(p.get("kind", ""))
        batch.uploads.append(
            {"workspace_id": ws, "asset_id": asset_id, "at": at, "kind": version_kind,
             "uploader_id": event["actor_id"], "cost": p.get("cost")}
        )  # fmt: skip
        if version_kind in ("capture", "ai"):
            _first(batch, ws, asset_id, "first_upload_at", at)
    elif kind == K.SUBMITTED.value:
        _first(batch, ws, asset_id, "first_submitted_at", at)
    elif kind == K.GATE_BYPASSED.value:
        # Bypassing the last gate under an exception approves the asset without a decision.
        if p.get("next_gate") is None:
            _milestone(batch, ws, asset_id, "approved", at)
    elif kind in (K.DELIVERED.value, K.LIVE.value):
        _milestone(batch, ws, asset_id, kind, at)
    elif kind == K.CANCELLED.value:
        _first(batch, ws, asset_id, "first_cancelled_at", at)


def project(db: Executor, events: Iterable[dict[str, Any]]) -> int:
    """Fold new events (the dicts UnitOfWork.record queues: workspace_id, actor_id, at, kind,
    payload as a dict, asset_id) into the projections, in the caller's transaction. Returns
    how many events were followed. Order within the batch does not matter: every column is a
    first, a last, a count or an appended row."""
    followed = [e for e in events if e["kind"] in FOLLOWED and e.get("asset_id") is not None]
    if not followed:
        return 0
    versions, categories = _lookups(db, followed)
    batch = _Batch({}, [], [], [], {}, {})
    for event in followed:
        _fold(batch, event, versions, categories)
    # Rows upserted in key order, so concurrent transactions lock shared rows (an hour's
    # counts) in the same order and never deadlock each other.
    assets = [batch.assets[k] for k in sorted(batch.assets)]
    _upsert(db, MetricAsset, assets, ("asset_id",),
            lambda new, old: {c: _earliest(new[c], old[c]) for c in _FIRSTS}
            | {c: _latest(new[c], old[c]) for c in _LASTS})  # fmt: skip
    for model, rows in (
        (MetricMilestone, batch.milestones),
        (MetricDecision, batch.decisions),
        (MetricUpload, batch.uploads),
    ):
        if rows:
            db.execute(insert(table_of(model)), rows)
    hourly = [
        {"workspace_id": ws, "dimension": dim, "hour": hour, "value": value, "decisions": n,
         "failed": failed}
        for (ws, dim, hour, value), (n, failed) in sorted(batch.hourly.items())
    ]  # fmt: skip
    _upsert(db, MetricHourly, hourly, ("workspace_id", "dimension", "hour", "value"),
            lambda new, old: {"decisions": old.decisions + new.decisions,
                              "failed": old.failed + new.failed})  # fmt: skip
    ai_versions = [batch.ai_versions[k] for k in sorted(batch.ai_versions)]
    _upsert(db, MetricAiVersion, ai_versions, ("version_id",),
            lambda new, old: {c: _latest(new[c], old[c])
                              for c in ("last_decided_at", "last_failed_at")})  # fmt: skip
    return len(followed)


@dataclass(frozen=True)
class Rebuilt:
    events_read: int
    events_followed: int
    seconds: float


def clear(db: Executor, workspace_id: int | None = None) -> None:
    """Delete the projections (of one workspace, or all)."""
    for model in TABLES:
        table = table_of(model)
        statement = delete(table)
        if workspace_id is not None:
            statement = statement.where(table.c.workspace_id == workspace_id)
        db.execute(statement)


def rebuild(db: Executor, workspace_id: int | None = None, batch: int = 20_000) -> Rebuilt:
    """Recompute the projections from the event log (of one workspace, or all) through the
    same `project` that follows new events. The caller commits."""
    started = time.perf_counter()
    clear(db, workspace_id)
    events = table_of(Event)
    read = followed = 0
    last = 0
    kinds = sorted(FOLLOWED)
    while True:
        query = (
            select(events.c.id, events.c.workspace_id, events.c.actor_id, events.c.at,
                   events.c.kind, events.c.payload, events.c.asset_id)
            .where(events.c.id > last, events.c.kind.in_(kinds),
                   events.c.asset_id.is_not(None))
            .order_by(events.c.id)
            .limit(batch)
        )  # fmt: skip
        if workspace_id is not None:
            query = query.where(events.c.workspace_id == workspace_id)
        rows = [r._asdict() for r in db.execute(query)]
        if not rows:
            break
        last = rows[-1]["id"]
        read += len(rows)
        followed += project(db, rows)
    return Rebuilt(read, followed, time.perf_counter() - started)


def fill_if_missing(db: Executor) -> bool:
    """Rebuild the projections of a database whose log has followed events but which has
    no projections (one upgraded from before migration 0009). Returns whether it did. The
    caller commits."""
    if db.execute(select(table_of(MetricAsset).c.asset_id).limit(1)).first() is not None:
        return False
    events = table_of(Event)
    followed = select(events.c.id).where(
        events.c.kind.in_(sorted(FOLLOWED)), events.c.asset_id.is_not(None)
    )
    if db.execute(followed.limit(1)).first() is None:
        return False
    rebuild(db)
    return True


REBUILD_ROLES = ("creative_ops_manager",)


def rebuild_metrics(uow: UnitOfWork, actor: Actor) -> Rebuilt:
    """`shotline metrics-rebuild`: recompute the workspace's projections from its event log
    and commit, all or nothing (after a restore, or to prove the projections right)."""
    require_role(actor, REBUILD_ROLES, "rebuild the metric projections")
    # Written straight, not through record(): the rebuild itself is not a history event.
    done = rebuild(uow.session, actor.workspace_id)
    uow.commit()
    return done
