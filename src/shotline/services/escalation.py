"""SLA escalation: list the open assets at risk or overdue per track, escalate each once per
state to its track's escalation owner, and deliver the webhook notifications that follow
from an outbox, retried with backoff and never sent twice.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError

from shotline.adapters.db.models import Asset, Escalation, Event, Notification
from shotline.adapters.notify import webhooks
from shotline.domain.access import Actor, require_role
from shotline.domain.calendar import BusinessCalendar
from shotline.domain.errors import Conflict, PermissionDenied
from shotline.domain.events import EventKind, NewEvent
from shotline.domain.lifecycle import PAUSED_STATES, AssetState
from shotline.domain.policy import Policy
from shotline.domain.policy.model import Notifications
from shotline.domain.review import gates_for
from shotline.domain.sla import WORKING_STATES
from shotline.domain.sla_risk import (
    OK,
    OVERDUE,
    StageEstimate,
    Transition,
    hours_needed,
    remaining_steps,
    risk_level,
    stage_estimates,
    stage_samples,
)
from shotline.services.policies import load_active_policy
from shotline.services.unit_of_work import UnitOfWork

PENDING, SENT, FAILED = "pending", "sent", "failed"
# How far back stage durations are read: recent enough to reflect how the studio works now.
HISTORY_DAYS = 90
# The events written by a lifecycle move (payload before/after states). TRACK_CHANGED also
# carries before/after, but of tracks, so it is left out.
_MOVE_KINDS = tuple(
    k.value
    for k in (
        EventKind.VERSION_UPLOADED, EventKind.SUBMITTED, EventKind.GATE_PASSED,
        EventKind.GATE_FAILED, EventKind.GATE_BYPASSED, EventKind.APPROVED, EventKind.BLOCKED,
        EventKind.UNBLOCKED, EventKind.ON_HOLD, EventKind.RESUMED, EventKind.CANCELLED,
        EventKind.DELIVERED, EventKind.LIVE,
    )
)  # fmt: skip
_STATES = frozenset(s.value for s in AssetState)
_PAUSED = frozenset(s.value for s in PAUSED_STATES)
# Slack around the SQL pre-filter on due times; the exact test runs in Python.
_SLACK = dt.timedelta(seconds=1)
# Keeps IN lists well under every backend's bound-parameter limit.
_CHUNK = 500
# A claimed notification is not due again before its send can have timed out, so a second
# deliverer running at the same time cannot send it too.
_LEASE = dt.timedelta(seconds=2 * webhooks.DEFAULT_TIMEOUT)

Poster = Callable[[str, bytes, Mapping[str, str]], "str | None"]


@dataclass(frozen=True)
class SlaItem:
    """One open asset that is at risk or overdue, and whether this check escalated it."""

    asset_id: int
    sku: str
    colorway: str
    view: str
    track: str
    state: str
    gate: str | None
    level: str
    due_at: dt.datetime
    hours_left: float
    hours_needed: float
    steps: tuple[str, ...]
    owner_role: str
    escalated: bool = False


@dataclass(frozen=True)
class SlaReport:
    """What one SLA check found and did."""

    checked_at: dt.datetime
    items: tuple[SlaItem, ...]
    escalations: int
    notifications: int
    estimates: dict[str, StageEstimate]

    def by_track(self) -> dict[str, list[SlaItem]]:
        """Items grouped by track, tracks in policy order, overdue first within each."""
        tracks: dict[str, list[SlaItem]] = {}
        for item in self.items:
            tracks.setdefault(item.track, []).append(item)
        return tracks


class Delivery(NamedTuple):
    """Notifications sent, and attempts that failed (retried later until max_attempts)."""

    sent: int
    failed: int


def check_access(actor: Actor, policy: Policy) -> None:
    """Who may run the SLA check and deliver its notifications: those who route work (the
    policy's assign_roles), creative ops, and admins. Vendors never: the check lists the
    whole workspace's work."""
    if actor.is_vendor:
        raise PermissionDenied(f"{actor.username} is a vendor user and cannot check SLAs")
    require_role(actor, (*policy.workflow.assign_roles, "creative_ops_manager"), "check SLAs")


def check_sla(uow: UnitOfWork, actor: Actor, now: dt.datetime) -> SlaReport:
    """List open assets at risk or overdue per track, and escalate each not yet escalated for
    its current state and level: an Escalation row, an ESCALATED event and one outbox
    notification per configured webhook, all in one transaction. Running it again escalates
    nothing new until an asset changes state or becomes overdue."""
    policy = load_active_policy(uow, actor.workspace_id).policy
    check_access(actor, policy)
    calendar = BusinessCalendar(policy.calendar)
    estimates = stage_estimates(policy.sla_risk, _history(uow, actor.workspace_id, calendar, now))
    found = [
        pair
        for track in policy.tracks
        for pair in _assess_track(uow, actor, policy, calendar, estimates, track, now)
    ]
    done = _escalated_keys(uow, [asset.id for asset, _ in found])
    items: list[SlaItem] = []
    try:
        for asset, item in found:
            if _key(asset, item.level) not in done:
                _escalate(uow, actor, policy, asset, item, now)
                item = replace(item, escalated=True)
            items.append(item)
        uow.commit()
    except IntegrityError:
        raise Conflict("another SLA check escalated these assets just now; run it again") from None
    new = sum(item.escalated for item in items)
    queued = new * len(policy.notifications.webhooks)
    return SlaReport(now, tuple(items), new, queued, estimates)


def _history(
    uow: UnitOfWork, workspace_id: int, calendar: BusinessCalendar, now: dt.datetime
) -> dict[str, list[float]]:
    """Stage duration samples from the last HISTORY_DAYS of lifecycle moves."""
    since = now - dt.timedelta(days=HISTORY_DAYS)
    moves = select(Event.asset_id, Event.at, Event.payload).where(
        Event.workspace_id == workspace_id,
        Event.kind.in_(_MOVE_KINDS),
        Event.at >= since,
        Event.at <= now,
        Event.asset_id.is_not(None),
    )
    moved = moves.with_only_columns(Event.asset_id).distinct()
    # An asset's first visit (capture) starts when intake creates it, which no move records.
    created = select(Asset.id, Asset.created_at).where(
        Asset.workspace_id == workspace_id, Asset.created_at >= since, Asset.id.in_(moved)
    )
    transitions = [
        Transition(i, at, None, AssetState.REQUESTED) for i, at in uow.session.execute(created)
    ]
    for asset_id, at, payload in uow.session.execute(moves.order_by(Event.at, Event.id)):
        if _is_move(payload):
            transitions.append(Transition(asset_id, at, payload["before"], payload["after"]))
    return stage_samples(transitions, calendar)


def _is_move(payload: Any) -> bool:
    return (
        isinstance(payload, dict)
        and payload.get("before") in _STATES
        and payload.get("after") in _STATES
    )


def _assess_track(
    uow: UnitOfWork,
    actor: Actor,
    policy: Policy,
    calendar: BusinessCalendar,
    estimates: Mapping[str, StageEstimate],
    track: str,
    now: dt.datetime,
) -> list[tuple[Asset, SlaItem]]:
    """The track's open assets that are at risk or overdue, overdue first, then by due time.

    SQL reads only assets due before the longest any asset of the track could still need
    (all stages ahead, AI's extra final QC included); the exact test runs in Python.
    """
    longest = remaining_steps(AssetState.REQUESTED, None, gates_for(policy, track, "ai"))
    bound = calendar.add_business_hours(now, hours_needed(longest, estimates)) + _SLACK
    query = (
        select(Asset)
        .where(
            Asset.workspace_id == actor.workspace_id,
            Asset.track == track,
            Asset.state.in_(WORKING_STATES),
            Asset.due_at < bound,
        )
        .order_by(Asset.due_at, Asset.id)
    )
    owner = policy.tracks[track].escalation_owner
    gates = policy.tracks[track].gates
    found = [
        (a, _item(a, gates, calendar, estimates, owner, now)) for a in uow.session.scalars(query)
    ]
    found = [(a, item) for a, item in found if item.level != OK]
    found.sort(key=lambda pair: pair[1].level != OVERDUE)  # stable: due order kept within
    return found


def _item(
    asset: Asset,
    gates: tuple[str, ...],
    calendar: BusinessCalendar,
    estimates: Mapping[str, StageEstimate],
    owner: str,
    now: dt.datetime,
) -> SlaItem:
    # A paused asset still has the stages ahead of the state it will resume to.
    paused = asset.state in _PAUSED and asset.resume_state is not None
    state = asset.resume_state if paused and asset.resume_state else asset.state
    steps = remaining_steps(state, asset.gate, gates)
    needed = hours_needed(steps, estimates)
    return SlaItem(
        asset_id=asset.id,
        sku=asset.sku,
        colorway=asset.colorway,
        view=asset.view,
        track=asset.track,
        state=asset.state,
        gate=asset.gate,
        level=risk_level(now, asset.due_at, needed, calendar),
        due_at=asset.due_at,
        hours_left=round(calendar.business_hours_between(now, asset.due_at), 2),
        hours_needed=round(needed, 2),
        steps=tuple(str(step) for step in steps),
        owner_role=owner,
    )


def _since(asset: Asset) -> dt.datetime:
    # Assets fresh from intake have no move yet: their state began when they were created.
    return asset.state_since or asset.created_at


def _key(asset: Asset, level: str) -> tuple[int, dt.datetime, str]:
    return asset.id, _since(asset), level


def _escalated_keys(uow: UnitOfWork, asset_ids: list[int]) -> set[tuple[int, dt.datetime, str]]:
    """(asset, state since, level) of the escalations these assets already have."""
    keys: set[tuple[int, dt.datetime, str]] = set()
    for start in range(0, len(asset_ids), _CHUNK):
        chunk = asset_ids[start : start + _CHUNK]
        rows = uow.session.execute(
            select(Escalation.asset_id, Escalation.state_since, Escalation.level).where(
                Escalation.asset_id.in_(chunk)
            )
        )
        keys.update((a, since, level) for a, since, level in rows)
    return keys


def _escalate(
    uow: UnitOfWork, actor: Actor, policy: Policy, asset: Asset, item: SlaItem, now: dt.datetime
) -> None:
    """One escalation with its event and one outbox notification per configured webhook."""
    message = _message(actor.workspace, item, now)
    row = Escalation(
        workspace_id=actor.workspace_id,
        asset_id=asset.id,
        state=asset.state,
        state_since=_since(asset),
        level=item.level,
        owner_role=item.owner_role,
        created_at=now,
        detail=message,
    )
    uow.session.add(row)
    uow.session.flush()
    message = {**message, "escalation_id": row.id}
    payload = {
        key: message[key]
        for key in ("escalation_id", "level", "state", "gate", "track", "owner_role")
    }
    payload |= {
        "due": message["due_at"],
        "business_hours_left": item.hours_left,
        "business_hours_needed": item.hours_needed,
        "steps": list(item.steps),
    }
    uow.record(
        actor.workspace_id,
        actor.user_id,
        now,
        NewEvent(EventKind.ESCALATED, payload, asset_id=asset.id),
    )
    uow.session.add_all(_outbox(actor.workspace_id, row.id, policy.notifications, message, now))


def _message(workspace: str, item: SlaItem, now: dt.datetime) -> dict[str, Any]:
    """What a notification says (stored as JSON, so plain values only)."""
    return {
        "workspace": workspace,
        "level": item.level,
        "sku": item.sku,
        "colorway": item.colorway,
        "view": item.view,
        "track": item.track,
        "state": item.state,
        "gate": item.gate,
        "due_at": item.due_at.isoformat(),
        "business_hours_left": item.hours_left,
        "business_hours_needed": item.hours_needed,
        "owner_role": item.owner_role,
        "escalated_at": now.isoformat(),
    }


def _outbox(
    workspace_id: int,
    escalation_id: int,
    config: Notifications,
    message: dict[str, Any],
    now: dt.datetime,
) -> Iterable[Notification]:
    return [
        Notification(
            workspace_id=workspace_id,
            escalation_id=escalation_id,
            webhook=name,
            payload=message,
            status=PENDING,
            attempts=0,
            next_attempt_at=now,
            last_error="",
            sent_at=None,
        )
        for name in config.webhooks
    ]


class _Due(NamedTuple):
    id: int
    workspace_id: int
    asset_id: int
    webhook: str
    payload: dict[str, Any]
    attempts: int


def deliver_notifications(
    uow: UnitOfWork,
    now: dt.datetime,
    post: Poster = webhooks.post,
    actor: Actor | None = None,
    environ: Mapping[str, str] | None = None,
    limit: int = 100,
) -> Delivery:
    """Send the outbox notifications due at `now` (all workspaces, or only the actor's).

    Each is claimed (attempts + 1) and committed before it is sent, so two deliverers never
    send the same row; then marked sent, or retried after backoff * 2**(attempts - 1)
    seconds, or given up as failed after max_attempts. Webhook secrets are read from
    `environ` (default: the process environment) by the variable the policy names.
    """
    workspace_id = None
    if actor is not None:
        check_access(actor, load_active_policy(uow, actor.workspace_id).policy)
        workspace_id = actor.workspace_id
    env = os.environ if environ is None else environ
    configs: dict[int, Notifications] = {}
    sent = failed = 0
    for due in _due(uow, now, workspace_id, limit):
        if due.workspace_id not in configs:
            configs[due.workspace_id] = load_active_policy(
                uow, due.workspace_id
            ).policy.notifications
        config = configs[due.workspace_id]
        if not _claim(uow, due, config, now):
            continue
        error = _send(due, config, now, post, env)
        _settle(uow, due, config, now, error)
        sent, failed = (sent + 1, failed) if error is None else (sent, failed + 1)
    return Delivery(sent, failed)


def _due(uow: UnitOfWork, now: dt.datetime, workspace_id: int | None, limit: int) -> list[_Due]:
    query = (
        select(
            Notification.id,
            Notification.workspace_id,
            Escalation.asset_id,
            Notification.webhook,
            Notification.payload,
            Notification.attempts,
        )
        .join(Escalation, Escalation.id == Notification.escalation_id)
        .where(Notification.status == PENDING, Notification.next_attempt_at <= now)
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
    )
    if workspace_id is not None:
        query = query.where(Notification.workspace_id == workspace_id)
    return [_Due(*row) for row in uow.session.execute(query)]


def _delay(config: Notifications, attempts: int) -> dt.timedelta:
    """Backoff after the `attempts`-th failed attempt: backoff_seconds, then doubling."""
    return dt.timedelta(seconds=config.backoff_seconds * 2 ** (attempts - 1))


def _claim(uow: UnitOfWork, due: _Due, config: Notifications, now: dt.datetime) -> bool:
    """Take the row for this attempt, unless another deliverer took it first. Until settled it
    is due again only after its retry delay (or the lease, if longer): a crash mid-send
    means a later retry, not a lost notification."""
    hold = max(_delay(config, due.attempts + 1), _LEASE)
    claimed = uow.session.execute(
        update(Notification)
        .where(
            Notification.id == due.id,
            Notification.status == PENDING,
            Notification.attempts == due.attempts,
        )
        .values(attempts=due.attempts + 1, next_attempt_at=now + hold)
        .execution_options(synchronize_session=False)
    )
    uow.commit()
    # Only a row this UPDATE matched is ours to send.
    return isinstance(claimed, CursorResult) and claimed.rowcount == 1


def _send(
    due: _Due, config: Notifications, now: dt.datetime, post: Poster, env: Mapping[str, str]
) -> str | None:
    """Post one notification; None when delivered, else why not."""
    hook = config.webhooks.get(due.webhook)
    if hook is None:
        return f"webhook {due.webhook!r} is no longer in the policy"
    secret = None
    if hook.secret_env:
        value = env.get(hook.secret_env)
        if not value:
            return f"environment variable {hook.secret_env} (the webhook secret) is not set"
        secret = value.encode()
    body, headers = webhooks.build_request(
        hook.kind, due.payload, secret, int(now.timestamp()), str(due.id)
    )
    return post(hook.url, body, headers)


def _settle(
    uow: UnitOfWork, due: _Due, config: Notifications, now: dt.datetime, error: str | None
) -> None:
    """Record the attempt's outcome: sent, retry later, or failed for good."""
    row = uow.session.get(Notification, due.id, populate_existing=True)
    assert row is not None
    payload: dict[str, Any] = {
        "webhook": due.webhook,
        "escalation_id": row.escalation_id,
        "attempts": row.attempts,
    }
    kind: EventKind | None = None
    if error is None:
        row.status, row.sent_at, row.last_error = SENT, now, ""
        kind = EventKind.NOTIFICATION_SENT
    elif row.attempts >= config.max_attempts:
        row.status, row.last_error = FAILED, error
        kind, payload["error"] = EventKind.NOTIFICATION_FAILED, error
    else:
        row.last_error, row.next_attempt_at = error, now + _delay(config, row.attempts)
    if kind is not None:
        event = NewEvent(kind, payload, asset_id=due.asset_id)
        uow.record(row.workspace_id, None, now, event)
    uow.commit()
