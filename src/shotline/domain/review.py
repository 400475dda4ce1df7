"""Review gates: binary checklists, defect codes, and where a failed asset goes back to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from shotline.domain.errors import PermissionDenied, ShotlineError
from shotline.domain.lifecycle import AssetState
from shotline.domain.policy.model import Policy

FINAL_QC = "final_qc"
# When defects ask for different routes, the most disruptive one wins: a reshoot makes any
# retouch moot.
ROUTE_ORDER = ("reshoot", "ai_rerun", "technical_correction", "retouch")
ROUTE_STATE: dict[str, AssetState] = {
    "reshoot": AssetState.IN_CAPTURE,
    "ai_rerun": AssetState.IN_GENERATION,
    "technical_correction": AssetState.IN_RETOUCH,
    "retouch": AssetState.IN_RETOUCH,
}


class ReviewError(ShotlineError):
    """A gate decision that breaks a review rule (incomplete checklist, missing defect...)."""


@dataclass(frozen=True)
class ItemAnswer:
    """The answer to one checklist item; a failed item names its defect codes."""

    item: str
    passed: bool
    defects: tuple[str, ...] = ()


@dataclass(frozen=True)
class Annotation:
    """A region of the image a reviewer points at, in pixels of the version under review."""

    x: float
    y: float
    w: float
    h: float
    note: str = ""


@dataclass(frozen=True)
class Verdict:
    """Outcome of a gate decision."""

    passed: bool
    next_gate: str | None
    next_state: AssetState
    route: str | None = None
    defects: tuple[str, ...] = ()
    preventable: bool = False
    failed_items: tuple[str, ...] = field(default_factory=tuple)


def gates_for(policy: Policy, track: str, version_kind: str) -> tuple[str, ...]:
    """The gates a version walks through. AI output always ends at a human final QC,
    whatever the policy says: that is an invariant, not a setting."""
    gates = policy.tracks[track].gates
    if version_kind == "ai" and FINAL_QC not in gates:
        return (*gates, FINAL_QC)
    return gates


def check_answers(policy: Policy, gate: str, answers: Sequence[ItemAnswer]) -> None:
    """Every checklist item answered once; every failed item with known defect codes."""
    spec = policy.gates[gate]
    expected = [item.code for item in spec.checklist]
    given = [a.item for a in answers]
    problems: list[str] = []
    problems += [f"checklist item {i!r} is not answered" for i in expected if i not in given]
    problems += [f"{i!r} is not on the {gate} checklist" for i in given if i not in expected]
    problems += [
        f"{i!r} is answered twice" for i in sorted({i for i in given if given.count(i) > 1})
    ]
    for answer in answers:
        if not answer.passed and not answer.defects:
            problems.append(f"failed item {answer.item!r} needs a defect code")
        for code in answer.defects:
            defect = policy.defects.get(code)
            if defect is None:
                problems.append(f"unknown defect code {code!r}")
            elif gate not in defect.gates:
                problems.append(f"defect {code!r} is not used at the {gate} gate")
    if problems:
        raise ReviewError(f"{gate} decision refused: " + "; ".join(problems))


def check_reviewer(
    policy: Policy, gate: str, roles: frozenset[str], reviewer_id: int, author_id: int
) -> None:
    """Only the gate's roles decide it; nobody passes final QC on their own version."""
    allowed = policy.gates[gate].decided_by
    if not roles & set(allowed):
        held = ", ".join(sorted(roles))
        raise PermissionDenied(
            f"the {gate} gate is decided by {', '.join(allowed)}; you hold {held}"
        )
    if gate == FINAL_QC and reviewer_id == author_id:
        raise PermissionDenied(
            "four eyes: the person who made a version cannot decide its final_qc"
        )


def _route(policy: Policy, gate: str, defects: Sequence[str], version_kind: str) -> str:
    on_fail = policy.gates[gate].on_fail
    routes = {on_fail.by_defect.get(code, on_fail.default) for code in defects}
    if version_kind != "ai":
        # Only AI output can be rerun; anything else goes to a technical correction.
        routes = {"technical_correction" if r == "ai_rerun" else r for r in routes}
    return next(r for r in ROUTE_ORDER if r in routes)


def judge(
    policy: Policy, track: str, gate: str, version_kind: str, answers: Sequence[ItemAnswer]
) -> Verdict:
    """Pass moves to the next gate (or approval after the last); any failed item fails the
    gate and sends the asset back along the policy's route for that gate and defect."""
    check_answers(policy, gate, answers)
    failed = [a for a in answers if not a.passed]
    if not failed:
        gates = gates_for(policy, track, version_kind)
        later = gates[gates.index(gate) + 1 :]
        if later:
            return Verdict(True, later[0], AssetState.IN_REVIEW)
        if version_kind == "ai" and gate != FINAL_QC:
            raise ReviewError("AI output can only be approved by a human final_qc pass")
        return Verdict(True, None, AssetState.APPROVED)
    defects = tuple(dict.fromkeys(code for a in failed for code in a.defects))
    route = _route(policy, gate, defects, version_kind)
    preventable = all(policy.defects[code].preventable for code in defects)
    return Verdict(
        passed=False,
        next_gate=None,
        next_state=ROUTE_STATE[route],
        route=route,
        defects=defects,
        preventable=preventable,
        failed_items=tuple(a.item for a in failed),
    )


def answers_from_defects(
    policy: Policy, gate: str, defects: Sequence[str], failed_items: Sequence[str] = ()
) -> list[ItemAnswer]:
    """A full checklist from a gate-level verdict (as history imports give it): a defect
    fails the item of the same code, or the first failed item named, or else the first
    item of the checklist; every other item passes."""
    items = [item.code for item in policy.gates[gate].checklist]
    failing: dict[str, list[str]] = {}
    for code in defects:
        target = code if code in items else (failed_items[0] if failed_items else items[0])
        failing.setdefault(target, []).append(code)
    for item in failed_items:
        failing.setdefault(item, [])
    return [ItemAnswer(i, i not in failing, tuple(failing.get(i, ()))) for i in items]
