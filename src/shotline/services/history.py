"""An asset's full trail, straight from the event log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select

from shotline.adapters.db.models import Asset, Event, RequestLine, User
from shotline.domain.access import Actor
from shotline.domain.errors import NotFound
from shotline.domain.events import EventKind
from shotline.services import qc
from shotline.services.assets import check_visible
from shotline.services.unit_of_work import UnitOfWork

_LINE_EVENTS = (EventKind.LINE_ACCEPTED.value, EventKind.LINE_REJECTED.value)
_EXCEPTION_EVENTS = (
    EventKind.EXCEPTION_REQUESTED.value,
    EventKind.EXCEPTION_GRANTED.value,
    EventKind.EXCEPTION_REFUSED.value,
)


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    kind: str
    actor: str | None
    asset: str | None
    payload: dict[str, Any]


def asset_history(
    uow: UnitOfWork, actor: Actor, sku: str, colorway: str | None = None, view: str | None = None
) -> list[HistoryEntry]:
    """Every event about the SKU's assets (optionally one colorway and view), oldest first:
    the intake line that created them, uploads, decisions, exceptions, delivery."""
    assets = _assets(uow, actor, sku, colorway, view)
    names = {a.id: f"{a.colorway} / {a.view}" for a in assets}
    line_ids = {a.request_line_id for a in assets}
    rows = uow.session.execute(
        select(Event, User.username)
        .join(User, User.id == Event.actor_id, isouter=True)
        .where(
            Event.workspace_id == actor.workspace_id,
            or_(
                Event.asset_id.in_(names),
                Event.kind.in_(_LINE_EVENTS) & Event.request_id.in_(_request_ids(uow, assets)),
                Event.kind.in_(_EXCEPTION_EVENTS),
            ),
        )
        .order_by(Event.at, Event.id)
    )
    entries: list[HistoryEntry] = []
    for event, username in rows:
        if not _concerns(event, names, line_ids):
            continue
        label = names.get(event.asset_id) if event.asset_id else None
        entries.append(HistoryEntry(event.at, event.kind, username, label, event.payload))
    return entries


def _assets(
    uow: UnitOfWork, actor: Actor, sku: str, colorway: str | None, view: str | None
) -> list[Asset]:
    query = select(Asset).where(Asset.workspace_id == actor.workspace_id, Asset.sku == sku)
    if view:
        query = query.where(Asset.view == view)
    assets = [
        a
        for a in uow.session.scalars(query)
        if colorway is None or a.colorway.casefold() == colorway.casefold()
    ]
    for asset in assets:
        check_visible(uow, actor, asset)
    if not assets:
        raise NotFound(f"no assets for SKU {sku} in workspace {actor.workspace}")
    return assets


def qc_history(
    uow: UnitOfWork, actor: Actor, sku: str, colorway: str | None = None, view: str | None = None
) -> list[qc.RunView]:
    """The automated QC of every version of the SKU's assets (optionally one colorway and
    view): run state and, once done, each check's result, value and threshold."""
    return qc.version_runs(uow, _assets(uow, actor, sku, colorway, view))


def _request_ids(uow: UnitOfWork, assets: list[Asset]) -> set[int]:

    line_ids = {a.request_line_id for a in assets}
    return set(
        uow.session.scalars(select(RequestLine.request_id).where(RequestLine.id.in_(line_ids)))
    )


def _concerns(event: Event, asset_ids: dict[int, str], line_ids: set[int]) -> bool:
    if event.asset_id is not None:
        return event.asset_id in asset_ids
    if event.kind in _LINE_EVENTS:
        return event.payload.get("line_id") in line_ids
    return bool(set(event.payload.get("assets", [])) & set(asset_ids))
