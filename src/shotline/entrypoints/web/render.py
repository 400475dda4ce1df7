"""Rendering pages: one Jinja2 environment, and `page()` which gives every template the
user, the CSRF token, the navigation and the flash message."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse, RedirectResponse, Response

from shotline.entrypoints.web.session import (
    WebUser,
    csrf_token,
    secure_cookies,
    set_anon_csrf_cookie,
)

TEMPLATES_DIR = Path(__file__).parent / "templates"
FLASH_COOKIE = "shotline_flash"
templates = Jinja2Templates(directory=TEMPLATES_DIR)

# Roles as the default policy names them; the services make the real checks, this only keeps
# links to pages a person cannot use out of their menu.
INTAKE_ROLES = ("creative_ops_manager", "producer", "merchandiser")
MANAGER_ROLES = ("creative_ops_manager", "producer")


@dataclass(frozen=True)
class NavItem:
    """A menu entry and who sees it: `roles` empty means everyone, `staff` hides it from
    vendor users."""

    label: str
    href: str
    roles: tuple[str, ...] = ()
    staff: bool = False

    def allows(self, user: WebUser) -> bool:
        """Whether `user` sees this entry."""
        if self.staff and user.is_vendor:
            return False
        return not self.roles or user.has_any(self.roles)


NAV: tuple[NavItem, ...] = (
    NavItem("My work", "/work"),
    NavItem("Queues", "/queues"),
    # Review mode (routes/review.py): for the roles that decide gates in the default policy.
    NavItem(
        "Review",
        "/review",
        ("qc_lead", "retouching_lead", "creative_director", "merchandiser"),
        staff=True,
    ),
    NavItem("Intake", "/intake", INTAKE_ROLES, staff=True),
    NavItem("Dashboard", "/dashboard", staff=True),
    NavItem("Exceptions", "/exceptions", staff=True),
    NavItem("Policy", "/policy", staff=True),
    NavItem("AI workflows", "/ai", staff=True),
    NavItem("Rights", "/rights"),
)


def nav_for(user: WebUser | None) -> list[NavItem]:
    """The menu entries `user` may open."""
    return [item for item in NAV if user is not None and item.allows(user)]


def _age(hours: float) -> str:
    if hours < 1:
        return f"{int(hours * 60)} min"
    if hours < 48:
        return f"{hours:.0f} h"
    return f"{hours / 24:.0f} d"


def _when(value: dt.datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M")


templates.env.filters["age"] = _age
templates.env.filters["when"] = _when
templates.env.filters["zip_labels"] = lambda codes, specs: [(c, specs[c].label) for c in codes]
templates.env.filters["pairs"] = lambda values: [(str(v), str(v)) for v in values]


def page(
    request: Request,
    template: str,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render `template` with the page context every template relies on: `user`,
    `csrf_token`, `nav`, `flash` and `path`."""
    user = getattr(request.state, "web_user", None)
    assert user is None or isinstance(user, WebUser)
    flash = request.cookies.get(FLASH_COOKIE)
    response = templates.TemplateResponse(
        request,
        template,
        {
            "user": user,
            "csrf_token": csrf_token(request),
            "nav": nav_for(user),
            "flash": unquote(flash)[:300] if flash else None,
            "path": request.url.path,
            **context,
        },
        status_code=status_code,
    )
    if flash:
        response.delete_cookie(FLASH_COOKIE, path="/")
    set_anon_csrf_cookie(request, response)
    assert isinstance(response, HTMLResponse)
    return response


def redirect(request: Request, url: str, flash: str | None = None) -> Response:
    """303 to `url` (after a POST), carrying an optional one-time message."""
    response = RedirectResponse(url, status_code=303)
    if flash:
        response.set_cookie(
            FLASH_COOKIE,
            quote(flash[:300]),
            httponly=True,
            samesite="lax",
            secure=secure_cookies(request),
            path="/",
        )
    return response
