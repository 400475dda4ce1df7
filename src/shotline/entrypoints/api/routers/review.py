"""Review: decide a gate of the version under review with its binary checklist."""

from __future__ import annotations

from fastapi import APIRouter, status

from shotline.entrypoints.api.deps import ActorDep, NowDep, UowDep
from shotline.entrypoints.api.schemas.review import DecisionIn, DecisionOut
from shotline.services.assets import AssetKey
from shotline.services.review import decide_gate

router = APIRouter(tags=["review"])


@router.post("/assets/{sku}/{colorway}/{view}/decisions", status_code=status.HTTP_201_CREATED)
def decide(
    uow: UowDep, actor: ActorDep, now: NowDep, sku: str, colorway: str, view: str, body: DecisionIn
) -> DecisionOut:
    """Record the decision and move the asset: to the next gate, to approved, or back along
    the policy's rework route. 409 when the asset is not waiting at this gate."""
    result = decide_gate(uow, actor, AssetKey(sku, colorway, view), body.decision(), now)
    return DecisionOut.of(result)
