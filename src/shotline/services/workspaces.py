"""Workspace, user and team use cases, and resolving who is acting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from shotline.adapters.db import repository
from shotline.adapters.db.models import Membership, RoleGrant, Team, User, Workspace
from shotline.domain.access import Actor, require_role
from shotline.domain.errors import Conflict, NotFound, ShotlineError
from shotline.domain.events import EventKind, NewEvent
from shotline.services.policies import default_policy_text, load_active_policy, store_policy
from shotline.services.unit_of_work import UnitOfWork

ADMIN_USER = "admin"
USER_ROLES = ("admin",)


@dataclass(frozen=True)
class InitResult:
    workspace: str
    created: bool
    policy_version: int


def initialise_workspace(
    uow: UnitOfWork,
    slug: str,
    name: str,
    now: dt.datetime,
    policy_text: str | None = None,
    policy_source: str = "default policy",
) -> InitResult:
    """Create the workspace with its first policy and an admin user; a no-op if it exists."""
    existing = repository.workspace_by_slug(uow.session, slug)
    if existing is not None:
        version = load_active_policy(uow, existing.id).version
        return InitResult(slug, created=False, policy_version=version)
    workspace = Workspace(slug=slug, name=name, created_at=now)
    uow.session.add(workspace)
    uow.session.flush()
    uow.record(workspace.id, None, now, NewEvent(EventKind.WORKSPACE_CREATED, {"slug": slug}))
    admin = _get_or_create_user(uow, ADMIN_USER, "Administrator", now)
    _grant(uow, workspace.id, admin.id, ["admin"])
    uow.session.add(Membership(workspace_id=workspace.id, user_id=admin.id))
    text = policy_text if policy_text is not None else default_policy_text()
    row = store_policy(uow, workspace.id, admin.id, text, policy_source, now)
    uow.commit()
    return InitResult(slug, created=True, policy_version=row.version)


def _get_or_create_user(uow: UnitOfWork, username: str, display: str, now: dt.datetime) -> User:
    user = repository.user_by_name(uow.session, username)
    if user is None:
        user = User(username=username, display_name=display, created_at=now)
        uow.session.add(user)
        uow.session.flush()
    return user


def _grant(uow: UnitOfWork, workspace_id: int, user_id: int, roles: Iterable[str]) -> None:
    have = repository.roles_of(uow.session, workspace_id, user_id)
    for role in sorted(set(roles) - have):
        uow.session.add(RoleGrant(workspace_id=workspace_id, user_id=user_id, role=role))


def resolve_actor(uow: UnitOfWork, workspace_slug: str, username: str) -> Actor:
    """The user `username` acting in `workspace_slug`; refused if not a member there."""
    workspace = repository.workspace_by_slug(uow.session, workspace_slug)
    if workspace is None:
        raise NotFound(f"no workspace {workspace_slug!r}; run `shotline init` first")
    user = repository.user_by_name(uow.session, username)
    roles = repository.roles_of(uow.session, workspace.id, user.id) if user else set()
    if user is None or not roles:
        raise NotFound(f"user {username!r} has no roles in workspace {workspace_slug!r}")
    team = repository.team_of(uow.session, workspace.id, user.id)
    return Actor(
        workspace_id=workspace.id,
        workspace=workspace.slug,
        user_id=user.id,
        username=user.username,
        roles=frozenset(roles),
        team=team.name if team else None,
        is_vendor=bool(team and team.is_vendor),
    )


def add_user(
    uow: UnitOfWork,
    actor: Actor,
    username: str,
    roles: Iterable[str],
    now: dt.datetime,
    team: str | None = None,
    vendor: bool = False,
    display_name: str | None = None,
) -> Actor:
    """Give `username` roles in the actor's workspace (creating the user and team if new)."""
    require_role(actor, USER_ROLES, "manage users")
    roles = sorted(set(roles))
    policy = load_active_policy(uow, actor.workspace_id).policy
    unknown = [r for r in roles if r not in policy.roles]
    if unknown or not roles:
        raise ShotlineError(
            f"unknown role(s) {', '.join(unknown) or '(none given)'}; "
            f"expected some of {', '.join(policy.roles)}"
        )
    user = _get_or_create_user(uow, username, display_name or username, now)
    _grant(uow, actor.workspace_id, user.id, roles)
    team_row = _team(uow, actor, team, vendor, now) if team else None
    _membership(uow, actor.workspace_id, user.id, team_row)
    payload = {"username": username, "roles": roles, "team": team, "vendor": vendor}
    uow.record(actor.workspace_id, actor.user_id, now, NewEvent(EventKind.USER_ADDED, payload))
    uow.commit()
    return resolve_actor(uow, actor.workspace, username)


def _team(uow: UnitOfWork, actor: Actor, name: str, vendor: bool, now: dt.datetime) -> Team:
    team = uow.session.scalar(
        select(Team).where(Team.workspace_id == actor.workspace_id, Team.name == name)
    )
    if team is None:
        team = Team(workspace_id=actor.workspace_id, name=name, is_vendor=vendor, created_at=now)
        uow.session.add(team)
        uow.session.flush()
        payload = {"team": name, "vendor": vendor}
        uow.record(actor.workspace_id, actor.user_id, now, NewEvent(EventKind.TEAM_ADDED, payload))
    elif team.is_vendor != vendor:
        kind = "a vendor" if team.is_vendor else "an internal team"
        raise Conflict(f"team {name!r} already exists as {kind}")
    return team


def _membership(uow: UnitOfWork, workspace_id: int, user_id: int, team: Team | None) -> None:
    member = uow.session.scalar(
        select(Membership).where(
            Membership.workspace_id == workspace_id, Membership.user_id == user_id
        )
    )
    if member is None:
        uow.session.add(
            Membership(
                workspace_id=workspace_id, user_id=user_id, team_id=team.id if team else None
            )
        )
    elif team is not None:
        member.team_id = team.id


@dataclass(frozen=True)
class MemberView:
    username: str
    roles: list[str]
    team: str | None
    vendor: bool


def list_members(uow: UnitOfWork, actor: Actor) -> list[MemberView]:
    """Everyone with roles in the actor's workspace, and only there."""
    rows = uow.session.execute(
        select(User.username, RoleGrant.role, Team.name, Team.is_vendor)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .join(
            Membership,
            (Membership.user_id == User.id) & (Membership.workspace_id == RoleGrant.workspace_id),
            isouter=True,
        )
        .join(Team, Team.id == Membership.team_id, isouter=True)
        .where(RoleGrant.workspace_id == actor.workspace_id)
        .order_by(User.username, RoleGrant.role)
    )
    members: dict[str, MemberView] = {}
    for username, role, team, vendor in rows:
        view = members.setdefault(username, MemberView(username, [], team, bool(vendor)))
        view.roles.append(role)
    return list(members.values())
