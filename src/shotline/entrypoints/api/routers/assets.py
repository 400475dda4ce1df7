"""Assets in production and the trail of one asset."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from shotline.entrypoints.api.deps import ActorDep, StaffDep, UowDep
from shotline.entrypoints.api.schemas.assets import AssetOut, AssetPage, HistoryEntryOut
from shotline.services.history import asset_history
from shotline.services.requests import list_assets

router = APIRouter(tags=["assets"])

Limit = Annotated[int, Query(ge=1, le=1000, description="Return at most this many")]


@router.get("/assets")
def get_assets(
    uow: UowDep,
    actor: StaffDep,
    state: str | None = None,
    track: str | None = None,
    sku: str | None = None,
    limit: Limit = 100,
) -> AssetPage:
    """Assets by due time then priority (urgent first), with the total before `limit`."""
    views, total = list_assets(uow, actor, state, track, sku, limit)
    return AssetPage(total=total, assets=[AssetOut.model_validate(v) for v in views])


@router.get("/assets/{sku}/{colorway}/{view}/history")
def get_history(
    uow: UowDep, actor: ActorDep, sku: str, colorway: str, view: str
) -> list[HistoryEntryOut]:
    """Every event about the asset, oldest first: intake line, uploads, decisions,
    exceptions, delivery. A vendor sees only the assets assigned to it."""
    entries = asset_history(uow, actor, sku, colorway, view)
    return [HistoryEntryOut.model_validate(entry) for entry in entries]
