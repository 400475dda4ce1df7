"""Review use cases: decide a gate with its checklist, and bypass one under an exception."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from shotline.adapters.db.models import Asset, CheckResult, GateDecision, Version
from shotline.domain.access import Actor
from shotline.domain.errors import Conflict, PermissionDenied
from shotline.domain.events import EventKind, NewEvent
from shotline.domain.lifecycle import AssetState, IllegalTransition
from shotline.domain.policy import Policy
from shotline.domain.review import (
    FINAL_QC,
    Annotation,
    ItemAnswer,
    ReviewError,
    Verdict,
    check_reviewer,
    gates_for,
    judge,
)
from shotline.services import exceptions, qc
from shotline.services.asset_store import promote_final
from shotline.services.assets import AssetKey, find_asset, move
from shotline.services.policies import load_active_policy
from shotline.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Decision:
    """What a reviewer submits for one gate."""

    gate: str
    answers: Sequence[ItemAnswer]
    comment: str = ""
    annotations: Sequence[Annotation] = ()
    override_reason: str | None = None
    cost: float | None = None


@dataclass(frozen=True)
class DecisionResult:
    decision_id: int
    passed: bool
    asset_state: str
    next_gate: str | None
    route: str | None
    defects: tuple[str, ...]
    rework_rounds: int


def _under_review(uow: UnitOfWork, asset: Asset, gate: str) -> Version:
    if asset.state != AssetState.IN_REVIEW or asset.current_version_id is None:
        raise IllegalTransition(
            f"{asset.sku} / {asset.colorway} / {asset.view} is {asset.state}, not in review"
        )
    if asset.gate != gate:
        raise Conflict(f"the asset waits at the {asset.gate} gate, not {gate}")
    version = uow.session.get(Version, asset.current_version_id)
    assert version is not None
    return version


def failed_checks(uow: UnitOfWork, version_id: int) -> list[str]:
    """Automated checks this version failed (shown with the decision): only checks that ran
    (a skipped one is no verdict), of the latest QC run (each run replaces the results of
    the one before)."""
    rows = uow.session.scalars(
        select(CheckResult.check).where(
            CheckResult.version_id == version_id,
            CheckResult.passed.is_(False),
            CheckResult.skipped.is_(False),
        )
    )
    return sorted(set(rows))


def _override(
    uow: UnitOfWork,
    actor: Actor,
    policy: Policy,
    asset: Asset,
    version: Version,
    decision: Decision,
    now: dt.datetime,
) -> int | None:
    """Passing over a failed automated check needs a reason, kept as an exception."""
    failed = failed_checks(uow, version.id)
    if not failed:
        return None
    if not (decision.override_reason or "").strip():
        raise ReviewError(
            f"{decision.gate} pass refused: the version failed automated checks "
            f"({', '.join(failed)}); passing over them needs an override reason"
        )
    roles = policy.exceptions["override_check"].grant_roles
    if not actor.roles & set(roles):
        raise PermissionDenied(
            f"overriding failed checks needs one of the roles {', '.join(roles)}"
        )
    detail = {"gate": decision.gate, "checks": failed, "version_id": version.id}
    return exceptions.record_granted(
        uow, actor, "override_check", decision.override_reason or "", asset.id, now, detail
    )


def decide_gate(
    uow: UnitOfWork, actor: Actor, key: AssetKey, decision: Decision, now: dt.datetime
) -> DecisionResult:
    """Record a binary checklist decision and move the asset: next gate, approval, or back
    along the policy's rework route. Exactly one decision per version and gate ever lands."""
    policy = load_active_policy(uow, actor.workspace_id).policy
    asset = find_asset(uow, actor, key)
    version = _under_review(uow, asset, decision.gate)
    check_reviewer(policy, decision.gate, actor.roles, actor.user_id, version.uploaded_by_id)
    verdict = judge(policy, asset.track, decision.gate, version.kind, decision.answers)
    override_id = (
        _override(uow, actor, policy, asset, version, decision, now) if verdict.passed else None
    )
    row = _decision_row(actor, asset, version, decision, verdict, now)
    uow.session.add(row)
    _apply(uow, actor, asset, version, decision, verdict, now, override_id)
    try:
        uow.session.flush()
        row_id = row.id
        uow.commit()
    except (IntegrityError, StaleDataError):
        uow.session.rollback()
        raise Conflict(
            f"the {decision.gate} gate of {key} version {version.number} was decided by someone "
            "else at the same time; reload and look again"
        ) from None
    return DecisionResult(
        row_id,
        verdict.passed,
        asset.state,
        verdict.next_gate,
        verdict.route,
        verdict.defects,
        asset.rework_rounds,
    )


