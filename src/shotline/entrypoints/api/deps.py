"""What routes depend on, as Annotated aliases: the app, a unit of work per request, the
clock, and the acting user from the bearer token.

Access control lives here and only here: the /api/v1 router depends on `current_actor`, so no
route can forget it, and the services make every role and visibility check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shotline.bootstrap import App
from shotline.domain.access import Actor
from shotline.domain.errors import NotFound, PermissionDenied
from shotline.services.tokens import actor_for_token
from shotline.services.unit_of_work import UnitOfWork

Clock = Callable[[], dt.datetime]

bearer = HTTPBearer(
    auto_error=False,
    description="An API token made with `shotline tokens create NAME`.",
)


@dataclass(frozen=True)
class ApiState:
    """What `create_app` keeps on the FastAPI instance for the dependencies below."""

    app: App
    clock: Clock


def api_state(request: Request) -> ApiState:
    """The state `create_app` stored."""
    found = request.app.state.shotline
    assert isinstance(found, ApiState)
    return found


def shotline_app(request: Request) -> App:
    """The Shotline app (engine, sessions, blob store) this API was built with."""
    return api_state(request).app


AppDep = Annotated[App, Depends(shotline_app)]


def unit_of_work(app: AppDep) -> Iterator[UnitOfWork]:
    """One unit of work per request; what a service did not commit is rolled back."""
    with app.uow() as uow:
        yield uow


UowDep = Annotated[UnitOfWork, Depends(unit_of_work)]


def request_time(request: Request) -> dt.datetime:
    """The moment of this request: the one place the API reads the clock."""
    return api_state(request).clock()


NowDep = Annotated[dt.datetime, Depends(request_time)]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def _unauthorised(message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": "Bearer"}
    )


def current_actor(uow: UowDep, now: NowDep, credentials: Credentials) -> Actor:
    """The user the bearer token acts for, with the roles held now; 401 without a valid one."""
    if credentials is None:
        raise _unauthorised("send an API token: Authorization: Bearer <token>")
    try:
        return actor_for_token(uow, credentials.credentials, now)
    except (NotFound, PermissionDenied) as exc:
        raise _unauthorised(str(exc)) from None


ActorDep = Annotated[Actor, Depends(current_actor)]


def staff_actor(actor: ActorDep) -> Actor:
    """The actor, unless a vendor's: for workspace-wide lists whose service does not yet
    narrow what a vendor sees (a vendor reads its work from the queues instead)."""
    if actor.is_vendor:
        raise PermissionDenied(
            f"{actor.username} works for a vendor and sees only its own work (work/mine, queues)"
        )
    return actor


StaffDep = Annotated[Actor, Depends(staff_actor)]
