"""AI workflows: the registry with each version's rejection rate and readiness, and one
workflow with its evidence (services/ai)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from shotline.entrypoints.api.deps import UowDep
from shotline.entrypoints.web.render import page
from shotline.entrypoints.web.session import WebUser, requires
from shotline.services import ai

router = APIRouter(include_in_schema=False)
StaffUser = Annotated[WebUser, Depends(requires(staff=True))]


@router.get("/ai")
def workflow_list(request: Request, user: StaffUser, uow: UowDep) -> Response:
    """Every registered workflow version."""
    return page(request, "ai_list.html", workflows=ai.list_workflows(uow, user.actor))


@router.get("/ai/{ref}")
def workflow_page(request: Request, ref: str, user: StaffUser, uow: UowDep) -> Response:
    """One workflow version (`name` for the newest, or `name@version`) with its evidence."""
    return page(request, "ai_show.html", d=ai.show_workflow(uow, user.actor, ref))
