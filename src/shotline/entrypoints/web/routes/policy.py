"""The policy, read-only: the active standards of the workspace, as people read them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from shotline.entrypoints.api.deps import UowDep
from shotline.entrypoints.web.render import page
from shotline.entrypoints.web.session import WebUser, requires
from shotline.services.policies import load_active_policy

router = APIRouter(include_in_schema=False)
StaffUser = Annotated[WebUser, Depends(requires(staff=True))]


@router.get("/policy")
def policy_page(request: Request, user: StaffUser, uow: UowDep) -> Response:
    """Tracks, gates and checklists, defect codes, categories, channels, and the source."""
    active = load_active_policy(uow, user.actor.workspace_id)
    return page(request, "policy.html", active=active, policy=active.policy, source=active.source)
