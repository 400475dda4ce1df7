"""SLA risk: how long an open asset's remaining stages typically take, against the business
hours left before it is due.

The typical time of a stage is the p80 (the policy's percentile) of how long that stage took
in history, in business hours, once the policy's `min_samples` visits are known; until then it
is the policy's own estimate. Review is counted once per remaining gate.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from shotline.domain.calendar import BusinessCalendar
from shotline.domain.lifecycle import PAUSED_STATES, AssetState
from shotline.domain.policy.model import SlaRisk

OVERDUE, AT_RISK, OK = "overdue", "at_risk", "ok"
RISK_LEVELS: tuple[str, ...] = (OVERDUE, AT_RISK, OK)
CAPTURE, RETOUCH, REVIEW, DELIVERY = "capture", "retouch", "review", "delivery"
RISK_STAGES: tuple[str, ...] = (CAPTURE, RETOUCH, REVIEW, DELIVERY)

S = AssetState
# The stage whose clock runs while an asset sits in each working state.
_STAGE_OF_STATE: dict[str, str] = {
    S.REQUESTED: CAPTURE,
    S.IN_CAPTURE: CAPTURE,
    S.IN_GENERATION: CAPTURE,
    S.IN_RETOUCH: RETOUCH,
    S.IN_REVIEW: REVIEW,
    S.APPROVED: DELIVERY,
}
_PAUSED = frozenset(s.value for s in PAUSED_STATES)


class Step(NamedTuple):
    """One stage still ahead of an asset; a review step names its gate."""

    stage: str
    gate: str | None = None

    def __str__(self) -> str:
        return f"{self.stage}:{self.gate}" if self.gate else self.stage


@dataclass(frozen=True)
class StageEstimate:
    """Typical business hours of one stage, and whether history or the policy says so."""

    hours: float
    source: str  # "history" or "policy"
    samples: int


@dataclass(frozen=True)
class Transition:
    """One lifecycle move of an asset, as the event log records it. `before` is None for the
    asset's creation (it starts in `requested`)."""

    asset_id: int
    at: dt.datetime
    before: str | None
    after: str


def remaining_steps(state: str, gate: str | None, gates: Sequence[str]) -> tuple[Step, ...]:
    """The stages an asset in `state` (waiting at `gate` when in review) still has to pass,
    the current one included. A paused asset is judged by the state it paused in, so pass
    its resume state; finished or cancelled assets have none left."""
    reviews = tuple(Step(REVIEW, g) for g in _gates_left(gate, gates))
    stage = _STAGE_OF_STATE.get(state)
    if stage == CAPTURE:
        return (Step(CAPTURE), Step(RETOUCH), *reviews, Step(DELIVERY))
    if stage == RETOUCH:
        return (Step(RETOUCH), *reviews, Step(DELIVERY))
    if stage == REVIEW:
        return (*reviews, Step(DELIVERY))
    if stage == DELIVERY:
        return (Step(DELIVERY),)
    return ()


def _gates_left(gate: str | None, gates: Sequence[str]) -> tuple[str, ...]:
    if gate is None:
        return tuple(gates)
    if gate in gates:
        return tuple(gates[gates.index(gate) :])
    # A gate a later policy dropped: the asset still has to clear the one it waits at.
    return (gate,)


def percentile(values: Sequence[float], pct: float) -> float:
    """The `pct` percentile with linear interpolation between closest ranks (numpy's
    default), so p80 of a handful of samples is still a sensible number."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def stage_estimates(
    settings: SlaRisk, samples: Mapping[str, Sequence[float]]
) -> dict[str, StageEstimate]:
    """Per stage: the percentile of history once it has `min_samples` samples, otherwise
    the policy's estimate (few samples make a p80 that swings with every asset)."""
    estimates: dict[str, StageEstimate] = {}
    for stage in RISK_STAGES:
        seen = samples.get(stage, ())
        if len(seen) >= settings.min_samples:
            hours = percentile(seen, settings.percentile)
            estimates[stage] = StageEstimate(hours, "history", len(seen))
        else:
            estimates[stage] = StageEstimate(_policy_hours(settings, stage), "policy", len(seen))
    return estimates


def _policy_hours(settings: SlaRisk, stage: str) -> float:
    # A policy may set only some stages; the others keep the shipped estimates.
    for source in (settings.stage_hours, SlaRisk().stage_hours):
        hours = next((h for s, h in source.items() if s == stage), None)
        if hours is not None:
            return hours
    raise KeyError(stage)


def hours_needed(steps: Iterable[Step], estimates: Mapping[str, StageEstimate]) -> float:
    """Expected business hours for the remaining steps: the sum of their stage estimates."""
    return sum(estimates[step.stage].hours for step in steps)


def risk_level(
    now: dt.datetime, due: dt.datetime, needed: float, calendar: BusinessCalendar
) -> str:
    """`overdue` past the due time; `at_risk` when fewer business hours are left than the
    remaining stages typically need; otherwise `ok`."""
    if now > due:
        return OVERDUE
    left = calendar.business_hours_between(now, due)
    return AT_RISK if left < needed else OK


@dataclass
class _Visit:
    """An asset's current stay in one stage: business hours so far, and since when the
    clock runs again (None while paused)."""

    stage: str
    hours: float
    since: dt.datetime | None


def stage_samples(
    transitions: Iterable[Transition], calendar: BusinessCalendar
) -> dict[str, list[float]]:
    """Business hours each finished stage visit took, by stage, from lifecycle moves.

    A visit runs from entering a stage to leaving it; moves between states of the same
    stage (requested -> in_capture) continue it, and time blocked or on hold is not
    counted. Each gate of review is its own visit. A visit whose start is not among the
    transitions, or that ended in cancellation, gives no sample.
    """
    samples: dict[str, list[float]] = {stage: [] for stage in RISK_STAGES}
    visits: dict[int, _Visit | None] = {}
    # A stable sort keeps an asset's moves at the same instant in their recorded order.
    for move in sorted(transitions, key=lambda t: (t.asset_id, t.at)):
        visit = visits.get(move.asset_id)
        if visit is not None and visit.since is not None:
            visit.hours += calendar.business_hours_between(visit.since, move.at)
        visits[move.asset_id] = _step(visit, move, samples)
    return samples


def _step(visit: _Visit | None, move: Transition, samples: dict[str, list[float]]) -> _Visit | None:
    """The visit after one move, appending the sample of a visit the move finishes."""
    stage = _STAGE_OF_STATE.get(move.after)
    if move.after in _PAUSED:
        if visit is not None:
            visit.since = None
        return visit
    # Resuming, or moving within capture: the same visit goes on. In review a move to
    # in_review is a new gate (or a restart at the first), so a new visit.
    if visit is not None and stage == visit.stage and (visit.since is None or stage != REVIEW):
        visit.since = move.at
        return visit
    if visit is not None and move.after != S.CANCELLED:
        samples[visit.stage].append(visit.hours)
    return _Visit(stage, 0.0, move.at) if stage is not None else None
