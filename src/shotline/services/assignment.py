"""Assignment use cases: grant skills, assign work, suggest and auto-assign by skill and load."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from shotline.adapters.db import repository
from shotline.adapters.db.models import (
    Asset,
    Membership,
    RequestLine,
    RoleGrant,
    SkillGrant,
    Team,
    User,
)
from shotline.domain.access import Actor, require_role
from shotline.domain.errors import Conflict, NotFound, ShotlineError
from shotline.domain.events import EventKind, NewEvent
from shotline.domain.lifecycle import CLOSED_STATES, PAUSED_STATES, AssetState
from shotline.domain.policy import Policy
from shotline.domain.sla import (
    Stage,
    needed_skills,
    resolve_stage,
    skill_facts,
    stage_of,
    stage_roles,
)
from shotline.services.assets import AssetKey, find_asset, require_role_strict
from shotline.services.policies import load_active_policy
from shotline.services.queues import queue_order
from shotline.services.unit_of_work import UnitOfWork

_CLOSED = [state.value for state in CLOSED_STATES]


@dataclass(frozen=True)
class Candidate:
    """Someone who could take an asset: their open work, their skills, and what they lack."""

    username: str
    load: int
    skills: list[str]
    missing_skills: list[str]
    team: str | None = None


@dataclass
class _Person:
    user_id: int
    username: str
    team: str | None
    skills: frozenset[str]
    load: int = 0


@dataclass(frozen=True)
class _Target:
    """Who work is assigned to: a user or a team, never both."""

    user_id: int | None
    team_id: int | None
    name: str


def _one_target(username: str | None, team: str | None) -> None:
    if (username is None) == (team is None):
        raise ShotlineError("name either a user or a team, not both and not neither")


def _resolve_target(
    uow: UnitOfWork, actor: Actor, username: str | None, team: str | None
) -> _Target:
    _one_target(username, team)
    if team is not None:
        team_id = uow.session.scalar(
            select(Team.id).where(Team.workspace_id == actor.workspace_id, Team.name == team)
        )
        if team_id is None:
            raise NotFound(f"no team or vendor {team!r} in workspace {actor.workspace}")
        return _Target(None, team_id, team)
    assert username is not None
    user = repository.user_by_name(uow.session, username)
    if user is None or not repository.roles_of(uow.session, actor.workspace_id, user.id):
        raise NotFound(f"user {username!r} has no roles in workspace {actor.workspace}")
    return _Target(user.id, None, username)


def grant_skill(
    uow: UnitOfWork,
    actor: Actor,
    skill: str,
    now: dt.datetime,
    username: str | None = None,
    team: str | None = None,
) -> list[str]:
    """Record that a user, or a whole team or vendor, holds one of the policy's skills.
    Granting a skill already held changes nothing. Returns the holder's skills."""
    policy = load_active_policy(uow, actor.workspace_id).policy
    require_role(actor, policy.workflow.assign_roles, "grant skills")
    if skill not in policy.skills:
        known = ", ".join(policy.skills) or "(the policy names none)"
        raise ShotlineError(f"unknown skill {skill!r}; expected one of {known}")
    target = _resolve_target(uow, actor, username, team)
    held = _granted(uow, actor, target)
    if skill not in held:
        uow.session.add(
            SkillGrant(
                workspace_id=actor.workspace_id,
                user_id=target.user_id,
                team_id=target.team_id,
                skill=skill,
            )
        )
        payload = {"skill": skill, "username": username, "team": team}
        uow.record(
            actor.workspace_id, actor.user_id, now, NewEvent(EventKind.SKILL_GRANTED, payload)
        )
        uow.commit()
        held.add(skill)
    return sorted(held)


def _granted(uow: UnitOfWork, actor: Actor, target: _Target) -> set[str]:
    holder = (
        SkillGrant.user_id == target.user_id
        if target.user_id is not None
        else SkillGrant.team_id == target.team_id
    )
    query = select(SkillGrant.skill).where(SkillGrant.workspace_id == actor.workspace_id, holder)
    return set(uow.session.scalars(query))


@dataclass(frozen=True)
class SkillView:
    skill: str
    label: str
    holders: list[str]


def list_skills(uow: UnitOfWork, actor: Actor) -> list[SkillView]:
    """The policy's skills, each with the users and teams that hold it."""
    policy = load_active_policy(uow, actor.workspace_id).policy
    rows = uow.session.execute(
        select(SkillGrant.skill, User.username, Team.name)
        .outerjoin(User, User.id == SkillGrant.user_id)
        .outerjoin(Team, Team.id == SkillGrant.team_id)
        .where(SkillGrant.workspace_id == actor.workspace_id)
    )
    holders: dict[str, list[str]] = {}
    for skill, username, team in rows:
        holders.setdefault(skill, []).append(username or f"{team} (team)")
    return [
        SkillView(name, spec.label, sorted(holders.get(name, [])))
        for name, spec in policy.skills.items()
    ]


