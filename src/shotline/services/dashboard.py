"""The dashboard summary: the eight questions a creative-ops team asks every morning,
answered with SQL aggregates so it stays fast at catalog scale: the open assets straight from
their table, the 30-day questions from the metric projections (services/projections.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, case, func, or_, select

from shotline.adapters.db.models import (
    Asset,
    CheckResult,
    GateDecision,
    Membership,
    MetricAiVersion,
    MetricHourly,
    Team,
    Version,
)
from shotline.domain.access import Actor
from shotline.domain.calendar import BusinessCalendar
from shotline.domain.errors import PermissionDenied
from shotline.domain.lifecycle import AssetState
from shotline.domain.policy import Policy
from shotline.domain.sla import WORKING_STATES
from shotline.services.policies import load_active_policy
from shotline.services.unit_of_work import UnitOfWork

WINDOW = dt.timedelta(days=30)
_IN_PRODUCTION = tuple(s for s in WORKING_STATES if s not in ("blocked", "on_hold"))


def _by_state(uow: UnitOfWork, actor: Actor) -> dict[str, dict[str, int]]:
    rows = uow.session.execute(
        select(Asset.track, Asset.state, func.count())
        .where(Asset.workspace_id == actor.workspace_id, Asset.state.in_(WORKING_STATES))
        .group_by(Asset.track, Asset.state)
    )
    out: dict[str, dict[str, int]] = {}
    for track, state, n in rows:
        out.setdefault(track, {})[state] = n
    return out


def _review_by_gate(uow: UnitOfWork, actor: Actor) -> dict[str, int]:
    rows = uow.session.execute(
        select(Asset.gate, func.count())
        .where(Asset.workspace_id == actor.workspace_id, Asset.state == AssetState.IN_REVIEW.value)
        .group_by(Asset.gate)
    )
    return {gate or "(none)": n for gate, n in rows}


def _sla(uow: UnitOfWork, actor: Actor, policy: Policy, now: dt.datetime) -> dict[str, int]:
    """Overdue: open and past due. At risk: due before the moment when less than the
    policy's risk share of the track's SLA (business hours) would be left."""
    calendar = BusinessCalendar(policy.calendar)
    share = policy.workflow.sla_risk_share
    at_risk_if = [
        and_(
            Asset.track == track,
            Asset.complexity == cls,
            Asset.due_at < calendar.add_business_hours(now, share * hours),
        )
        for track, spec in policy.tracks.items()
        for cls, hours in spec.sla.items()
    ]
    overdue = case((Asset.due_at < now, 1), else_=0)
    risky = case((and_(Asset.due_at >= now, or_(*at_risk_if)), 1), else_=0)
    row = uow.session.execute(
        select(func.coalesce(func.sum(overdue), 0), func.coalesce(func.sum(risky), 0)).where(
            Asset.workspace_id == actor.workspace_id, Asset.state.in_(WORKING_STATES)
        )
    ).one()
    return {"overdue": int(row[0]), "at_risk": int(row[1])}


def _decided_between(since: dt.datetime, until: dt.datetime | None) -> Any:
    window = GateDecision.decided_at >= since
    return window if until is None else and_(window, GateDecision.decided_at < until)


def _failed_recently(
    uow: UnitOfWork, actor: Actor, since: dt.datetime, until: dt.datetime | None = None
) -> dict[str, Any]:
    """Failed decisions since `since` (and before `until`) by category, straight from
    gate_decisions: the dashboard's definition, which the rollups reproduce."""
    failed = (
        select(Asset.category, func.count())
        .join(GateDecision, GateDecision.asset_id == Asset.id)
        .where(
            GateDecision.workspace_id == actor.workspace_id,
            _decided_between(since, until),
            GateDecision.passed.is_(False),
        )
        .group_by(Asset.category)
        .order_by(func.count().desc())
    )
    by_category = {category: n for category, n in uow.session.execute(failed)}
    return {"failed_decisions": sum(by_category.values()), "by_category": by_category}


