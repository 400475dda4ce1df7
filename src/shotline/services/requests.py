"""Read use cases for requests and assets: what came in, what is in production."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select

from shotline.adapters.db.models import Asset, Request, RequestLine, User
from shotline.domain.access import Actor
from shotline.domain.errors import NotFound
from shotline.domain.intake.fields import PRIORITY_RANK
from shotline.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class RequestView:
    id: int
    source: str
    state: str
    rows: int
    accepted: int
    rejected: int
    assets: int
    submitted_by: str
    created_at: dt.datetime


@dataclass(frozen=True)
class LineView:
    row: int
    sku: str
    status: str
    track: str | None
    complexity: str | None
    due_at: dt.datetime | None
    errors: list[dict[str, Any]]
    warnings: list[str]


@dataclass(frozen=True)
class AssetView:
    id: int
    sku: str
    colorway: str
    view: str
    category: str
    track: str
    complexity: str
    priority: str
    state: str
    due_at: dt.datetime


def list_requests(uow: UnitOfWork, actor: Actor) -> list[RequestView]:
    """The workspace's requests, newest first."""
    rows = uow.session.execute(
        select(Request, User.username)
        .join(User, User.id == Request.submitted_by_id)
        .where(Request.workspace_id == actor.workspace_id)
        .order_by(Request.id.desc())
    )
    return [
        RequestView(
            r.id,
            r.source,
            r.state,
            r.rows,
            r.accepted_lines,
            r.rejected_lines,
            r.asset_count,
            username,
            r.created_at,
        )
        for r, username in rows
    ]


def request_lines(uow: UnitOfWork, actor: Actor, request_id: int) -> list[LineView]:
    """Every line of one request, in spreadsheet order, with its errors or warnings."""
    request = uow.session.get(Request, request_id)
    if request is None or request.workspace_id != actor.workspace_id:
        raise NotFound(f"no request {request_id} in workspace {actor.workspace}")
    lines = uow.session.scalars(
        select(RequestLine).where(RequestLine.request_id == request_id).order_by(RequestLine.row)
    )
    return [
        LineView(x.row, x.sku, x.status, x.track, x.complexity, x.due_at, x.errors, x.warnings)
        for x in lines
    ]


def list_assets(
    uow: UnitOfWork,
    actor: Actor,
    state: str | None = None,
    track: str | None = None,
    sku: str | None = None,
    limit: int = 100,
) -> tuple[list[AssetView], int]:
    """Assets by due time then priority (urgent first), with the total before `limit`."""
    query = select(Asset).where(Asset.workspace_id == actor.workspace_id)
    if state:
        query = query.where(Asset.state == state)
    if track:
        query = query.where(Asset.track == track)
    if sku:
        query = query.where(Asset.sku == sku)
    total = uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rank = case(PRIORITY_RANK, value=Asset.priority, else_=len(PRIORITY_RANK))
    rows = uow.session.scalars(query.order_by(Asset.due_at, rank, Asset.id).limit(limit))
    views = [
        AssetView(
            a.id,
            a.sku,
            a.colorway,
            a.view,
            a.category,
            a.track,
            a.complexity,
            a.priority,
            a.state,
            a.due_at,
        )
        for a in rows
    ]
    return views, total


@dataclass(frozen=True)
class QueueCount:
    track: str
    complexity: str
    state: str
    assets: int


def asset_counts(uow: UnitOfWork, actor: Actor) -> list[QueueCount]:
    """How many assets sit on each track, complexity class and state."""
    rows = uow.session.execute(
        select(Asset.track, Asset.complexity, Asset.state, func.count())
        .where(Asset.workspace_id == actor.workspace_id)
        .group_by(Asset.track, Asset.complexity, Asset.state)
        .order_by(Asset.track, Asset.complexity, Asset.state)
    )
    return [QueueCount(t, c, s, n) for t, c, s, n in rows]
