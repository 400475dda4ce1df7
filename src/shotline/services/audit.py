"""The self-audit: measure the workspace with SQL counts, then let the domain answer the
seed's checklist from those facts and the active policy (domain/audit.py)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import Select, and_, case, distinct, func, select
from sqlalchemy.orm import Session

from shotline.adapters.db.models import (
    Asset,
    CheckResult,
    Event,
    GateDecision,
    Membership,
    ProcessException,
    Request,
    RequestLine,
    Team,
    Version,
)
from shotline.domain import audit
from shotline.domain.access import Actor
from shotline.domain.errors import PermissionDenied
from shotline.domain.events import EventKind as K
from shotline.domain.lifecycle import AssetState as S
from shotline.domain.review import FINAL_QC
from shotline.services.policies import load_active_policy
from shotline.services.unit_of_work import UnitOfWork

_APPROVED_OR_LATER = (S.APPROVED.value, S.DELIVERED.value, S.LIVE.value)
_CLOSED = (S.DELIVERED.value, S.LIVE.value, S.CANCELLED.value)
_GRANTED = "granted"


def _count(session: Session, query: Select[int]) -> int:
    return int(session.scalar(query) or 0)


def _grouped(session: Session, query: Select[str, int]) -> dict[str, int]:
    return {str(key): int(n) for key, n in session.execute(query)}


def _intake(session: Session, ws: int) -> dict[str, Any]:
    requests = session.execute(
        select(func.count(), func.coalesce(func.sum(case((Request.state == "needs_info", 1))), 0))
        .select_from(Request)
        .where(Request.workspace_id == ws)
    ).one()
    lines = _grouped(
        session,
        select(RequestLine.status, func.count())
        .where(RequestLine.workspace_id == ws)
        .group_by(RequestLine.status),
    )
    with_deadline = select(func.count()).where(
        RequestLine.workspace_id == ws,
        RequestLine.status == "accepted",
        RequestLine.deadline.is_not(None),
    )
    return {
        "requests": int(requests[0]),
        "requests_needs_info": int(requests[1]),
        "lines_accepted": lines.get("accepted", 0),
        "lines_rejected": lines.get("rejected", 0),
        "lines_with_deadline": _count(session, with_deadline),
    }


def _assets(session: Session, ws: int) -> dict[str, Any]:
    mine = Asset.workspace_id == ws
    views: dict[str, dict[str, int]] = {}
    for category, view, n in session.execute(
        select(Asset.category, Asset.view, func.count())
        .where(mine)
        .group_by(Asset.category, Asset.view)
    ):
        views.setdefault(category, {})[view] = int(n)
    approved = session.execute(
        select(func.count(), func.count(Asset.current_version_id)).where(
            mine, Asset.state.in_(_APPROVED_OR_LATER)
        )
    ).one()
    states = _grouped(session, select(Asset.state, func.count()).where(mine).group_by(Asset.state))
    return {
        "assets": sum(states.values()),
        "views": views,
        "asset_states": states,
        "asset_tracks": _grouped(
            session, select(Asset.track, func.count()).where(mine).group_by(Asset.track)
        ),
        "assets_approved_now": int(approved[0]),
        "approved_with_version": int(approved[1]),
    }


def _granted_exceptions(session: Session, ws: int, kind: str) -> list[list[Any]]:
    return list(
        session.scalars(
            select(ProcessException.asset_ids).where(
                ProcessException.workspace_id == ws,
                ProcessException.kind == kind,
                ProcessException.status == _GRANTED,
            )
        )
    )


def _exceptions(session: Session, ws: int) -> dict[str, Any]:
    by_month: dict[str, Counter[str]] = {}
    for kind, at in session.execute(
        select(ProcessException.kind, ProcessException.requested_at).where(
            ProcessException.workspace_id == ws
        )
    ):
        by_month.setdefault(at.strftime("%Y-%m"), Counter())[kind] += 1
    skips = _granted_exceptions(session, ws, "skip_intake")
    return {
        "exceptions_by_month": {month: dict(kinds) for month, kinds in by_month.items()},
        "skip_intake_granted": len(skips),
        "assets_skipping_intake": len({i for ids in skips for i in ids}),
        "old_naming_granted": len(_granted_exceptions(session, ws, "old_naming")),
    }


def _versions(session: Session, ws: int) -> dict[str, Any]:
    mine = Version.workspace_id == ws
    superseded = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((Version.stage == "archive", 1))), 0),
        )
        .select_from(Version)
        .join(Asset, Asset.id == Version.asset_id)
        .where(mine, Version.number < Asset.version_count)
    ).one()
    ai = Version.kind == "ai"
    workflows = session.scalars(
        select(Version.ai_workflow).where(mine, ai, Version.ai_workflow.is_not(None)).distinct()
    )
    checks = session.execute(
        select(func.count(), func.count(distinct(CheckResult.version_id))).where(
            CheckResult.workspace_id == ws
        )
    ).one()
    return {
        "versions_by_kind": _grouped(
            session, select(Version.kind, func.count()).where(mine).group_by(Version.kind)
        ),
        "versions_by_stage": _grouped(
            session, select(Version.stage, func.count()).where(mine).group_by(Version.stage)
        ),
        "files": _count(session, select(func.count(distinct(Version.sha256))).where(mine)),
        "superseded_versions": int(superseded[0]),
        "superseded_archived": int(superseded[1]),
        "costed_versions": _count(
            session, select(func.count()).where(mine, Version.cost.is_not(None))
        ),
        "ai_workflows": tuple(sorted(w for w in workflows if w)),
        "ai_versions_named": _count(
            session, select(func.count()).where(mine, ai, Version.ai_workflow.contains("@"))
        ),
        "check_results": int(checks[0]),
        "versions_checked": int(checks[1]),
    }


def _decisions(session: Session, ws: int) -> dict[str, Any]:
    mine = GateDecision.workspace_id == ws
    cited: Counter[str] = Counter()
    ai_cited: Counter[str] = Counter()
    failed = with_defects = 0
    for defects, kind in session.execute(
        select(GateDecision.defects, Version.kind)
        .join(Version, Version.id == GateDecision.version_id)
        .where(mine, GateDecision.passed.is_(False))
    ):
        failed += 1
        with_defects += bool(defects)
        cited.update(defects)
        if kind == "ai":
            ai_cited.update(defects)
    ai_decided = (
        select(func.count(distinct(GateDecision.version_id)))
        .join(Version, Version.id == GateDecision.version_id)
        .where(mine, Version.kind == "ai")
    )
    return {
        "decisions": _count(session, select(func.count()).where(mine)),
        "failed_decisions": failed,
        "failed_with_defects": with_defects,
        "defects_cited": dict(cited),
        "ai_defects": dict(ai_cited),
        "costed_decisions": _count(
            session, select(func.count()).where(mine, GateDecision.cost.is_not(None))
        ),
        "assets_decided": _count(
            session, select(func.count(distinct(GateDecision.asset_id))).where(mine)
        ),
        "assets_reworked": _count(
            session,
            select(func.count(distinct(GateDecision.asset_id))).where(
                mine, GateDecision.passed.is_(False)
            ),
        ),
        "ai_versions_reviewed": _count(session, ai_decided),
        "ai_versions_rejected": _count(session, ai_decided.where(GateDecision.passed.is_(False))),
    }


def _ai_outputs(session: Session, ws: int) -> dict[str, Any]:
    """Approved (or delivered, or live) assets whose version is AI output, and how many of
    those versions passed a human final QC decision."""
    human_qc = and_(
        GateDecision.version_id == Version.id,
        GateDecision.gate == FINAL_QC,
        GateDecision.passed.is_(True),
    )
    row = session.execute(
        select(func.count(Asset.id), func.count(GateDecision.id))
        .select_from(Asset)
        .join(Version, Version.id == Asset.current_version_id)
        .outerjoin(GateDecision, human_qc)
        .where(Asset.workspace_id == ws, Asset.state.in_(_APPROVED_OR_LATER), Version.kind == "ai")
    ).one()
    return {"ai_outputs_approved": int(row[0]), "ai_outputs_human_qc": int(row[1])}


def _events(session: Session, ws: int) -> dict[str, Any]:
    mine = Event.workspace_id == ws

    def assets_with(kind: K) -> Select[Any]:
        return select(Event.asset_id).where(mine, Event.kind == kind.value).distinct()

    failed = select(GateDecision.asset_id).where(
        GateDecision.workspace_id == ws, GateDecision.passed.is_(False)
    )
    # Approved by passing the last gate, or by a granted bypass of it (no gate left after).
    next_gate = Event.payload["next_gate"].as_string()
    last_bypassed = (Event.kind == K.GATE_BYPASSED.value) & next_gate.is_(None)
    approved = (
        select(Event.asset_id)
        .where(mine, (Event.kind == K.APPROVED.value) | last_bypassed)
        .distinct()
        .subquery()
    )
    return {
        "events": _grouped(
            session, select(Event.kind, func.count()).where(mine).group_by(Event.kind)
        ),
        "assets_approved_ever": _count(session, select(func.count()).select_from(approved)),
        "approved_first_pass": _count(
            session,
            select(func.count()).select_from(approved).where(approved.c.asset_id.not_in(failed)),
        ),
        "assets_delivered": _count(
            session, select(func.count()).select_from(assets_with(K.DELIVERED).subquery())
        ),
        "assets_live": _count(
            session, select(func.count()).select_from(assets_with(K.LIVE).subquery())
        ),
    }


def _timeliness(session: Session, ws: int, now: dt.datetime) -> dict[str, Any]:
    """SLA hits over every asset due or delivered (cancelled left out), and open work."""
    first = (
        select(Event.asset_id, func.min(Event.at).label("at"))
        .where(Event.workspace_id == ws, Event.kind == K.DELIVERED.value)
        .group_by(Event.asset_id)
        .subquery()
    )
    sla = session.execute(
        select(func.count(), func.coalesce(func.sum(case((first.c.at <= Asset.due_at, 1))), 0))
        .select_from(Asset)
        .outerjoin(first, first.c.asset_id == Asset.id)
        .where(
            Asset.workspace_id == ws,
            Asset.state != S.CANCELLED.value,
            (first.c.at.is_not(None)) | (Asset.due_at < now),
        )
    ).one()
    since = func.min(func.coalesce(Asset.state_since, Asset.created_at))
    open_ = session.execute(
        select(
            func.count(), func.coalesce(func.sum(case((Asset.due_at < now, 1))), 0), since
        ).where(Asset.workspace_id == ws, Asset.state.not_in(_CLOSED))
    ).one()
    oldest = (now - open_[2]).total_seconds() / 3600 if open_[2] is not None else None
    return {
        "sla_counted": int(sla[0]),
        "sla_hits": int(sla[1]),
        "open_assets": int(open_[0]),
        "overdue_assets": int(open_[1]),
        "oldest_open_hours": oldest,
    }


def _vendors(session: Session, ws: int) -> dict[str, Any]:
    vendors = {
        name: 0
        for name in session.scalars(
            select(Team.name).where(Team.workspace_id == ws, Team.is_vendor.is_(True))
        )
    }
    work = session.execute(
        select(Team.name, func.count(Version.id))
        .join(Membership, Membership.team_id == Team.id)
        .join(Version, Version.uploaded_by_id == Membership.user_id)
        .where(
            Team.workspace_id == ws,
            Team.is_vendor.is_(True),
            Membership.workspace_id == ws,
            Version.workspace_id == ws,
            Version.kind == "retouch",
        )
        .group_by(Team.name)
    )
    vendors |= {name: int(n) for name, n in work}
    return {"vendor_retouch": vendors}


def gather(uow: UnitOfWork, actor: Actor, now: dt.datetime) -> audit.AuditFacts:
    """Everything the audit measures in the actor's workspace, as of `now`."""
    active = load_active_policy(uow, actor.workspace_id)
    session, ws = uow.session, actor.workspace_id
    facts: dict[str, Any] = {}
    for part in (_intake, _assets, _exceptions, _versions, _decisions, _ai_outputs, _events):
        facts |= part(session, ws)
    facts |= _timeliness(session, ws, now) | _vendors(session, ws)
    return audit.AuditFacts(policy=active.policy, policy_version=active.version, **facts)


def run_audit(uow: UnitOfWork, actor: Actor, now: dt.datetime) -> audit.AuditReport:
    """Answer the seed's audit checklist for the workspace and place it on the maturity
    scale. Vendors see only their own work, so they cannot audit the workspace."""
    if actor.is_vendor:
        raise PermissionDenied(
            f"{actor.username} works for a vendor and cannot audit workspace {actor.workspace}"
        )
    return audit.build_report(actor.workspace, gather(uow, actor, now))
