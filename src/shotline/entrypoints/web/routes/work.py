"""My work: what is assigned to me (or my team or vendor), next item first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from shotline.entrypoints.api.deps import NowDep, UowDep
from shotline.entrypoints.web.render import page
from shotline.entrypoints.web.session import WebUserDep
from shotline.services import queues

router = APIRouter(include_in_schema=False)
LIMIT = 200


@router.get("/work")
def my_work(request: Request, user: WebUserDep, uow: UowDep, now: NowDep) -> Response:
    """The user's open work, in the order it should be done."""
    items = queues.my_work(uow, user.actor, now, limit=LIMIT)
    return page(request, "work.html", items=items, limit=LIMIT)
