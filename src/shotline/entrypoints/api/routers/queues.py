"""Work queues by track and stage, and the caller's own work."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from shotline.entrypoints.api.deps import ActorDep, NowDep, UowDep
from shotline.entrypoints.api.schemas.queues import QueueItemOut
from shotline.services import queues

router = APIRouter(tags=["queues"])

Limit = Annotated[int, Query(ge=1, le=1000, description="Return at most this many")]


@router.get("/queues/{track}/{stage}")
def get_queue(
    uow: UowDep,
    actor: ActorDep,
    now: NowDep,
    track: str,
    stage: str,
    category: str | None = None,
    complexity: str | None = None,
    vendor: str | None = None,
    assignee: str | None = None,
    sla: Annotated[str | None, Query(description="late, at_risk or on_track")] = None,
    limit: Limit = 200,
) -> list[QueueItemOut]:
    """One queue (a track at a stage: capture, retouch, a gate, delivery or blocked) by due
    time then priority. A vendor's people see only work assigned to their vendor."""
    items = queues.queue(
        uow, actor, track, stage, now, category, complexity, vendor, assignee, sla, limit
    )
    return [QueueItemOut.model_validate(item) for item in items]


@router.get("/work/mine")
def get_my_work(
    uow: UowDep, actor: ActorDep, now: NowDep, limit: Limit = 200
) -> list[QueueItemOut]:
    """Open work assigned to the caller or to the caller's team or vendor, next item first."""
    items = queues.my_work(uow, actor, now, limit)
    return [QueueItemOut.model_validate(item) for item in items]
