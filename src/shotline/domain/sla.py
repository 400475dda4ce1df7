"""SLA badges, production stages (what each queue holds) and the skills an asset needs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from shotline.domain.calendar import BusinessCalendar
from shotline.domain.complexity import condition_holds
from shotline.domain.errors import ShotlineError
from shotline.domain.lifecycle import AssetState
from shotline.domain.policy.model import Policy

LATE, AT_RISK, ON_TRACK = "late", "at_risk", "on_track"
SLA_STATES: tuple[str, ...] = (LATE, AT_RISK, ON_TRACK)
# Tracks whose capture stage is AI generation rather than a photo shoot.
_AI_CAPTURE = ("generate", "experimental")


def sla_state(
    now: dt.datetime,
    due: dt.datetime,
    sla_hours: float,
    calendar: BusinessCalendar,
    risk_share: float,
) -> str:
    """`late` past the due time; `at_risk` when fewer business hours are left than
    `risk_share` of the SLA; otherwise `on_track`."""
    if now > due:
        return LATE
    left = calendar.business_hours_between(now, due)
    return AT_RISK if left < risk_share * sla_hours else ON_TRACK


@dataclass(frozen=True)
class Stage:
    """The asset states a queue holds and, for a review queue, the gate it waits at."""

    states: tuple[str, ...]
    gate: str | None = None


S = AssetState
DEFAULT_GATES: tuple[str, ...] = ("technical", "styling_fit", "brand_merch", "final_qc")
STAGES: dict[str, Stage] = {
    "capture": Stage((S.REQUESTED.value, S.IN_CAPTURE.value, S.IN_GENERATION.value)),
    "retouch": Stage((S.IN_RETOUCH.value,)),
    **{gate: Stage((S.IN_REVIEW.value,), gate) for gate in DEFAULT_GATES},
    "delivery": Stage((S.APPROVED.value,)),
    "blocked": Stage((S.BLOCKED.value, S.ON_HOLD.value)),
}
# Every state someone still has work to do in (delivered, live and cancelled are done).
WORKING_STATES: tuple[str, ...] = tuple(
    dict.fromkeys(state for stage in STAGES.values() for state in stage.states)
)


def stage_of(state: str, gate: str | None) -> str | None:
    """The stage (queue) an asset in `state`, waiting at `gate`, belongs to; None once done."""
    if state == S.IN_REVIEW:
        return gate
    return next((name for name, stage in STAGES.items() if state in stage.states), None)


def resolve_stage(name: str, gates: Iterable[str]) -> Stage:
    """The stage called `name`; a policy's own gate names are review stages too."""
    gates = tuple(gates)
    if name in gates:
        return Stage((S.IN_REVIEW.value,), name)
    stage = STAGES.get(name)
    if stage is None or stage.gate is not None:
        known = [n for n, s in STAGES.items() if s.gate is None]
        raise ShotlineError(
            f"unknown stage {name!r}; expected one of {', '.join([*known, *gates])}"
        )
    return stage


def stage_roles(policy: Policy, stage: str, track: str) -> tuple[str, ...]:
    """Roles that do the work of a stage: uploaders for capture (AI operators on AI tracks)
    and retouch, the gate's deciders for a review stage, deliverers for delivery."""
    if stage == "capture":
        kind = "ai" if policy.tracks[track].ai_usage in _AI_CAPTURE else "capture"
        return policy.workflow.roles_to_upload(kind)
    if stage == "retouch":
        return policy.workflow.roles_to_upload("retouch")
    if stage == "delivery":
        return policy.workflow.deliver_roles
    if stage in policy.gates:
        return policy.gates[stage].decided_by
    return ()


def skill_facts(
    fields: Mapping[str, Any], track: str, complexity: str, category: str, view: str
) -> dict[str, str]:
    """What skill conditions test: the line's intake fields plus the asset's own facts.
    List fields (colorways, views, channels) are joined the way intake classified them."""
    facts = {
        name: "|".join(str(v) for v in value) if isinstance(value, list) else str(value)
        for name, value in fields.items()
        if value is not None
    }
    return {**facts, "track": track, "complexity": complexity, "category": category, "view": view}


def needed_skills(policy: Policy, facts: Mapping[str, str]) -> list[str]:
    """The policy's skills whose conditions the asset's facts satisfy, in policy order."""
    return [name for name, skill in policy.skills.items() if condition_holds(skill.when, facts)]
