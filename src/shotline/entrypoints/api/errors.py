"""Domain errors mapped to HTTP once, here: one status and one clear message each."""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

from shotline.domain.errors import Conflict, NotFound, PermissionDenied, ShotlineError
from shotline.domain.lifecycle import IllegalTransition
from shotline.entrypoints.api.schemas.common import ErrorOut

# First match wins; every other ShotlineError (policy, review rules, bad input) is a 400.
STATUS_OF: tuple[tuple[type[ShotlineError], int], ...] = (
    (NotFound, status.HTTP_404_NOT_FOUND),
    (PermissionDenied, status.HTTP_403_FORBIDDEN),
    (Conflict, status.HTTP_409_CONFLICT),
    (IllegalTransition, status.HTTP_409_CONFLICT),
)
# Documented on every authenticated route, so clients see the error body in OpenAPI.
ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorOut, "description": text}
    for code, text in (
        (status.HTTP_400_BAD_REQUEST, "The request breaks a rule; `detail` says which"),
        (status.HTTP_401_UNAUTHORIZED, "No valid API token"),
        (status.HTTP_403_FORBIDDEN, "The token's user lacks the role or visibility"),
        (status.HTTP_404_NOT_FOUND, "Nothing of that name in the workspace"),
        (status.HTTP_409_CONFLICT, "The action clashes with the current state"),
    )
}


def status_for(error: ShotlineError) -> int:
    """The HTTP status of a domain error."""
    return next((code for kind, code in STATUS_OF if isinstance(error, kind)), 400)


async def domain_error(request: Request, error: Exception) -> JSONResponse:
    """`{"detail": message}` with the error's status."""
    assert isinstance(error, ShotlineError)
    return JSONResponse({"detail": str(error)}, status_code=status_for(error))


def install(api: FastAPI) -> None:
    """Map every ShotlineError raised by a route or dependency."""
    api.add_exception_handler(ShotlineError, domain_error)
