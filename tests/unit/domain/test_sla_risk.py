"""SLA risk on the default policy: remaining stages, typical durations from history or the
policy, and risk in business hours across a weekend and Thanksgiving.

Calendar: America/New_York, Mon-Fri 09:00-18:00, Thanksgiving (Thu 2026-11-26) a holiday.
In November 2026 New York is UTC-5, so 09:00 there is 14:00 UTC.
"""

from __future__ import annotations

import datetime as dt

import pytest

from shotline.domain.calendar import BusinessCalendar
from shotline.domain.policy import Policy
from shotline.domain.policy.model import SlaRisk
from shotline.domain.sla_risk import (
    StageEstimate,
    Step,
    Transition,
    hours_needed,
    percentile,
    remaining_steps,
    risk_level,
    stage_estimates,
    stage_samples,
)

GATES = ("technical", "styling_fit", "brand_merch", "final_qc")
REVIEWS = tuple(Step("review", g) for g in GATES)


def ny(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A time in New York in November 2026, as UTC."""
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=dt.UTC) + dt.timedelta(hours=5)


@pytest.fixture(scope="module")
def cal(default_policy: Policy) -> BusinessCalendar:
    return BusinessCalendar(default_policy.calendar)


@pytest.mark.parametrize("state", ["requested", "in_capture", "in_generation"])
def test_capture_has_every_stage_ahead(state: str) -> None:
    steps = remaining_steps(state, None, GATES)
    assert steps == (Step("capture"), Step("retouch"), *REVIEWS, Step("delivery"))
    assert [str(s) for s in steps][1:4] == ["retouch", "review:technical", "review:styling_fit"]


@pytest.mark.parametrize(
    ("state", "gate", "expected"),
    [
        ("in_retouch", None, (Step("retouch"), *REVIEWS, Step("delivery"))),
        ("in_review", "styling_fit", (*REVIEWS[1:], Step("delivery"))),
        ("in_review", "final_qc", (REVIEWS[-1], Step("delivery"))),
        # No gate recorded: every gate is still ahead.
        ("in_review", None, (*REVIEWS, Step("delivery"))),
        # A gate a later policy dropped still has to be cleared.
        ("in_review", "colour", (Step("review", "colour"), Step("delivery"))),
        ("approved", None, (Step("delivery"),)),
        ("delivered", None, ()),
        ("live", None, ()),
        ("cancelled", None, ()),
    ],
)
def test_remaining_steps(state: str, gate: str | None, expected: tuple[Step, ...]) -> None:
    assert remaining_steps(state, gate, GATES) == expected


def test_a_track_with_fewer_gates_has_fewer_reviews(default_policy: Policy) -> None:
    gates = default_policy.tracks["marketplace"].gates
    assert [str(s) for s in remaining_steps("in_retouch", None, gates)] == [
        "retouch", "review:technical", "review:final_qc", "delivery",
    ]  # fmt: skip


def test_policy_estimates_until_enough_history(default_policy: Policy) -> None:
    settings = default_policy.sla_risk
    estimates = stage_estimates(settings, {"retouch": [1.0] * 19})
    assert estimates["retouch"] == StageEstimate(4, "policy", 19)
    # requested on catalog: capture 4 + retouch 4 + four gates of 1 + delivery 2 = 14, which
    # leaves a fresh catalog C1 asset (16 business hours) on track.
    steps = remaining_steps("requested", None, default_policy.tracks["catalog"].gates)
    assert hours_needed(steps, estimates) == 14
    assert hours_needed(remaining_steps("in_review", "final_qc", GATES), estimates) == 3


def test_p80_of_history_once_min_samples_are_known() -> None:
    settings = SlaRisk(min_samples=10)
    samples = {"retouch": [float(h) for h in range(1, 11)], "review": [0.5] * 9}
    estimates = stage_estimates(settings, samples)
    # p80 of 1..10 by linear interpolation: rank 7.2 between 8 and 9.
    assert estimates["retouch"] == StageEstimate(pytest.approx(8.2), "history", 10)
    assert estimates["review"] == StageEstimate(1, "policy", 9)
    assert estimates["capture"].source == "policy"
    steps = (Step("retouch"), Step("review", "technical"), Step("delivery"))
    assert hours_needed(steps, estimates) == pytest.approx(8.2 + 1 + 2)


def test_a_policy_that_sets_some_stages_keeps_the_shipped_estimates_for_others() -> None:
    settings = SlaRisk.model_validate({"stage_hours": {"capture": 2}, "percentile": 50})
    estimates = stage_estimates(settings, {})
    assert {s: e.hours for s, e in estimates.items()} == {
        "capture": 2, "retouch": 4, "review": 1, "delivery": 2,
    }  # fmt: skip
    assert (
        stage_estimates(SlaRisk(percentile=50, min_samples=3), {"capture": [1, 9, 2]})[
            "capture"
        ].hours
        == 2
    )


def test_percentile() -> None:
    assert percentile([5.0], 80) == 5
    assert percentile([4.0, 1.0, 3.0, 2.0, 5.0], 80) == pytest.approx(4.2)
    assert percentile([1.0, 2.0], 100) == 2
    with pytest.raises(ValueError, match="no values"):
        percentile([], 80)


def test_risk_across_a_weekend_counts_business_hours(cal: BusinessCalendar) -> None:
    # Friday 17:00 to Monday 11:00: 66 wall-clock hours, 3 business hours (1 + 2).
    now, due = ny(20, 17), ny(23, 11)
    assert cal.business_hours_between(now, due) == 3
    assert risk_level(now, due, 4, cal) == "at_risk"  # delivery alone needs 4
    assert risk_level(now, due, 3, cal) == "ok"  # exactly enough left is not at risk
    assert risk_level(now, due, 2.5, cal) == "ok"


def test_risk_across_thanksgiving(cal: BusinessCalendar, default_policy: Policy) -> None:
    # Wednesday 17:00 to Friday 10:30: Thursday is a holiday, so 1 + 1.5 = 2.5 business hours,
    # short of final QC (1) + delivery (2).
    now, due = ny(25, 17), ny(27, 10, 30)
    needed = hours_needed(
        remaining_steps("in_review", "final_qc", GATES),
        stage_estimates(default_policy.sla_risk, {}),
    )
    assert needed == 3
    assert risk_level(now, due, needed, cal) == "at_risk"
    # The same moment on a calendar without the holiday has 1 + 9 + 1.5 = 11.5 hours left.
    workday = default_policy.calendar.model_copy(update={"holidays": ()})
    assert risk_level(now, due, needed, BusinessCalendar(workday)) == "ok"


def test_overdue_only_once_past_due(cal: BusinessCalendar) -> None:
    due = ny(27, 13)
    assert risk_level(due, due, 4, cal) == "at_risk"
    assert risk_level(due, due, 0, cal) == "ok"
    assert risk_level(due + dt.timedelta(seconds=1), due, 0, cal) == "overdue"
    # Past due on a holiday evening too, though no business hour has passed since.
    assert risk_level(ny(26, 20), ny(26, 8), 0, cal) == "overdue"


def t(asset: int, at: dt.datetime, before: str | None, after: str) -> Transition:
    return Transition(asset, at, before, after)


def test_samples_per_stage_and_per_gate(cal: BusinessCalendar) -> None:
    moves = [
        t(1, ny(16, 9), None, "requested"),
        t(1, ny(16, 11), "requested", "in_capture"),  # still capture: one visit
        t(1, ny(16, 15), "in_capture", "in_review"),  # capture took 6 h
        t(1, ny(17, 10), "in_review", "in_review"),  # technical: 3 h Monday + 1 h Tuesday
        t(1, ny(17, 12), "in_review", "approved"),  # styling_fit: 2 h
        t(1, ny(18, 9, 30), "approved", "delivered"),  # delivery: 6 h + 0.5 h
        t(1, ny(19, 9), "delivered", "live"),
    ]
    assert stage_samples(moves, cal) == {
        "capture": [6.0], "retouch": [], "review": [4.0, 2.0], "delivery": [6.5],
    }  # fmt: skip


def test_blocked_time_weekends_and_holidays_do_not_count(cal: BusinessCalendar) -> None:
    moves = [
        t(2, ny(20, 9), None, "requested"),
        t(2, ny(20, 10), "requested", "blocked"),  # Friday: 1 h of capture
        t(2, ny(23, 16), "blocked", "requested"),  # the weekend and Monday 9-16 blocked
        t(2, ny(23, 17), "requested", "in_capture"),
        t(2, ny(24, 10), "in_capture", "in_retouch"),  # + 2 h Monday + 1 h Tuesday
        t(2, ny(25, 17), "in_retouch", "on_hold"),  # retouch Tuesday 10-18, Wednesday 9-17
        t(2, ny(25, 17, 30), "on_hold", "in_retouch"),
        t(2, ny(27, 10), "in_retouch", "in_review"),  # + 0.5 h Wednesday, Thanksgiving, 1 h
    ]
    samples = stage_samples(moves, cal)
    assert samples["capture"] == [4.0]
    assert samples["retouch"] == [8 + 8 + 0.5 + 1]


def test_unknown_starts_and_cancelled_visits_give_no_sample(cal: BusinessCalendar) -> None:
    moves = [
        # Asset 3's creation is outside the history read: its first capture visit is partial.
        t(3, ny(16, 10), "in_capture", "in_retouch"),
        t(3, ny(16, 12), "in_retouch", "in_review"),
        # Asset 4 is cancelled in capture, once while blocked.
        t(4, ny(16, 9), None, "requested"),
        t(4, ny(16, 12), "requested", "cancelled"),
        t(5, ny(16, 9), None, "requested"),
        t(5, ny(16, 10), "requested", "blocked"),
        t(5, ny(16, 11), "blocked", "cancelled"),
    ]
    assert stage_samples(reversed(moves), cal) == {
        "capture": [], "retouch": [2.0], "review": [], "delivery": [],
    }  # fmt: skip


def test_history_feeds_the_estimate(cal: BusinessCalendar) -> None:
    moves = [
        move
        for asset, hours in enumerate([1, 2, 3, 4, 5], start=10)
        for move in (
            t(asset, ny(16, 9), None, "requested"),
            t(asset, ny(16, 9 + hours), "requested", "in_retouch"),
        )
    ]
    estimates = stage_estimates(SlaRisk(min_samples=5), stage_samples(moves, cal))
    assert estimates["capture"] == StageEstimate(pytest.approx(4.2), "history", 5)
