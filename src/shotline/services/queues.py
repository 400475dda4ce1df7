"""Work queues by track and stage, and each person's own work, with SLA badges and age.

Rows are filtered, ordered and limited in SQL, one state at a time so that each read walks
the (workspace, track, state, due) index in order, and merged: a queue stays fast on a
million assets. SLA badges are computed for the rows read only.
"""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, ColumnExpressionArgument, Select, case, or_, select

from shotline.adapters.db import repository
from shotline.adapters.db.models import Asset, Membership, Team, User
from shotline.domain.access import Actor
from shotline.domain.calendar import BusinessCalendar
from shotline.domain.errors import NotFound, ShotlineError
from shotline.domain.intake.fields import PRIORITY_RANK
from shotline.domain.policy import COMPLEXITY_CLASSES, Policy
from shotline.domain.sla import (
    AT_RISK,
    LATE,
    ON_TRACK,
    SLA_STATES,
    WORKING_STATES,
    resolve_stage,
    sla_state,
    stage_of,
)
from shotline.services.policies import load_active_policy
from shotline.services.unit_of_work import UnitOfWork

# Slack around the SQL pre-filter of an SLA badge; the exact test runs in Python.
_SLACK = dt.timedelta(seconds=1)
# An asset with its assignee's user and team names (None where unassigned: outer joins).
_Rows = Select[Asset, str, str]


@dataclass(frozen=True)
class QueueItem:
    """One asset as a queue shows it."""

    sku: str
    colorway: str
    view: str
    category: str
    track: str
    complexity: str
    priority: str
    state: str
    gate: str | None
    stage: str | None
    due_at: dt.datetime
    sla_state: str
    age_hours: float
    assignee: str | None
    # The asset's row id: pages link to /assets/{asset_id}.
    asset_id: int = 0


def queue_order() -> tuple[ColumnExpressionArgument[Any], ...]:
    """Earliest due first; at the same due time, urgent before high, normal and low."""
    rank = case(PRIORITY_RANK, value=Asset.priority, else_=len(PRIORITY_RANK))
    return (Asset.due_at, rank, Asset.id)


def _rank(priority: str) -> int:
    """The same rank `queue_order` sorts by, for rows merged in Python."""
    return PRIORITY_RANK.get(priority, len(PRIORITY_RANK))


def _rows(actor: Actor) -> _Rows:
    return (
        select(Asset, User.username, Team.name)
        .outerjoin(User, User.id == Asset.assignee_user_id)
        .outerjoin(Team, Team.id == Asset.assignee_team_id)
        .where(Asset.workspace_id == actor.workspace_id)
    )


def _team_id(uow: UnitOfWork, actor: Actor) -> int | None:
    if actor.team is None:
        return None
    return uow.session.scalar(
        select(Team.id).where(Team.workspace_id == actor.workspace_id, Team.name == actor.team)
    )


def _assigned_to_actor(uow: UnitOfWork, actor: Actor) -> ColumnElement[bool]:
    """Assets assigned to the actor or to the actor's team or vendor."""
    team_id = _team_id(uow, actor)
    mine = Asset.assignee_user_id == actor.user_id
    # Comparing with None would match every unassigned asset, so a teamless actor gets none.
    return or_(mine, Asset.assignee_team_id == team_id) if team_id is not None else mine


def _check_filters(
    policy: Policy, track: str, category: str | None, complexity: str | None, sla: str | None
) -> None:
    checks = (
        ("track", track, list(policy.tracks)),
        ("category", category, list(policy.categories)),
        ("complexity class", complexity, list(COMPLEXITY_CLASSES)),
        ("SLA state", sla, list(SLA_STATES)),
    )
    for what, value, known in checks:
        if value is not None and value not in known:
            raise ShotlineError(f"unknown {what} {value!r}; expected one of {', '.join(known)}")


def _vendor_work(uow: UnitOfWork, actor: Actor, vendor: str) -> ColumnElement[bool]:
    """Work assigned to the vendor or to any of its people."""
    team_id = uow.session.scalar(
        select(Team.id).where(
            Team.workspace_id == actor.workspace_id, Team.name == vendor, Team.is_vendor.is_(True)
        )
    )
    if team_id is None:
        raise NotFound(f"no vendor {vendor!r} in workspace {actor.workspace}")
    people = select(Membership.user_id).where(Membership.team_id == team_id)
    return or_(Asset.assignee_team_id == team_id, Asset.assignee_user_id.in_(people))


def _assignee_work(uow: UnitOfWork, actor: Actor, assignee: str) -> ColumnElement[bool]:
    """Work assigned to a user of that name, or else to a team of that name."""
    user = repository.user_by_name(uow.session, assignee)
    if user is not None:
        return Asset.assignee_user_id == user.id
    team_id = uow.session.scalar(
        select(Team.id).where(Team.workspace_id == actor.workspace_id, Team.name == assignee)
    )
    if team_id is None:
        raise NotFound(f"no user or team {assignee!r} in workspace {actor.workspace}")
    return Asset.assignee_team_id == team_id


def _sla_window(
    policy: Policy, calendar: BusinessCalendar, track: str, sla: str, now: dt.datetime
) -> ColumnElement[bool]:
    """A due-time range that holds every asset with this badge (and a few more)."""
    if sla == LATE:
        return Asset.due_at < now
    share = policy.workflow.sla_risk_share
    hours = [policy.sla_hours(track, c) for c in COMPLEXITY_CLASSES]
    if sla == AT_RISK:
        bound = calendar.add_business_hours(now, share * max(hours)) + _SLACK
        return (Asset.due_at >= now) & (Asset.due_at < bound)
    bound = calendar.add_business_hours(now, share * min(hours)) - _SLACK
    return (Asset.due_at >= now) & (Asset.due_at >= bound)


