"""Metrics from the event log: gather each relevant asset's facts, then apply the domain's
definitions (domain/metrics.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from shotline.adapters.db.models import Asset, Event, Membership, RequestLine, Team, User, Version
from shotline.domain import metrics
from shotline.domain.access import Actor
from shotline.domain.errors import PermissionDenied, ShotlineError
from shotline.domain.events import EventKind as K
from shotline.domain.policy.model import CostModel
from shotline.services.policies import load_active_policy
from shotline.services.unit_of_work import UnitOfWork

_CHUNK = 500
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


def build_report(
    uow: UnitOfWork,
    actor: Actor,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    by: str | None = None,
) -> dict[str, Any]:
    """The report document for the period (optionally sliced by a dimension)."""
    if actor.is_vendor:
        # Workspace-wide numbers include other vendors' work; a vendor sees only its queue.
        raise PermissionDenied(f"{actor.username} works for a vendor and cannot read reports")
    if end <= start:
        raise ShotlineError("the period is empty: --to must be after --from")
    if by is not None and by not in metrics.DIMENSIONS:
        raise ShotlineError(f"unknown dimension {by!r}; expected {', '.join(metrics.DIMENSIONS)}")
    return metrics.report(gather(uow, actor, start, end), start, end, now, by)
