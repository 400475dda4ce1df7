"""Policy use cases: check a policy file, activate a new version, read the active one."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from sqlalchemy import func, select, update

from shotline.adapters.db import repository
from shotline.adapters.db.models import PolicyVersion
from shotline.domain.access import Actor, require_role
from shotline.domain.errors import NotFound
from shotline.domain.events import EventKind, NewEvent
from shotline.domain.policy import Policy, parse_policy
from shotline.services.unit_of_work import UnitOfWork

POLICY_ROLES = ("admin", "creative_ops_manager")


@dataclass(frozen=True)
class ActivePolicy:
    """The policy a workspace runs on now, with its stored version number."""

    id: int
    version: int
    policy: Policy
    source: str


def default_policy_text() -> str:
    """The shipped default policy (YAML)."""
    return files("shotline.policies").joinpath("default.yaml").read_text(encoding="utf-8")


def check_policy(text: str, source: str) -> Policy:
    """Validate policy text; raises PolicyError listing every problem with its path."""
    return parse_policy(text, source)


def store_policy(
    uow: UnitOfWork,
    workspace_id: int,
    actor_id: int | None,
    text: str,
    source: str,
    now: dt.datetime,
) -> PolicyVersion:
    """Validate and store a new active version (the caller owns the transaction)."""
    policy = parse_policy(text, source)
    session = uow.session
    latest = session.scalar(
        select(func.max(PolicyVersion.version)).where(PolicyVersion.workspace_id == workspace_id)
    )
    session.execute(
        update(PolicyVersion)
        .where(PolicyVersion.workspace_id == workspace_id)
        .values(is_active=False)
    )
    row = PolicyVersion(
        workspace_id=workspace_id,
        version=(latest or 0) + 1,
        name=policy.name,
        source=text,
        checksum=hashlib.sha256(text.encode()).hexdigest(),
        is_active=True,
        created_at=now,
        created_by_id=actor_id,
    )
    session.add(row)
    session.flush()
    uow.cache.pop(("policy", workspace_id), None)
    payload = {"version": row.version, "name": policy.name, "checksum": row.checksum}
    uow.record(workspace_id, actor_id, now, NewEvent(EventKind.POLICY_ACTIVATED, payload))
    return row


def activate_policy(uow: UnitOfWork, actor: Actor, text: str, source: str, now: dt.datetime) -> int:
    """Make `text` the workspace's active policy; returns its new version number."""
    require_role(actor, POLICY_ROLES, "change the policy")
    row = store_policy(uow, actor.workspace_id, actor.user_id, text, source, now)
    uow.commit()
    return row.version


@lru_cache(maxsize=32)
def _parsed(checksum: str, source: str, label: str) -> Policy:
    # Policies are immutable once stored and the model is frozen, so one parse per checksum
    # serves every use case (replaying 100k actions would otherwise parse YAML 100k times).
    return parse_policy(source, label)


def load_active_policy(uow: UnitOfWork, workspace_id: int) -> ActivePolicy:
    """The active policy, parsed. Stored policies were valid when stored."""
    cached = uow.cache.get(("policy", workspace_id))
    if isinstance(cached, ActivePolicy):
        return cached
    row = repository.active_policy(uow.session, workspace_id)
    if row is None:
        raise NotFound("this workspace has no active policy; run `shotline init`")
    policy = _parsed(row.checksum, row.source, f"policy v{row.version}")
    active = ActivePolicy(row.id, row.version, policy, row.source)
    uow.cache[("policy", workspace_id)] = active
    return active