def _narrowed(
    uow: UnitOfWork,
    actor: Actor,
    gate: str | None,
    category: str | None,
    complexity: str | None,
    vendor: str | None,
    assignee: str | None,
) -> list[ColumnElement[bool]]:
    """The filters asked for, plus the vendor fence: a vendor's people see only its work."""
    conditions: list[ColumnElement[bool]] = []
    if gate is not None:
        conditions.append(Asset.gate == gate)
    if category is not None:
        conditions.append(Asset.category == category)
    if complexity is not None:
        conditions.append(Asset.complexity == complexity)
    if vendor is not None:
        conditions.append(_vendor_work(uow, actor, vendor))
    if assignee is not None:
        conditions.append(_assignee_work(uow, actor, assignee))
    if actor.is_vendor:
        conditions.append(_assigned_to_actor(uow, actor))
    return conditions


def queue(
    uow: UnitOfWork,
    actor: Actor,
    track: str,
    stage: str,
    now: dt.datetime,
    category: str | None = None,
    complexity: str | None = None,
    vendor: str | None = None,
    assignee: str | None = None,
    sla: str | None = None,
    limit: int = 200,
) -> list[QueueItem]:
    """One queue (a track at one stage) by due time then priority, optionally narrowed.
    A vendor's people only ever see work assigned to their vendor or to themselves."""
    policy = load_active_policy(uow, actor.workspace_id).policy
    _check_filters(policy, track, category, complexity, sla)
    _check_limit(limit)
    spec = resolve_stage(stage, policy.gates)
    where = _narrowed(uow, actor, spec.gate, category, complexity, vendor, assignee)
    query = _rows(actor).where(Asset.track == track, *where).order_by(*queue_order())
    calendar = BusinessCalendar(policy.calendar)
    if sla is None:
        return [
            _item(policy, calendar, asset, user, team, now)
            for asset, user, team in _heads(uow, query, spec.states, limit)
        ]
    rows = query.where(_sla_window(policy, calendar, track, sla, now))
    return _stream(uow, policy, calendar, rows, spec.states, now, limit, sla)


def my_work(uow: UnitOfWork, actor: Actor, now: dt.datetime, limit: int = 200) -> list[QueueItem]:
    """Open work assigned to the actor or to the actor's team or vendor, next item first."""
    policy = load_active_policy(uow, actor.workspace_id).policy
    _check_limit(limit)
    rows = (
        _rows(actor)
        .where(Asset.state.in_(WORKING_STATES), _assigned_to_actor(uow, actor))
        .order_by(*queue_order())
        .limit(limit)
    )
    calendar = BusinessCalendar(policy.calendar)
    return [_item(policy, calendar, a, u, t, now) for a, u, t in uow.session.execute(rows)]


def _check_limit(limit: int) -> None:
    if limit < 1:
        raise ShotlineError("the limit must be at least 1")


def _heads(uow: UnitOfWork, query: _Rows, states: tuple[str, ...], limit: int) -> list[Any]:
    """The first `limit` rows of a queue over several states. Each state's head comes
    straight off the (workspace, track, state, due) index, and the queue's head is among
    them: far cheaper than sorting every row of a large queue."""
    rows: list[Any] = []
    for state in states:
        rows += uow.session.execute(query.where(Asset.state == state).limit(limit)).all()
    if len(states) > 1:
        rows.sort(key=_row_order)
    return rows[:limit]


def _row_order(row: Any) -> tuple[dt.datetime, int, int]:
    asset = row[0]
    return asset.due_at, _rank(asset.priority), asset.id


def _stream(
    uow: UnitOfWork,
    policy: Policy,
    calendar: BusinessCalendar,
    query: _Rows,
    states: tuple[str, ...],
    now: dt.datetime,
    limit: int,
    sla: str,
) -> list[QueueItem]:
    """The first `limit` rows with the wanted badge: each state's rows are streamed in
    index order and merged, so no more is read than the answer needs."""
    page = {"yield_per": max(limit, 100)}
    results = [
        uow.session.execute(query.where(Asset.state == state).execution_options(**page))
        for state in states
    ]
    items: list[QueueItem] = []
    try:
        for asset, user, team in heapq.merge(*results, key=_row_order):
            item = _item(policy, calendar, asset, user, team, now)
            if item.sla_state == sla:
                items.append(item)
                if len(items) == limit:
                    break
    finally:
        for result in results:
            result.close()
    return items


def _badge(policy: Policy, calendar: BusinessCalendar, asset: Asset, now: dt.datetime) -> str:
    try:
        hours = policy.sla_hours(asset.track, asset.complexity)
    except KeyError:
        # A track dropped from a later policy has no SLA left to be at risk against.
        return LATE if now > asset.due_at else ON_TRACK
    return sla_state(now, asset.due_at, hours, calendar, policy.workflow.sla_risk_share)


def _item(
    policy: Policy,
    calendar: BusinessCalendar,
    asset: Asset,
    user: str | None,
    team: str | None,
    now: dt.datetime,
) -> QueueItem:
    since = asset.state_since or asset.created_at
    return QueueItem(
        sku=asset.sku,
        colorway=asset.colorway,
        view=asset.view,
        category=asset.category,
        track=asset.track,
        complexity=asset.complexity,
        priority=asset.priority,
        state=asset.state,
        gate=asset.gate,
        stage=stage_of(asset.state, asset.gate),
        due_at=asset.due_at,
        sla_state=_badge(policy, calendar, asset, now),
        age_hours=round((now - since).total_seconds() / 3600, 1),
        assignee=user or team,
        asset_id=asset.id,
    )
