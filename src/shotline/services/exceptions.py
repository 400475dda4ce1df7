"""Exceptions: recorded, authorised departures from the process, and the monthly review."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from shotline.adapters.db.models import ProcessException, User
from shotline.domain.access import Actor
from shotline.domain.errors import NotFound, PermissionDenied, ShotlineError
from shotline.domain.events import EventKind, NewEvent
from shotline.domain.policy import Policy
from shotline.services.policies import load_active_policy
from shotline.services.unit_of_work import UnitOfWork

REQUESTED, GRANTED, REFUSED = "requested", "granted", "refused"


@dataclass(frozen=True)
class ExceptionView:
    id: int
    kind: str
    status: str
    reason: str
    asset_ids: list[int]
    requested_by: str
    requested_at: dt.datetime
    valid_until: dt.datetime


def _kind(policy: Policy, kind: str) -> None:
    if kind not in policy.exceptions:
        raise ShotlineError(
            f"unknown exception kind {kind!r}; expected {', '.join(policy.exceptions)}"
        )


def _request(
    uow: UnitOfWork,
    actor: Actor,
    kind: str,
    reason: str,
    asset_ids: list[int],
    now: dt.datetime,
    days: int | None = None,
    detail: dict[str, Any] | None = None,
) -> int:
    policy = load_active_policy(uow, actor.workspace_id).policy
    _kind(policy, kind)
    if not reason.strip():
        raise ShotlineError("an exception needs a reason")
    limit = policy.exceptions[kind].max_days
    if days is not None and not 0 < days <= limit:
        raise ShotlineError(f"a {kind} exception lasts 1 to {limit} days")
    row = ProcessException(
        workspace_id=actor.workspace_id,
        kind=kind,
        reason=reason,
        asset_ids=sorted(asset_ids),
        detail=detail or {},
        status=REQUESTED,
        requested_by_id=actor.user_id,
        requested_at=now,
        valid_until=now + dt.timedelta(days=days or limit),
        decision_note="",
    )
    uow.session.add(row)
    uow.session.flush()
    payload = {"exception_id": row.id, "kind": kind, "reason": reason, "assets": row.asset_ids}
    uow.record(
        actor.workspace_id, actor.user_id, now, NewEvent(EventKind.EXCEPTION_REQUESTED, payload)
    )
    return row.id


def _decide(
    uow: UnitOfWork, actor: Actor, exception_id: int, grant: bool, note: str, now: dt.datetime
) -> str:
    policy = load_active_policy(uow, actor.workspace_id).policy
    row = uow.session.get(ProcessException, exception_id)
    if row is None or row.workspace_id != actor.workspace_id:
        raise NotFound(f"no exception {exception_id} in workspace {actor.workspace}")
    roles = policy.exceptions[row.kind].grant_roles
    if not actor.roles & set(roles):
        raise PermissionDenied(f"a {row.kind} exception is decided by {', '.join(roles)}")
    if row.status != REQUESTED:
        raise ShotlineError(f"exception {exception_id} was already {row.status}")
    row.status = GRANTED if grant else REFUSED
    row.decided_by_id, row.decided_at, row.decision_note = actor.user_id, now, note
    kind = EventKind.EXCEPTION_GRANTED if grant else EventKind.EXCEPTION_REFUSED
    payload = {"exception_id": row.id, "kind": row.kind, "note": note, "assets": row.asset_ids}
    uow.record(actor.workspace_id, actor.user_id, now, NewEvent(kind, payload))
    return row.status


def record_granted(
    uow: UnitOfWork,
    actor: Actor,
    kind: str,
    reason: str,
    asset_id: int,
    now: dt.datetime,
    detail: dict[str, Any],
) -> int:
    """An exception asked for and granted in one act by someone allowed to grant it (an
    override made while deciding a gate). Still logged like any other."""
    exception_id = _request(uow, actor, kind, reason, [asset_id], now, detail=detail)
    _decide(uow, actor, exception_id, True, "granted while deciding", now)
    return exception_id


def active_grant(
    uow: UnitOfWork, actor: Actor, kind: str, asset_id: int, now: dt.datetime
) -> ProcessException | None:
    """A granted, unexpired exception of this kind that covers the asset."""
    rows = uow.session.scalars(
        select(ProcessException).where(
            ProcessException.workspace_id == actor.workspace_id,
            ProcessException.kind == kind,
            ProcessException.status == GRANTED,
            ProcessException.valid_until > now,
        )
    )
    return next((r for r in rows if asset_id in r.asset_ids), None)


def request_exception(
    uow: UnitOfWork,
    actor: Actor,
    kind: str,
    reason: str,
    asset_ids: list[int],
    now: dt.datetime,
    days: int | None = None,
    detail: dict[str, Any] | None = None,
) -> int:
    """Ask for an exception for some assets, with a reason; valid for at most the kind's
    `max_days`. Returns its id."""
    exception_id = _request(uow, actor, kind, reason, asset_ids, now, days, detail)
    uow.commit()
    return exception_id


def decide_exception(
    uow: UnitOfWork, actor: Actor, exception_id: int, grant: bool, note: str, now: dt.datetime
) -> str:
    """Grant or refuse a pending exception; only the kind's grant roles may decide."""
    status = _decide(uow, actor, exception_id, grant, note, now)
    uow.commit()
    return status


