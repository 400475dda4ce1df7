"""GET /api/v1/dashboard: the morning questions of a creative-ops team, answered now."""

from __future__ import annotations

from fastapi import APIRouter

from shotline.entrypoints.api.deps import ActorDep, NowDep, UowDep
from shotline.entrypoints.api.schemas.dashboard import Dashboard
from shotline.services.dashboard import dashboard

router = APIRouter(tags=["dashboard"])


@router.get("/dashboard")
def get_dashboard(uow: UowDep, actor: ActorDep, now: NowDep) -> Dashboard:
    """In production, waiting for review, blocked, at risk; failed QC; teams, vendors and AI
    workflows by pass rate. Refused to vendors (it spans every vendor's work)."""
    return Dashboard.model_validate(dashboard(uow, actor, now))
