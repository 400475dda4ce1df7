"""Review mode's queue: the assets waiting at one gate (or on one track) that this reviewer
may decide, by due time then priority, so a reviewer can work through them one by one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, not_, or_, select

from shotline.adapters.db.models import Asset, Team, Version
from shotline.domain.access import Actor
from shotline.domain.errors import NotFound
from shotline.domain.intake.fields import PRIORITY_RANK
from shotline.domain.lifecycle import AssetState
from shotline.domain.review import FINAL_QC
from shotline.services.policies import load_active_policy
from shotline.services.queues import queue_order
from shotline.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ReviewItem:
    """One asset waiting for this reviewer."""

    asset_id: int
    sku: str
    colorway: str
    view: str
    track: str
    gate: str
    priority: str
    due_at: dt.datetime


@dataclass(frozen=True)
class ReviewQueue:
    """The head of a review queue and how many wait in all."""

    name: str
    kind: str
    gates: tuple[str, ...]
    total: int
    items: tuple[ReviewItem, ...]


def review_queue(
    uow: UnitOfWork,
    actor: Actor,
    name: str,
    skip: Collection[int] = (),
    limit: int = 50,
) -> ReviewQueue:
    """Assets in review at gate `name`, or on track `name` at any gate the actor decides;
    `skip` leaves out assets the reviewer passed over for now. Final QC of a version the
    actor made is left out (four eyes), and a vendor's people see only their own work."""
    policy = load_active_policy(uow, actor.workspace_id).policy
    mine = tuple(g for g, spec in policy.gates.items() if actor.roles & set(spec.decided_by))
    conditions = [Asset.workspace_id == actor.workspace_id, Asset.state == AssetState.IN_REVIEW]
    if name in policy.gates:
        kind, gates, tracks = "gate", tuple(g for g in mine if g == name), tuple(policy.tracks)
    elif name in policy.tracks:
        kind, gates, tracks = "track", mine, (name,)
        conditions.append(Asset.track == name)
    else:
        raise NotFound(
            f"no gate or track {name!r}; expected one of "
            f"{', '.join([*policy.gates, *policy.tracks])}"
        )
    conditions.append(Asset.gate.in_(gates))
    # Four eyes: nobody is offered the final QC of a version they made.
    conditions.append(not_(and_(Asset.gate == FINAL_QC, Version.uploaded_by_id == actor.user_id)))
    if actor.is_vendor:
        conditions.append(_vendor_fence(uow, actor))
    base = select(Asset).join(Version, Version.id == Asset.current_version_id).where(*conditions)
    total = uow.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    if skip:
        base = base.where(Asset.id.not_in(list(skip)))
    # One read per track, each straight off the (workspace, track, state, due) index in
    # order, merged: the queue's head without sorting every asset in review.
    heads: list[Asset] = []
    for track in tracks:
        query = base.where(Asset.track == track).order_by(*queue_order()).limit(limit)
        heads += uow.session.scalars(query)
    heads.sort(key=lambda a: (a.due_at, PRIORITY_RANK.get(a.priority, len(PRIORITY_RANK)), a.id))
    items = tuple(
        ReviewItem(a.id, a.sku, a.colorway, a.view, a.track, a.gate or "", a.priority, a.due_at)
        for a in heads[:limit]
    )
    return ReviewQueue(name, kind, gates, total, items)


def _vendor_fence(uow: UnitOfWork, actor: Actor) -> ColumnElement[bool]:
    team_id = uow.session.scalar(
        select(Team.id).where(Team.workspace_id == actor.workspace_id, Team.name == actor.team)
    )
    mine = Asset.assignee_user_id == actor.user_id
    return or_(mine, Asset.assignee_team_id == team_id) if team_id is not None else mine