def _decision_row(
    actor: Actor,
    asset: Asset,
    version: Version,
    decision: Decision,
    verdict: Verdict,
    now: dt.datetime,
) -> GateDecision:
    return GateDecision(
        workspace_id=actor.workspace_id,
        asset_id=asset.id,
        version_id=version.id,
        gate=decision.gate,
        reviewer_id=actor.user_id,
        passed=verdict.passed,
        answers=[asdict(a) | {"defects": list(a.defects)} for a in decision.answers],
        defects=list(verdict.defects),
        comment=decision.comment,
        annotations=[asdict(a) for a in decision.annotations],
        route=verdict.route,
        preventable=verdict.preventable,
        override_reason=decision.override_reason,
        decided_at=now,
        cost=decision.cost,
    )


def _apply(
    uow: UnitOfWork,
    actor: Actor,
    asset: Asset,
    version: Version,
    decision: Decision,
    verdict: Verdict,
    now: dt.datetime,
    override_id: int | None,
) -> None:
    base = {
        "gate": decision.gate,
        "version": version.number,
        "version_id": version.id,
        "comment": decision.comment,
        "cost": decision.cost,
    }
    # Decided before the measurements were in ("queued"/"running") or after ("done"); last,
    # so the defects stay first in a narrow history column.
    qc_state = {"qc": qc.run_state(uow, version.id)}
    if verdict.passed:
        base |= {"next_gate": verdict.next_gate, "override_exception": override_id}
        kind = EventKind.APPROVED if verdict.next_gate is None else EventKind.GATE_PASSED
        if verdict.next_gate is None:
            base |= {"final": version.number, "archived": promote_final(uow, asset, version)}
        asset.gate = verdict.next_gate
        move(uow, actor, asset, verdict.next_state, now, NewEvent(kind, base | qc_state))
        return
    asset.gate = None
    asset.rework_rounds += 1
    base |= {
        "defects": list(verdict.defects),
        "failed_items": list(verdict.failed_items),
        "route": verdict.route,
        "preventable": verdict.preventable,
        "round": asset.rework_rounds,
        "asked_by": actor.username,
    }
    move(
        uow,
        actor,
        asset,
        verdict.next_state,
        now,
        NewEvent(EventKind.GATE_FAILED, base | qc_state),
    )


def bypass_gate(uow: UnitOfWork, actor: Actor, key: AssetKey, gate: str, now: dt.datetime) -> str:
    """Skip a gate under a granted, unexpired bypass_gate exception for this asset. Human
    final QC of AI output can never be bypassed."""
    policy = load_active_policy(uow, actor.workspace_id).policy
    asset = find_asset(uow, actor, key)
    version = _under_review(uow, asset, gate)
    if version.kind == "ai" and gate == FINAL_QC:
        raise PermissionDenied("human final_qc of AI output can never be bypassed")
    grant = exceptions.active_grant(uow, actor, "bypass_gate", asset.id, now)
    if grant is None:
        raise PermissionDenied(f"bypassing the {gate} gate needs a granted bypass_gate exception")
    gates = gates_for(policy, asset.track, version.kind)
    later = gates[gates.index(gate) + 1 :]
    asset.gate = later[0] if later else None
    target = AssetState.IN_REVIEW if later else AssetState.APPROVED
    payload = {
        "gate": gate,
        "exception_id": grant.id,
        "version_id": version.id,
        "next_gate": asset.gate,
    }
    if not later:
        payload |= {"final": version.number, "archived": promote_final(uow, asset, version)}
    move(uow, actor, asset, target, now, NewEvent(EventKind.GATE_BYPASSED, payload))
    uow.commit()
    return asset.state
