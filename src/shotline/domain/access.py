"""Who is acting, and the role checks every service makes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from shotline.domain.errors import PermissionDenied


@dataclass(frozen=True)
class Actor:
    """A user acting inside one workspace, with the roles granted there."""

    workspace_id: int
    workspace: str
    user_id: int
    username: str
    roles: frozenset[str]
    team: str | None = None
    is_vendor: bool = False

    def has_any(self, roles: Iterable[str]) -> bool:
        """True when the actor holds at least one of `roles` (admin holds all)."""
        return "admin" in self.roles or bool(self.roles & set(roles))


def require_role(actor: Actor, roles: Iterable[str], action: str) -> None:
    """Refuse the action unless the actor holds one of the roles."""
    allowed = sorted(set(roles))
    if not actor.has_any(allowed):
        raise PermissionDenied(
            f"{actor.username} cannot {action} in workspace {actor.workspace}: "
            f"needs one of the roles {', '.join(allowed)}"
        )
