"""API tokens: a bearer secret that lets a program act as one user in one workspace.

The secret is shown once, when it is made; only its SHA-256 is stored, so a copy of the
database (or a backup) lets nobody in. The roles are read afresh on every use, so taking a
role away from a person takes it away from their tokens too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from shotline.adapters.db.models import ApiToken, User, Workspace
from shotline.domain.access import Actor
from shotline.domain.errors import Conflict, NotFound, PermissionDenied, ShotlineError
from shotline.domain.events import EventKind, NewEvent
from shotline.services.unit_of_work import UnitOfWork
from shotline.services.workspaces import resolve_actor

PREFIX = "sl_"
ADMIN = "admin"
NAME_MAX = 120
# Writing last_used_at on every request would turn each read into a write; a minute is
# precise enough to tell a live token from a forgotten one.
TOUCH_EVERY = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class TokenView:
    """A token as lists show it: never the secret, never the hash."""

    id: int
    name: str
    username: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


def hash_secret(secret: str) -> str:
    """The stored form of a secret (hex SHA-256)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(uow: UnitOfWork, actor: Actor, name: str, now: dt.datetime) -> str:
    """Make a token that acts as `actor`; returns the secret, which is not kept anywhere."""
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise ShotlineError(f"a token needs a name of 1 to {NAME_MAX} characters")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        workspace_id=actor.workspace_id,
        user_id=actor.user_id,
        name=name,
        token_hash=hash_secret(secret),
        created_at=now,
    )
    uow.session.add(token)
    uow.session.flush()
    payload = {"token_id": token.id, "name": name, "user": actor.username}
    uow.record(actor.workspace_id, actor.user_id, now, NewEvent(EventKind.TOKEN_CREATED, payload))
    uow.commit()
    return secret


def list_tokens(uow: UnitOfWork, actor: Actor) -> list[TokenView]:
    """The actor's own tokens; an admin sees every token of the workspace."""
    query = (
        select(ApiToken, User.username)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.workspace_id == actor.workspace_id)
        .order_by(ApiToken.id)
    )
    if ADMIN not in actor.roles:
        query = query.where(ApiToken.user_id == actor.user_id)
    return [
        TokenView(t.id, t.name, username, t.created_at, t.last_used_at, t.revoked_at)
        for t, username in uow.session.execute(query)
    ]


def revoke_token(uow: UnitOfWork, actor: Actor, token_id: int, now: dt.datetime) -> TokenView:
    """Stop a token working from now on. Its owner or an admin may revoke it."""
    token = uow.session.get(ApiToken, token_id)
    if token is None or not _may_manage(actor, token):
        # Someone else's token is reported as missing: its existence is not the actor's business.
        raise NotFound(f"no token {token_id} of yours in workspace {actor.workspace}")
    if token.revoked_at is not None:
        raise Conflict(f"token {token_id} ({token.name}) was already revoked")
    token.revoked_at = now
    owner = uow.session.get(User, token.user_id)
    username = owner.username if owner else ""
    payload = {"token_id": token.id, "name": token.name, "user": username}
    uow.record(actor.workspace_id, actor.user_id, now, NewEvent(EventKind.TOKEN_REVOKED, payload))
    uow.commit()
    return TokenView(token.id, token.name, username, token.created_at, token.last_used_at, now)


def _may_manage(actor: Actor, token: ApiToken) -> bool:
    same_workspace = token.workspace_id == actor.workspace_id
    return same_workspace and (token.user_id == actor.user_id or ADMIN in actor.roles)


def actor_for_token(uow: UnitOfWork, secret: str, now: dt.datetime) -> Actor:
    """Who a bearer secret acts as. NotFound for an unknown secret, PermissionDenied for a
    revoked one; notes the time of use (at most once a minute)."""
    token = None
    if secret.startswith(PREFIX):
        token = uow.session.scalar(
            select(ApiToken).where(ApiToken.token_hash == hash_secret(secret))
        )
    if token is None:
        raise NotFound("unknown API token")
    if token.revoked_at is not None:
        raise PermissionDenied(f"API token {token.name!r} was revoked")
    workspace = uow.session.get(Workspace, token.workspace_id)
    user = uow.session.get(User, token.user_id)
    assert workspace is not None and user is not None  # foreign keys guarantee both
    actor = resolve_actor(uow, workspace.slug, user.username)
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        token.last_used_at = now
        uow.commit()
    return actor