@dataclass(frozen=True)
class ExceptionReport:
    """Exceptions of a period grouped by kind and by who asked, with recurring kinds flagged."""

    month: str | None
    by_kind: dict[str, dict[str, int]]
    by_requester: dict[str, int]
    recurring: list[str]
    threshold: int


def exceptions_report(uow: UnitOfWork, actor: Actor, month: str | None = None) -> ExceptionReport:
    """Group exceptions (optionally of one month, YYYY-MM) by kind, status and requester.
    A kind asked for `workflow.recurring_exceptions` times or more is flagged: formalise it
    into the process, or stop allowing it."""
    policy = load_active_policy(uow, actor.workspace_id).policy
    query = (
        select(ProcessException, User.username)
        .join(User, User.id == ProcessException.requested_by_id)
        .where(ProcessException.workspace_id == actor.workspace_id)
    )
    if month is not None:
        start, end = _month_bounds(month)
        query = query.where(
            ProcessException.requested_at >= start, ProcessException.requested_at < end
        )
    by_kind: dict[str, Counter[str]] = {}
    by_requester: Counter[str] = Counter()
    for row, username in uow.session.execute(query):
        by_kind.setdefault(row.kind, Counter())[row.status] += 1
        by_requester[username] += 1
    threshold = policy.workflow.recurring_exceptions
    recurring = sorted(k for k, c in by_kind.items() if sum(c.values()) >= threshold)
    return ExceptionReport(
        month,
        {k: dict(c) for k, c in sorted(by_kind.items())},
        dict(by_requester.most_common()),
        recurring,
        threshold,
    )


def _month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    try:
        start = dt.datetime.strptime(month, "%Y-%m").replace(tzinfo=dt.UTC)
    except ValueError:
        raise ShotlineError(f"expected a month like 2026-11, got {month!r}") from None
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start, end


def list_exceptions(
    uow: UnitOfWork, actor: Actor, status: str | None = None
) -> list[ExceptionView]:
    """The workspace's exceptions, newest first."""
    query = (
        select(ProcessException, User.username)
        .join(User, User.id == ProcessException.requested_by_id)
        .where(ProcessException.workspace_id == actor.workspace_id)
    )
    if status:
        query = query.where(ProcessException.status == status)
    return [
        ExceptionView(
            r.id, r.kind, r.status, r.reason, r.asset_ids, name, r.requested_at, r.valid_until
        )
        for r, name in uow.session.execute(query.order_by(ProcessException.id.desc()))
    ]