def _names(uow: UnitOfWork, user_ids: Iterable[int], team_ids: Iterable[int]) -> dict[str, str]:
    """Current assignees' names, keyed "u<id>" and "t<id>", for the events' before side."""
    names: dict[str, str] = {}
    if users := set(user_ids):
        rows = uow.session.execute(select(User.id, User.username).where(User.id.in_(users)))
        names |= {f"u{i}": name for i, name in rows}
    if teams := set(team_ids):
        rows = uow.session.execute(select(Team.id, Team.name).where(Team.id.in_(teams)))
        names |= {f"t{i}": name for i, name in rows}
    return names


def _holder(names: dict[str, str], user_id: int | None, team_id: int | None) -> dict[str, str]:
    held = {}
    if user_id is not None:
        held["user"] = names.get(f"u{user_id}", str(user_id))
    if team_id is not None:
        held["team"] = names.get(f"t{team_id}", str(team_id))
    return held


def _assign_rows(
    uow: UnitOfWork, actor: Actor, assets: list[Asset], target: _Target, now: dt.datetime
) -> None:
    """Point each asset at the target, with one ASSIGNED event holding before and after."""
    for asset in assets:
        if AssetState(asset.state) in CLOSED_STATES:
            raise Conflict(
                f"{asset.sku} / {asset.colorway} / {asset.view} is {asset.state}; "
                "closed work cannot be assigned"
            )
    names = _names(
        uow,
        [a.assignee_user_id for a in assets if a.assignee_user_id is not None],
        [a.assignee_team_id for a in assets if a.assignee_team_id is not None],
    )
    after = {"team": target.name} if target.team_id is not None else {"user": target.name}
    for asset in assets:
        before = _holder(names, asset.assignee_user_id, asset.assignee_team_id)
        asset.assignee_user_id, asset.assignee_team_id = target.user_id, target.team_id
        asset.updated_at = now
        payload = {"before": before, "after": after, "state": asset.state}
        event = NewEvent(EventKind.ASSIGNED, payload, asset_id=asset.id)
        uow.record(actor.workspace_id, actor.user_id, now, event)


def assign(
    uow: UnitOfWork,
    actor: Actor,
    keys: list[AssetKey],
    now: dt.datetime,
    username: str | None = None,
    team: str | None = None,
) -> int:
    """Assign assets to a user or to a team or vendor, all or none. Returns how many."""
    policy = load_active_policy(uow, actor.workspace_id).policy
    require_role_strict(actor, policy.workflow.assign_roles, "assign work")
    if not keys:
        raise ShotlineError("name at least one asset to assign")
    target = _resolve_target(uow, actor, username, team)
    assets = {a.id: a for a in (find_asset(uow, actor, key) for key in keys)}
    _assign_rows(uow, actor, list(assets.values()), target, now)
    uow.commit()
    return len(assets)


def _people(uow: UnitOfWork, actor: Actor, roles: tuple[str, ...]) -> list[_Person]:
    """Everyone holding one of the roles, with their skills (own and team's) and open load."""
    rows = uow.session.execute(
        select(User.id, User.username, Team.id, Team.name)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .outerjoin(
            Membership,
            (Membership.user_id == User.id) & (Membership.workspace_id == actor.workspace_id),
        )
        .outerjoin(Team, Team.id == Membership.team_id)
        .where(RoleGrant.workspace_id == actor.workspace_id, RoleGrant.role.in_(roles))
        .distinct()
    )
    found = {uid: (name, tid, team) for uid, name, tid, team in rows}
    held = _skills_held(uow, actor)
    loads = _loads(uow, actor, list(found))
    people = []
    for uid, (name, tid, team) in found.items():
        skills = held.get(("user", uid), set()) | held.get(("team", tid or 0), set())
        people.append(_Person(uid, name, team, frozenset(skills), loads.get(uid, 0)))
    return people


def _skills_held(uow: UnitOfWork, actor: Actor) -> dict[tuple[str, int], set[str]]:
    """Skills by holder: ("user", id) or ("team", id)."""
    grants = uow.session.execute(
        select(SkillGrant.user_id, SkillGrant.team_id, SkillGrant.skill).where(
            SkillGrant.workspace_id == actor.workspace_id
        )
    )
    held: dict[tuple[str, int], set[str]] = {}
    for user_id, team_id, skill in grants:
        holder = ("user", user_id) if user_id is not None else ("team", team_id or 0)
        held.setdefault(holder, set()).add(skill)
    return held


def _loads(uow: UnitOfWork, actor: Actor, user_ids: list[int]) -> dict[int, int]:
    if not user_ids:
        return {}
    rows = uow.session.execute(
        select(Asset.assignee_user_id, func.count())
        .where(
            Asset.workspace_id == actor.workspace_id,
            Asset.assignee_user_id.in_(user_ids),
            Asset.state.not_in(_CLOSED),
        )
        .group_by(Asset.assignee_user_id)
    )
    return {user_id: count for user_id, count in rows if user_id is not None}


