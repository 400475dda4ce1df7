"""Liveness for load balancers and the service manager: no token, no database."""

from __future__ import annotations

from fastapi import APIRouter

from shotline.entrypoints.api.schemas.common import Health

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> Health:
    """The server is up and answering."""
    return Health(status="ok")
