"""Rights expiring: usage rights that lapse soon (or have lapsed), soonest first
(services/rights; a vendor user sees only the rights of its own work)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from shotline.entrypoints.api.deps import NowDep, UowDep
from shotline.entrypoints.web.render import page
from shotline.entrypoints.web.session import WebUserDep
from shotline.services import rights

router = APIRouter(include_in_schema=False)
HORIZONS = (7, 30, 90, 365)


@router.get("/rights")
def rights_expiring(
    request: Request,
    user: WebUserDep,
    uow: UowDep,
    now: NowDep,
    days: Annotated[int, Query(ge=0, le=3650)] = 30,
) -> Response:
    """Rights lapsing within `days`, with those already lapsed (delivery refuses them)."""
    found = rights.expiring(uow, user.actor, now, days)
    return page(request, "rights.html", rows=found, days=days, horizons=HORIZONS, now=now)
