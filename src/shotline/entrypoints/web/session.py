"""Who is logged in, and the CSRF check every form makes.

A login is a row of `web_sessions` (services/auth.py); the browser holds its random secret in
an HttpOnly, SameSite=Lax cookie (Secure over https, or always when SHOTLINE_SECURE_COOKIES=1).
Forms echo a CSRF token: the login's own token once logged in, and before that (the login
form) a random token that must match a cookie of the same value (double submit).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.responses import Response

from shotline.domain.access import Actor
from shotline.entrypoints.api.deps import NowDep, UowDep
from shotline.services import auth

SESSION_COOKIE = "shotline_session"
CSRF_COOKIE = "shotline_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_UNSET = object()


@dataclass(frozen=True)
class WebUser:
    """The person behind this request's login, as pages see them."""

    user_id: int
    username: str
    display_name: str
    actor: Actor
    roles: frozenset[str]
    team: str | None
    is_vendor: bool

    def has_any(self, roles: Iterable[str]) -> bool:
        """True when the user holds one of `roles` (admin holds all)."""
        return self.actor.has_any(roles)


class LoginRequired(Exception):
    """No live login: the page answers with a redirect to /login?next=<this page>."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class WebForbidden(Exception):
    """The user is logged in but lacks the role: the page answers 403 with the reason."""


class CsrfRefused(Exception):
    """A form arrived without the token this login issued: refused with 403."""


def secure_cookies(request: Request) -> bool:
    """Mark cookies Secure when served over https or when the settings say so."""
    forced = bool(getattr(request.app.state, "web_secure_cookies", False))
    return forced or request.url.scheme == "https"


def _session_user(request: Request, uow: UowDep, now: NowDep) -> auth.SessionUser | None:
    cached = getattr(request.state, "web_session", _UNSET)
    if cached is not _UNSET:
        assert cached is None or isinstance(cached, auth.SessionUser)
        return cached
    secret = request.cookies.get(SESSION_COOKIE)
    found = auth.session_user(uow, secret, now) if secret else None
    request.state.web_session = found
    return found


SessionDep = Annotated[auth.SessionUser | None, Depends(_session_user)]


def _web_user(found: auth.SessionUser) -> WebUser:
    actor = found.actor
    return WebUser(
        user_id=actor.user_id,
        username=actor.username,
        display_name=found.display_name,
        actor=actor,
        roles=actor.roles,
        team=actor.team,
        is_vendor=actor.is_vendor,
    )


def _here(request: Request) -> str:
    url = request.url.path
    return url + (f"?{request.url.query}" if request.url.query else "")


def login_url(next_url: str | None) -> str:
    """/login, with the page to come back to."""
    return "/login" + (f"?next={quote(next_url, safe='/')}" if next_url else "")


def optional_web_user(request: Request, found: SessionDep) -> WebUser | None:
    """The logged-in user, or None (for pages such as /login that work either way)."""
    user = _web_user(found) if found is not None else None
    request.state.web_user = user
    return user


def current_web_user(request: Request, found: SessionDep) -> WebUser:
    """The logged-in user; anyone else is sent to /login and brought back afterwards."""
    user = optional_web_user(request, found)
    if user is None:
        raise LoginRequired(_here(request))
    return user


WebUserDep = Annotated[WebUser, Depends(current_web_user)]


def requires(*roles: str, staff: bool = False) -> Callable[[WebUser], WebUser]:
    """A dependency: the logged-in user, holding one of `roles` (any role when none is
    given); `staff=True` also refuses vendor users, for workspace-wide pages."""

    def check(user: WebUserDep) -> WebUser:
        if roles and not user.has_any(roles):
            raise WebForbidden(f"{user.username} needs one of the roles {', '.join(sorted(roles))}")
        if staff and user.is_vendor:
            raise WebForbidden(
                f"{user.username} works for a vendor and sees only its own work (My work, Queues)"
            )
        return user

    return check


def csrf_token(request: Request) -> str:
    """The token this request's forms must carry: the login's, or (logged out) a fresh
    double-submit token that `render.page` also puts in a cookie."""
    found = getattr(request.state, "web_session", None)
    if isinstance(found, auth.SessionUser):
        return found.csrf_token
    token = getattr(request.state, "anon_csrf", None) or request.cookies.get(CSRF_COOKIE)
    if not token or len(token) > 100:
        token = secrets.token_urlsafe(32)
        request.state.new_anon_csrf = token
    request.state.anon_csrf = token
    assert isinstance(token, str)
    return token


def set_anon_csrf_cookie(request: Request, response: Response) -> None:
    """Send the double-submit cookie when `csrf_token` just made one."""
    token = getattr(request.state, "new_anon_csrf", None)
    if token:
        response.set_cookie(
            CSRF_COOKIE,
            token,
            httponly=True,
            samesite="lax",
            secure=secure_cookies(request),
            path="/",
        )


async def verify_csrf(request: Request, found: SessionDep) -> None:
    """Refuse a POST whose form field `csrf_token` (or header X-CSRF-Token) does not match
    the login's token, or for a logged-out form, the CSRF cookie."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    expected = found.csrf_token if found is not None else request.cookies.get(CSRF_COOKIE)
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        raise CsrfRefused("the form's security token is missing or stale; reload the page")


CsrfDep = Depends(verify_csrf)