def _vendors(
    uow: UnitOfWork, actor: Actor, since: dt.datetime, until: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Teams by first-time pass share of the decisions on their versions (best first),
    straight from gate_decisions."""
    rows = uow.session.execute(
        select(Team.name, func.count(), func.sum(case((GateDecision.passed.is_(True), 1), else_=0)))
        .join(Version, Version.id == GateDecision.version_id)
        .join(
            Membership,
            and_(
                Membership.user_id == Version.uploaded_by_id,
                Membership.workspace_id == GateDecision.workspace_id,
            ),
        )
        .join(Team, Team.id == Membership.team_id)
        .where(GateDecision.workspace_id == actor.workspace_id, _decided_between(since, until))
        .group_by(Team.name)
    )
    teams = [
        {"team": t, "decisions": n, "passed": int(p or 0), "pass_rate": (p or 0) / n}
        for t, n, p in rows
        if n
    ]
    return sorted(teams, key=lambda t: (-t["pass_rate"], t["team"]))


def _ai_workflows(uow: UnitOfWork, actor: Actor, since: dt.datetime) -> list[dict[str, Any]]:
    """AI workflow versions by rejection rate of their versions decided in the window,
    straight from gate_decisions."""
    failed_any = func.max(case((GateDecision.passed.is_(False), 1), else_=0))
    per_version = (
        select(Version.ai_workflow.label("workflow"), failed_any.label("failed"))
        .join(GateDecision, GateDecision.version_id == Version.id)
        .where(
            Version.workspace_id == actor.workspace_id,
            GateDecision.workspace_id == actor.workspace_id,
            Version.kind == "ai",
            GateDecision.decided_at >= since,
        )
        .group_by(Version.id, Version.ai_workflow)
        .subquery()
    )
    rows = uow.session.execute(
        select(per_version.c.workflow, func.count(), func.sum(per_version.c.failed)).group_by(
            per_version.c.workflow
        )
    )
    flows = [{"workflow": w, "versions": n, "rejection_rate": (r or 0) / n} for w, n, r in rows]
    return sorted(flows, key=lambda f: (f["rejection_rate"], f["workflow"] or ""))


# --- The window's questions from the projections (services/projections.py) -----------------
# The window runs from `since` to now and beyond, so whole hours from `since` rounded up come
# from the hourly rollup, and only the part of an hour before that from gate_decisions.


def _first_whole_hour(since: dt.datetime) -> dt.datetime:
    hour = since.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    return hour if hour == since else hour + dt.timedelta(hours=1)


def _hourly(uow: UnitOfWork, actor: Actor, dimension: str, since: dt.datetime) -> Any:
    return uow.session.execute(
        select(MetricHourly.value, func.sum(MetricHourly.decisions), func.sum(MetricHourly.failed))
        .where(
            MetricHourly.workspace_id == actor.workspace_id,
            MetricHourly.dimension == dimension,
            MetricHourly.hour >= _first_whole_hour(since),
        )
        .group_by(MetricHourly.value)
    )


def _failed_by_category(uow: UnitOfWork, actor: Actor, since: dt.datetime) -> dict[str, Any]:
    """As _failed_recently, from the hourly rollup plus the window's first part-hour."""
    edge = _failed_recently(uow, actor, since, _first_whole_hour(since))["by_category"]
    counts: dict[str, int] = dict(edge)
    for category, _, failed in _hourly(uow, actor, "category", since):
        if failed:
            counts[category] = counts.get(category, 0) + int(failed)
    by_category = dict(sorted(counts.items(), key=lambda kv: -kv[1]))
    return {"failed_decisions": sum(by_category.values()), "by_category": by_category}


def _team_pass_rates(uow: UnitOfWork, actor: Actor, since: dt.datetime) -> list[dict[str, Any]]:
    """As _vendors: decisions per uploader from the rollup (plus the first part-hour from
    gate_decisions), summed per team of the uploader's membership now."""
    teams = {
        str(user): name
        for user, name in uow.session.execute(
            select(Membership.user_id, Team.name)
            .join(Team, Team.id == Membership.team_id)
            .where(Membership.workspace_id == actor.workspace_id)
        )
    }
    totals: dict[str, list[int]] = {}
    for team in _vendors(uow, actor, since, _first_whole_hour(since)):
        totals[team["team"]] = [team["decisions"], team["passed"]]
    for uploader, n, failed in _hourly(uow, actor, "uploader", since):
        name = teams.get(uploader)
        if name is None:
            continue
        counts = totals.setdefault(name, [0, 0])
        counts[0] += int(n)
        counts[1] += int(n) - int(failed)
    out = [{"team": t, "decisions": n, "pass_rate": p / n} for t, (n, p) in totals.items() if n]
    return sorted(out, key=lambda t: (-t["pass_rate"], t["team"]))


def _ai_rejections(uow: UnitOfWork, actor: Actor, since: dt.datetime) -> list[dict[str, Any]]:
    """As _ai_workflows, from each AI version's latest decision and latest failed one."""
    failed = case((MetricAiVersion.last_failed_at >= since, 1), else_=0)
    rows = uow.session.execute(
        select(MetricAiVersion.ai_workflow, func.count(), func.sum(failed))
        .where(
            MetricAiVersion.workspace_id == actor.workspace_id,
            MetricAiVersion.last_decided_at >= since,
        )
        .group_by(MetricAiVersion.ai_workflow)
    )
    flows = [{"workflow": w, "versions": n, "rejection_rate": (r or 0) / n} for w, n, r in rows]
    return sorted(flows, key=lambda f: (f["rejection_rate"], f["workflow"] or ""))


def dashboard(uow: UnitOfWork, actor: Actor, now: dt.datetime) -> dict[str, Any]:
    """What is in production, waiting for review, blocked, at risk; what failed QC; which
    categories rework most; which teams and vendors and which AI workflows do best."""
    if actor.is_vendor:
        raise PermissionDenied(f"{actor.username} works for a vendor and cannot read the dashboard")
    policy = load_active_policy(uow, actor.workspace_id).policy
    since = now - WINDOW
    by_state = _by_state(uow, actor)
    blocked = sum(
        n for states in by_state.values() for s, n in states.items() if s in ("blocked", "on_hold")
    )
    in_production = sum(
        n for states in by_state.values() for s, n in states.items() if s in _IN_PRODUCTION
    )
    failed_checks = uow.session.scalar(
        select(func.count(func.distinct(CheckResult.version_id))).where(
            CheckResult.workspace_id == actor.workspace_id,
            CheckResult.measured_at >= since,
            CheckResult.passed.is_(False),
        )
    )
    return {
        "at": now.isoformat(),
        "window_days": WINDOW.days,
        "in_production": {"total": in_production, "by_track_and_state": by_state},
        "waiting_for_review": _review_by_gate(uow, actor),
        "blocked": blocked,
        "sla": _sla(uow, actor, policy, now),
        "failed_qc": {
            "versions_failing_checks": failed_checks or 0,
            **_failed_by_category(uow, actor, since),
        },
        "teams": _team_pass_rates(uow, actor, since),
        "ai_workflows": _ai_rejections(uow, actor, since),
    }
