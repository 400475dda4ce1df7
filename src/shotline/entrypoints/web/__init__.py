"""The web pages: server-rendered Jinja2 with htmx, mounted on the API application.

`mount_web(api)` adds /static (every script and style sheet is served from here: Shotline
works on a closed network), the page routers of `routes/`, and the error pages. A
ShotlineError raised by a page shows its message on a page (never a traceback); API routes
keep their JSON errors.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from shotline.domain.errors import ShotlineError
from shotline.entrypoints.api.errors import status_for
from shotline.entrypoints.web.render import page
from shotline.entrypoints.web.routes import (
    ai,
    asset,
    dashboard,
    exceptions,
    intake,
    login,
    policy,
    queues,
    review,
    rights,
    work,
)
from shotline.entrypoints.web.session import CsrfRefused, LoginRequired, WebForbidden, login_url

STATIC_DIR = Path(__file__).parent / "static"
ROUTERS = (login, work, queues, intake, dashboard, exceptions, policy, ai, rights, asset, review)
_NOT_PAGES = ("/api/", "/openapi.json", "/healthz", "/static/")


def is_page(request: Request) -> bool:
    """True for a browser page, False for the JSON API and static files."""
    return not request.url.path.startswith(_NOT_PAGES)


def _error_page(request: Request, message: str, status_code: int) -> Response:
    return page(request, "error.html", status_code=status_code, message=message, code=status_code)


def _login_redirect(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    target = login_url(exc.next_url)
    if request.headers.get("HX-Request"):
        # htmx follows a redirect inside the fragment; this makes it load the whole page.
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _forbidden(request: Request, exc: Exception) -> Response:
    return _error_page(request, str(exc), 403)


def mount_web(api: FastAPI) -> None:
    """Add the pages, /static and the HTML error pages to the API application."""
    api.state.web_secure_cookies = os.environ.get("SHOTLINE_SECURE_COOKIES", "") in ("1", "true")
    api.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in ROUTERS:
        api.include_router(module.router)
    api.add_exception_handler(LoginRequired, _login_redirect)
    api.add_exception_handler(WebForbidden, _forbidden)
    api.add_exception_handler(CsrfRefused, _forbidden)
    _wrap(api, ShotlineError, _domain_page)
    _wrap(api, StarletteHTTPException, _http_page)
    _wrap(api, RequestValidationError, _invalid_page)
    # A bug, not a user mistake: the page says so in one line; uvicorn logs the traceback.
    api.add_exception_handler(Exception, _crash_page)


PageHandler = Callable[[Request, Exception], Response]
ApiHandler = Callable[[Request, Exception], Awaitable[Response]]


def _wrap(api: FastAPI, kind: type[Exception], handler: PageHandler) -> None:
    """Pages get `handler`; the API keeps the handler it had (or FastAPI's default)."""
    from fastapi.exception_handlers import (
        http_exception_handler,
        request_validation_exception_handler,
    )

    defaults = {
        StarletteHTTPException: http_exception_handler,
        RequestValidationError: request_validation_exception_handler,
    }
    found = api.exception_handlers.get(kind) or defaults.get(kind)
    assert found is not None
    previous = cast(ApiHandler, found)

    async def dispatch(request: Request, exc: Exception) -> Response:
        if is_page(request):
            return handler(request, exc)
        return await previous(request, exc)

    api.add_exception_handler(kind, dispatch)


def _crash_page(request: Request, exc: Exception) -> Response:
    if not is_page(request):
        return PlainTextResponse("Internal Server Error", status_code=500)
    message = f"something went wrong on our side ({type(exc).__name__}); it has been logged"
    return _error_page(request, message, 500)


def _domain_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ShotlineError)
    return _error_page(request, str(exc), status_for(exc))


def _http_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    message = "no such page" if exc.status_code == 404 else str(exc.detail)
    return _error_page(request, message, exc.status_code)


def _invalid_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg', '')}"
        for e in exc.errors()
    )
    return _error_page(request, f"bad request: {problems}", 400)
