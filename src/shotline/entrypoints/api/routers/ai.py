"""The AI workflow registry: list, show with its evidence, register, approve, retire."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, status

from shotline.domain.ai import parse_spec
from shotline.entrypoints.api.deps import ActorDep, NowDep, UowDep
from shotline.services import ai

router = APIRouter(prefix="/ai/workflows", tags=["ai"])


@router.get("")
def list_workflows(uow: UowDep, actor: ActorDep) -> list[ai.WorkflowSummary]:
    """Every registered workflow version with its rejection rate and readiness."""
    return ai.list_workflows(uow, actor)


@router.get("/{ref}")
def show_workflow(ref: str, uow: UowDep, actor: ActorDep) -> ai.WorkflowDetail:
    """One version (`name@version`, or `name` for the newest) with its evidence."""
    return ai.show_workflow(uow, actor, ref)


@router.post("", status_code=status.HTTP_201_CREATED)
def register_workflow(
    spec: Annotated[dict[str, Any], Body(description="The workflow, as in `ai register`")],
    uow: UowDep,
    actor: ActorDep,
    now: NowDep,
) -> ai.Registered:
    """Register a workflow version as experimental (ai_workflow_owner only)."""
    return ai.register_workflow(uow, actor, parse_spec(spec, "request body"), now)


@router.post("/{ref}/approve")
def approve_workflow(ref: str, uow: UowDep, actor: ActorDep, now: NowDep) -> ai.StatusChange:
    """Approve a version for production, recording the readiness evidence shown."""
    return ai.approve_workflow(uow, actor, ref, now)


@router.post("/{ref}/retire")
def retire_workflow(ref: str, uow: UowDep, actor: ActorDep, now: NowDep) -> ai.StatusChange:
    """Retire a version: it can no longer be cited for new work."""
    return ai.retire_workflow(uow, actor, ref, now)
