"""Passwords and browser logins: set a password, log in, find the login behind a cookie,
log out.

Passwords are hashed with argon2id (argon2-cffi). The session secret in the cookie is random;
only its SHA-256 is stored, so a copy of the database logs nobody in. A failed login is an
event (who tried, which name), and takes the same time whether or not the user exists, so the
answer does not reveal which usernames are real.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select

from shotline.adapters.db import repository
from shotline.adapters.db.models import User, WebSession, Workspace
from shotline.domain.access import Actor, require_role
from shotline.domain.errors import NotFound, PermissionDenied, ShotlineError
from shotline.domain.events import EventKind, NewEvent
from shotline.services.unit_of_work import UnitOfWork
from shotline.services.workspaces import resolve_actor

SESSION_LIFETIME = dt.timedelta(hours=12)
PASSWORD_MIN = 8
PASSWORD_MAX = 1024
USERNAME_MAX = 120
PASSWORD_ROLES = ("admin",)

_hasher = PasswordHasher()
# Verified against when the username is unknown, so that a wrong name costs as much time as
# a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class LoginRefused(PermissionDenied):
    """Wrong username or password: one message for both, on purpose."""


@dataclass(frozen=True)
class Login:
    """A fresh login: the cookie secret (shown once) and the CSRF token of its forms."""

    secret: str
    csrf_token: str
    expires_at: dt.datetime
    actor: Actor


@dataclass(frozen=True)
class SessionUser:
    """Who a cookie belongs to, with the roles held now."""

    actor: Actor
    display_name: str
    csrf_token: str
    expires_at: dt.datetime


def hash_secret(secret: str) -> str:
    """The stored form of a session secret (hex SHA-256)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def check_password_rules(password: str) -> None:
    """Refuse a password too short or too long to be sensible."""
    if len(password) < PASSWORD_MIN:
        raise ShotlineError(f"a password needs at least {PASSWORD_MIN} characters")
    if len(password) > PASSWORD_MAX:
        raise ShotlineError(f"a password may have at most {PASSWORD_MAX} characters")


def _set_hash(uow: UnitOfWork, user: User, password: str) -> None:
    check_password_rules(password)
    user.password_hash = _hasher.hash(password)
    # Every login made with the old password ends with it.
    uow.session.execute(delete(WebSession).where(WebSession.user_id == user.id))


def set_password(
    uow: UnitOfWork, actor: Actor, username: str, password: str, now: dt.datetime
) -> None:
    """Give `username` a new password; an admin may set anyone's in the workspace, anyone
    may set their own. Ends that user's open logins."""
    if username != actor.username:
        require_role(actor, PASSWORD_ROLES, "set other people's passwords")
    user = repository.user_by_name(uow.session, username)
    if user is None or not repository.roles_of(uow.session, actor.workspace_id, user.id):
        raise NotFound(f"user {username!r} has no roles in workspace {actor.workspace}")
    _set_hash(uow, user, password)
    payload = {"username": username}
    uow.record(actor.workspace_id, actor.user_id, now, NewEvent(EventKind.PASSWORD_SET, payload))
    uow.commit()


def _verify(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def login(
    uow: UnitOfWork,
    workspace_slug: str,
    username: str,
    password: str,
    now: dt.datetime,
    client: str | None = None,
) -> Login:
    """Open a session for `username` in the workspace, or refuse with one message whatever
    was wrong (unknown user, no password set, wrong password, no roles here)."""
    workspace = repository.workspace_by_slug(uow.session, workspace_slug)
    if workspace is None:
        raise NotFound(f"no workspace {workspace_slug!r}; run `shotline init` first")
    username = username.strip()[:USERNAME_MAX]
    user = repository.user_by_name(uow.session, username) if username else None
    ok = _verify(user.password_hash if user else None, password[:PASSWORD_MAX])
    roles = repository.roles_of(uow.session, workspace.id, user.id) if user else set()
    if user is None or not ok or not roles:
        payload = {"username": username, "client": client}
        actor_id = user.id if user else None
        uow.record(workspace.id, actor_id, now, NewEvent(EventKind.LOGIN_FAILED, payload))
        uow.commit()
        raise LoginRefused("wrong username or password")
    assert user.password_hash is not None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires = now + SESSION_LIFETIME
    uow.session.add(
        WebSession(
            workspace_id=workspace.id,
            user_id=user.id,
            token_hash=hash_secret(secret),
            csrf_token=csrf,
            created_at=now,
            expires_at=expires,
        )
    )
    # Expired rows of this user go when they log in again: the table stays small without a job.
    uow.session.execute(
        delete(WebSession).where(WebSession.user_id == user.id, WebSession.expires_at <= now)
    )
    payload = {"username": username, "client": client}
    uow.record(workspace.id, user.id, now, NewEvent(EventKind.LOGGED_IN, payload))
    uow.commit()
    return Login(secret, csrf, expires, resolve_actor(uow, workspace.slug, username))


def session_user(uow: UnitOfWork, secret: str, now: dt.datetime) -> SessionUser | None:
    """The live login behind a cookie secret, or None (unknown, expired, or the user lost
    every role in the workspace)."""
    row = uow.session.execute(
        select(WebSession, User, Workspace.slug)
        .join(User, User.id == WebSession.user_id)
        .join(Workspace, Workspace.id == WebSession.workspace_id)
        .where(WebSession.token_hash == hash_secret(secret))
    ).first()
    if row is None:
        return None
    web, user, slug = row
    if web.expires_at <= now:
        return None
    # As resolve_actor, from the rows already read: every page asks this once.
    roles = repository.roles_of(uow.session, web.workspace_id, user.id)
    if not roles:
        return None
    team = repository.team_of(uow.session, web.workspace_id, user.id)
    actor = Actor(
        workspace_id=web.workspace_id,
        workspace=slug,
        user_id=user.id,
        username=user.username,
        roles=frozenset(roles),
        team=team.name if team else None,
        is_vendor=bool(team and team.is_vendor),
    )
    return SessionUser(actor, user.display_name, web.csrf_token, web.expires_at)


def logout(uow: UnitOfWork, secret: str, now: dt.datetime) -> bool:
    """End the login behind a cookie secret; False when there was none."""
    web = uow.session.scalar(select(WebSession).where(WebSession.token_hash == hash_secret(secret)))
    if web is None:
        return False
    user = uow.session.get(User, web.user_id)
    payload = {"username": user.username if user else None}
    uow.record(web.workspace_id, web.user_id, now, NewEvent(EventKind.LOGGED_OUT, payload))
    uow.session.delete(web)
    uow.commit()
    return True
