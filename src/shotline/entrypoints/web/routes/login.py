"""Logging in and out, and the front door (/ sends you to your work)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from shotline.entrypoints.api.deps import NowDep, UowDep, shotline_app
from shotline.entrypoints.web.render import page, redirect
from shotline.entrypoints.web.session import (
    SESSION_COOKIE,
    CsrfDep,
    WebUser,
    WebUserDep,
    optional_web_user,
    secure_cookies,
)
from shotline.services import auth

router = APIRouter(include_in_schema=False)
OptionalUser = Annotated[WebUser | None, Depends(optional_web_user)]


def safe_next(target: str | None) -> str:
    """Only a path on this site: `next` must not send a fresh login to another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/")
def home(user: WebUserDep) -> Response:
    """The front door: everyone starts from their own work."""
    return redirect_to("/work")


def redirect_to(url: str) -> Response:
    """A plain 303 (no message)."""
    return RedirectResponse(url, status_code=303)


@router.get("/login")
def login_form(request: Request, user: OptionalUser, next: str = "/") -> Response:
    """The login form (a logged-in visitor goes straight on)."""
    if user is not None:
        return redirect_to(safe_next(next))
    return page(request, "login.html", next=safe_next(next), username="", error=None)


@router.post("/login", dependencies=[CsrfDep])
def login_submit(
    request: Request,
    uow: UowDep,
    now: NowDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the password and open a session; a refusal shows the form again."""
    workspace = shotline_app(request).settings.workspace
    client = request.client.host if request.client else None
    try:
        done = auth.login(uow, workspace, username, password, now, client=client)
    except auth.LoginRefused as exc:
        return page(
            request,
            "login.html",
            status_code=401,
            next=safe_next(next),
            username=username,
            error=str(exc),
        )
    response = redirect_to(safe_next(next))
    response.set_cookie(
        SESSION_COOKIE,
        done.secret,
        max_age=int(auth.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
        path="/",
    )
    return response


@router.post("/logout", dependencies=[CsrfDep])
def logout(request: Request, uow: UowDep, now: NowDep) -> Response:
    """End this login (the session row is deleted) and go back to the login form."""
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        auth.logout(uow, secret, now)
    response = redirect(request, "/login", flash="You are logged out.")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
