"""Finding assets and moving them through the lifecycle, with an event for every move."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from shotline.adapters.db.models import Asset, Team
from shotline.domain.access import Actor
from shotline.domain.errors import NotFound, PermissionDenied
from shotline.domain.events import NewEvent
from shotline.domain.lifecycle import check_transition
from shotline.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class AssetKey:
    """How people name an asset: SKU, colorway and view."""

    sku: str
    colorway: str
    view: str

    def __str__(self) -> str:
        return f"{self.sku} / {self.colorway} / {self.view}"


def find_asset(uow: UnitOfWork, actor: Actor, key: AssetKey, lock: bool = False) -> Asset:
    """The newest asset for the key in the actor's workspace (colorway case does not matter).

    A vendor user only finds assets assigned to its vendor.
    """
    query = (
        select(Asset)
        .where(
            Asset.workspace_id == actor.workspace_id,
            Asset.sku == key.sku,
            Asset.view == key.view,
        )
        .order_by(Asset.id.desc())
    )
    matches = [
        a for a in uow.session.scalars(query) if a.colorway.casefold() == key.colorway.casefold()
    ]
    if not matches:
        raise NotFound(f"no asset {key} in workspace {actor.workspace}")
    asset = matches[0]
    check_visible(uow, actor, asset)
    return asset


def check_visible(uow: UnitOfWork, actor: Actor, asset: Asset) -> None:
    """Vendors see only work assigned to them or to their vendor."""
    if not actor.is_vendor:
        return

    team = uow.session.scalar(
        select(Team.id).where(Team.workspace_id == actor.workspace_id, Team.name == actor.team)
    )
    if asset.assignee_team_id != team and asset.assignee_user_id != actor.user_id:
        raise NotFound(
            f"no asset {asset.sku} / {asset.colorway} / {asset.view} assigned to {actor.team}"
        )


def move(
    uow: UnitOfWork,
    actor: Actor,
    asset: Asset,
    target: str,
    now: dt.datetime,
    event: NewEvent,
) -> None:
    """Apply one lifecycle move (refused if the table does not allow it) and log it."""
    before = asset.state
    check_transition(before, target, asset.resume_state)
    asset.state = target
    asset.state_since = now
    asset.updated_at = now
    payload: dict[str, Any] = {"before": before, "after": target, **event.payload}
    uow.record(
        actor.workspace_id,
        actor.user_id,
        now,
        NewEvent(event.kind, payload, request_id=event.request_id, asset_id=asset.id),
    )


def require_role_strict(actor: Actor, roles: tuple[str, ...], action: str) -> None:
    """Like require_role, but an admin gets no free pass: production work needs the role."""
    if not actor.roles & set(roles):
        raise PermissionDenied(
            f"{actor.username} cannot {action}: needs one of the roles {', '.join(sorted(roles))}"
        )
