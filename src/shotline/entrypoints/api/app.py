"""The FastAPI application, built from settings by `create_app` (nothing happens at import).

Run it with `shotline serve`, or with any ASGI server as a factory:
`uvicorn --factory shotline.entrypoints.api.app:create_app`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI

from shotline import __version__
from shotline.bootstrap import App, build
from shotline.config import Settings
from shotline.entrypoints.api import errors
from shotline.entrypoints.api.deps import ApiState, Clock, current_actor
from shotline.entrypoints.api.routers import (
    ai,
    asset_store,
    assets,
    dashboard,
    health,
    intake,
    queues,
    report,
    review,
)
from shotline.entrypoints.web import mount_web

API_PREFIX = "/api/v1"
MAX_JSON_BYTES = 1024 * 1024


def utc_now() -> dt.datetime:
    """The real clock; tests pass their own to `create_app`."""
    return dt.datetime.now(dt.UTC)


def _lifespan(app: App) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_api: FastAPI) -> AsyncIterator[None]:
        yield
        # Pooled connections are released when the server stops, not left to the GC.
        app.close()

    return lifespan


def _api_router() -> APIRouter:
    """Every /api/v1 route, behind the bearer token: set once here, so none can forget it."""
    v1 = APIRouter(
        prefix=API_PREFIX,
        dependencies=[Depends(current_actor)],
        responses=errors.ERROR_RESPONSES,
    )
    for area in (dashboard, report, assets, queues, intake, review, ai, asset_store):
        v1.include_router(area.router)
    return v1


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    """The API for these settings (default: from the environment), on the real clock unless
    one is given."""
    shotline = build(settings if settings is not None else Settings.from_env())
    api = FastAPI(
        title="Shotline",
        version=__version__,
        summary="Creative operations for ecommerce content production.",
        lifespan=_lifespan(shotline),
        # FastAPI's /docs and /redoc pages load their scripts from a CDN, and Shotline works
        # offline: only the OpenAPI document itself is served.
        docs_url=None,
        redoc_url=None,
        # JSON bodies are small; the intake router allows files (routers/intake.py).
        max_body_size=MAX_JSON_BYTES,
    )
    api.state.shotline = ApiState(shotline, clock or utc_now)
    errors.install(api)
    api.include_router(health.router)
    api.include_router(_api_router())
    mount_web(api)
    return api
