"""The asset lifecycle: one explicit transition table, and nothing else decides a move."""

from __future__ import annotations

from enum import StrEnum

from shotline.domain.errors import ShotlineError


class AssetState(StrEnum):
    REQUESTED = "requested"
    IN_CAPTURE = "in_capture"
    IN_GENERATION = "in_generation"
    IN_RETOUCH = "in_retouch"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    DELIVERED = "delivered"
    LIVE = "live"
    BLOCKED = "blocked"
    ON_HOLD = "on_hold"
    CANCELLED = "cancelled"


S = AssetState
_WORK = (S.IN_CAPTURE, S.IN_GENERATION, S.IN_RETOUCH)
_PAUSE = (S.BLOCKED, S.ON_HOLD, S.CANCELLED)

# from-state -> states it may move to. Blocked and on-hold assets resume to the state they
# paused in (checked separately, since that depends on the asset's history).
TRANSITIONS: dict[AssetState, frozenset[AssetState]] = {
    S.REQUESTED: frozenset({*_WORK, *_PAUSE}),
    S.IN_CAPTURE: frozenset({S.IN_RETOUCH, S.IN_GENERATION, S.IN_REVIEW, *_PAUSE}),
    S.IN_GENERATION: frozenset({S.IN_RETOUCH, S.IN_CAPTURE, S.IN_REVIEW, *_PAUSE}),
    S.IN_RETOUCH: frozenset({S.IN_CAPTURE, S.IN_GENERATION, S.IN_REVIEW, *_PAUSE}),
    # in_review -> in_review is the move from one gate to the next.
    S.IN_REVIEW: frozenset({S.IN_REVIEW, S.APPROVED, *_WORK, *_PAUSE}),
    S.APPROVED: frozenset({S.DELIVERED, S.IN_RETOUCH, S.ON_HOLD, S.CANCELLED}),
    S.DELIVERED: frozenset({S.LIVE, S.DELIVERED, S.IN_RETOUCH}),
    S.LIVE: frozenset(),
    S.BLOCKED: frozenset({S.CANCELLED}),
    S.ON_HOLD: frozenset({S.CANCELLED}),
    S.CANCELLED: frozenset(),
}

# A SKU colorway with an asset in any other state is "open": a new request for it is refused.
CLOSED_STATES: frozenset[AssetState] = frozenset({S.LIVE, S.CANCELLED})
PAUSED_STATES: frozenset[AssetState] = frozenset({S.BLOCKED, S.ON_HOLD})
# Where a new upload of each kind puts an asset that is waiting for work.
WORK_STATE_OF_KIND: dict[str, AssetState] = {
    "capture": S.IN_CAPTURE,
    "ai": S.IN_GENERATION,
    "retouch": S.IN_RETOUCH,
}
UPLOADABLE_STATES: frozenset[AssetState] = frozenset({S.REQUESTED, *_WORK, S.IN_REVIEW})


class IllegalTransition(ShotlineError):
    """A move the lifecycle does not allow."""


def check_transition(current: str, target: str, resume_to: str | None = None) -> AssetState:
    """The target state if `current -> target` is allowed; otherwise IllegalTransition.

    A paused asset (blocked or on hold) may only resume to `resume_to`, the state it paused
    in, or be cancelled.
    """
    source, goal = AssetState(current), AssetState(target)
    if source in PAUSED_STATES and resume_to is not None and goal == AssetState(resume_to):
        return goal
    if goal not in TRANSITIONS[source]:
        allowed = sorted(s.value for s in TRANSITIONS[source])
        if source in PAUSED_STATES and resume_to:
            allowed.append(resume_to)
        hint = f"; from {source.value} it can go to {', '.join(allowed)}" if allowed else ""
        raise IllegalTransition(f"an asset cannot move from {source.value} to {goal.value}{hint}")
    return goal