def _rank(people: list[_Person], needed: list[str]) -> list[Candidate]:
    """Fully skilled people first, then the least loaded, then by name."""
    candidates = [
        Candidate(
            username=p.username,
            load=p.load,
            skills=sorted(p.skills),
            missing_skills=[skill for skill in needed if skill not in p.skills],
            team=p.team,
        )
        for p in people
    ]
    return sorted(candidates, key=lambda c: (bool(c.missing_skills), c.load, c.username))


def _work_stage(asset: Asset) -> str | None:
    # Paused work goes to whoever picks it up again when it resumes.
    state = asset.state
    if AssetState(state) in PAUSED_STATES and asset.resume_state:
        state = asset.resume_state
    return stage_of(state, asset.gate)


def _needed(policy: Policy, asset: Asset, fields: dict[str, object]) -> list[str]:
    facts = skill_facts(fields, asset.track, asset.complexity, asset.category, asset.view)
    return needed_skills(policy, facts)


def suggest(uow: UnitOfWork, actor: Actor, key: AssetKey, now: dt.datetime) -> list[Candidate]:
    """Who could take the asset at its current stage, best first: those holding every skill
    it needs (a team's skill counts for its members), then the least loaded."""
    policy = load_active_policy(uow, actor.workspace_id).policy
    require_role_strict(actor, policy.workflow.assign_roles, "suggest assignees")
    asset = find_asset(uow, actor, key)
    stage = _work_stage(asset)
    roles = stage_roles(policy, stage, asset.track) if stage else ()
    if not roles:
        raise ShotlineError(f"{key} is {asset.state}: there is no work to assign")
    line = uow.session.get(RequestLine, asset.request_line_id)
    needed = _needed(policy, asset, dict(line.fields) if line else {})
    return _rank(_people(uow, actor, roles), needed)


def auto_assign(
    uow: UnitOfWork,
    actor: Actor,
    track: str,
    stage: str,
    now: dt.datetime,
    limit: int | None = None,
) -> list[tuple[AssetKey, str]]:
    """Assign every unassigned asset of one queue (earliest due first) to the least loaded
    person holding every skill it needs; assets nobody fully fits stay unassigned."""
    policy = load_active_policy(uow, actor.workspace_id).policy
    require_role_strict(actor, policy.workflow.assign_roles, "assign work")
    if track not in policy.tracks:
        raise ShotlineError(f"unknown track {track!r}; expected one of {', '.join(policy.tracks)}")
    query = _unassigned(actor, track, resolve_stage(stage, policy.gates), limit)
    roster = _Roster(uow, actor)
    done: list[tuple[AssetKey, str]] = []
    for asset, fields in uow.session.execute(query).all():
        person = _pick(policy, asset, fields, roster)
        if person is not None:
            target = _Target(person.user_id, None, person.username)
            _assign_rows(uow, actor, [asset], target, now)
            person.load += 1
            done.append((AssetKey(asset.sku, asset.colorway, asset.view), person.username))
    uow.commit()
    return done


def _unassigned(
    actor: Actor, track: str, spec: Stage, limit: int | None
) -> Select[Asset, dict[str, Any]]:
    """A queue's unassigned assets, with their intake fields, earliest due first."""
    query = (
        select(Asset, RequestLine.fields)
        .join(RequestLine, RequestLine.id == Asset.request_line_id)
        .where(
            Asset.workspace_id == actor.workspace_id,
            Asset.track == track,
            Asset.state.in_(spec.states),
            Asset.assignee_user_id.is_(None),
            Asset.assignee_team_id.is_(None),
        )
        .order_by(*queue_order())
        .limit(limit)
    )
    return query if spec.gate is None else query.where(Asset.gate == spec.gate)


class _Roster:
    """People per role set, looked up once; one _Person per user, so a load taken on in one
    stage counts in every other."""

    def __init__(self, uow: UnitOfWork, actor: Actor) -> None:
        self.uow, self.actor = uow, actor
        self.people: dict[int, _Person] = {}
        self.pools: dict[tuple[str, ...], list[int]] = {}

    def pool(self, roles: tuple[str, ...]) -> list[_Person]:
        if roles not in self.pools:
            found = _people(self.uow, self.actor, roles) if roles else []
            for person in found:
                self.people.setdefault(person.user_id, person)
            self.pools[roles] = [person.user_id for person in found]
        return [self.people[user_id] for user_id in self.pools[roles]]


def _pick(
    policy: Policy, asset: Asset, fields: dict[str, object], roster: _Roster
) -> _Person | None:
    """The least loaded person of the asset's stage who holds every skill it needs."""
    stage = _work_stage(asset)
    roles = stage_roles(policy, stage, asset.track) if stage else ()
    needed = set(_needed(policy, asset, fields))
    fit = [p for p in roster.pool(roles) if needed <= p.skills]
    return min(fit, key=lambda p: (p.load, p.username), default=None)
