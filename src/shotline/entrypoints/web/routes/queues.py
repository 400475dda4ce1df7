"""Queues: one per track and stage, filtered, 50 to a page, with bulk assign."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import Response

from shotline.domain.errors import ShotlineError
from shotline.domain.policy import COMPLEXITY_CLASSES
from shotline.domain.sla import SLA_STATES, STAGES
from shotline.entrypoints.api.deps import NowDep, UowDep
from shotline.entrypoints.web.render import page, redirect
from shotline.entrypoints.web.session import CsrfDep, WebUserDep
from shotline.services import assignment, queues, workspaces
from shotline.services.asset_page import key_of, visible_asset
from shotline.services.policies import load_active_policy

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
# Deep pages re-read the rows before them (the service pages by limit); 40 pages is 2,000
# rows, far past where anyone works from a queue, and keeps every page fast.
MAX_PAGE = 40
FILTERS = ("category", "complexity", "vendor", "assignee", "sla")


def _stages(gates: tuple[str, ...]) -> list[str]:
    ordered = [name for name, stage in STAGES.items() if stage.gate is None]
    # Gates go where review happens: after retouch, before delivery.
    at = ordered.index("delivery")
    return [*ordered[:at], *gates, *ordered[at:]]


def _blank(value: str | None) -> str | None:
    return value.strip() or None if value else None


@router.get("/queues")
def queue_index(request: Request, user: WebUserDep, uow: UowDep) -> Response:
    """Every queue of the policy: one per track and stage."""
    policy = load_active_policy(uow, user.actor.workspace_id).policy
    return page(
        request,
        "queues.html",
        tracks=list(policy.tracks),
        stages=_stages(tuple(policy.gates)),
    )


@router.get("/queues/{track}/{stage}")
def queue_page(
    request: Request,
    user: WebUserDep,
    uow: UowDep,
    now: NowDep,
    track: str,
    stage: str,
    category: str | None = None,
    complexity: str | None = None,
    vendor: str | None = None,
    assignee: str | None = None,
    sla: str | None = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    """One queue, by due time then priority, 50 to a page; a vendor sees only its work."""
    active = load_active_policy(uow, user.actor.workspace_id)
    policy = active.policy
    chosen = {
        "category": _blank(category),
        "complexity": _blank(complexity),
        "vendor": _blank(vendor),
        "assignee": _blank(assignee),
        "sla": _blank(sla),
    }
    error = None
    items: list[queues.QueueItem] = []
    more = False
    try:
        found = queues.queue(
            uow, user.actor, track, stage, now, limit=page_no * PAGE_SIZE + 1, **chosen
        )
        items = found[(page_no - 1) * PAGE_SIZE : page_no * PAGE_SIZE]
        more = len(found) > page_no * PAGE_SIZE
    except ShotlineError as exc:
        if track not in policy.tracks:
            raise
        error = str(exc)
    can_assign = not user.is_vendor and user.has_any(policy.workflow.assign_roles)
    members = workspaces.list_members(uow, user.actor) if can_assign else []
    teams = sorted({m.team for m in members if m.team})
    query = urlencode({k: v for k, v in chosen.items() if v})
    return page(
        request,
        "queue.html",
        track=track,
        stage=stage,
        tracks=list(policy.tracks),
        stages=_stages(tuple(policy.gates)),
        categories=list(policy.categories),
        complexities=list(COMPLEXITY_CLASSES),
        sla_states=list(SLA_STATES),
        chosen=chosen,
        items=items,
        page_no=page_no,
        more=more,
        max_page=MAX_PAGE,
        query=query,
        error=error,
        can_assign=can_assign,
        people=[m.username for m in members],
        teams=teams,
        vendors=sorted({m.team for m in members if m.vendor and m.team}),
    )


@router.post("/queues/{track}/{stage}/assign", dependencies=[CsrfDep])
def bulk_assign(
    request: Request,
    user: WebUserDep,
    uow: UowDep,
    now: NowDep,
    track: str,
    stage: str,
    asset_id: Annotated[list[int], Form()] = [],  # noqa: B006 - FastAPI reads the default
    assign_to: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    """Assign the ticked assets to one person, team or vendor, all or none."""
    target = back if back.startswith(f"/queues/{track}/{stage}") else f"/queues/{track}/{stage}"
    kind, _, name = assign_to.partition(":")
    if not asset_id:
        return redirect(request, target, flash="Tick at least one asset to assign.")
    if len(set(asset_id)) > PAGE_SIZE:
        return redirect(request, target, flash=f"Assign at most {PAGE_SIZE} assets at once.")
    if kind not in ("user", "team") or not name:
        return redirect(request, target, flash="Choose who gets the work.")
    try:
        keys = [key_of(visible_asset(uow, user.actor, i)) for i in dict.fromkeys(asset_id)]
        done = assignment.assign(
            uow,
            user.actor,
            keys,
            now,
            username=name if kind == "user" else None,
            team=name if kind == "team" else None,
        )
    except ShotlineError as exc:
        uow.session.rollback()
        return redirect(request, target, flash=f"Nothing assigned: {exc}")
    return redirect(request, target, flash=f"{done} asset(s) assigned to {name}.")
