"""Queries the services share. Every query is scoped to one workspace."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from shotline.adapters.db.models import (
    Asset,
    Membership,
    PolicyVersion,
    RoleGrant,
    Team,
    User,
    Workspace,
)
from shotline.domain.lifecycle import CLOSED_STATES

_CHUNK = 500  # keeps IN (...) lists well under every backend's parameter limit


def workspace_by_slug(session: Session, slug: str) -> Workspace | None:
    return session.scalar(select(Workspace).where(Workspace.slug == slug))


def user_by_name(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def roles_of(session: Session, workspace_id: int, user_id: int) -> set[str]:
    rows = session.scalars(
        select(RoleGrant.role).where(
            RoleGrant.workspace_id == workspace_id, RoleGrant.user_id == user_id
        )
    )
    return set(rows)


def team_of(session: Session, workspace_id: int, user_id: int) -> Team | None:
    return session.scalar(
        select(Team)
        .join(Membership, Membership.team_id == Team.id)
        .where(Membership.workspace_id == workspace_id, Membership.user_id == user_id)
    )


def active_policy(session: Session, workspace_id: int) -> PolicyVersion | None:
    return session.scalar(
        select(PolicyVersion).where(
            PolicyVersion.workspace_id == workspace_id, PolicyVersion.is_active.is_(True)
        )
    )


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def open_colorways(
    session: Session, workspace_id: int, skus: Iterable[str]
) -> set[tuple[str, str]]:
    """(sku, colorway) pairs among `skus` that still have work in progress."""
    closed = [state.value for state in CLOSED_STATES]
    found: set[tuple[str, str]] = set()
    for chunk in _chunks(sorted(set(skus))):
        rows = session.execute(
            select(Asset.sku, Asset.colorway)
            .where(
                Asset.workspace_id == workspace_id,
                Asset.sku.in_(chunk),
                Asset.state.not_in(closed),
            )
            .distinct()
        )
        found.update((sku, colorway) for sku, colorway in rows)
    return found
