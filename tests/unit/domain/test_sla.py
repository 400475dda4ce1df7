"""SLA badges, stages and needed skills, on the default policy.

Calendar: America/New_York, Mon-Fri 09:00-18:00, Thanksgiving (Thu 2026-11-26) a holiday.
In November 2026 New York is UTC-5.
"""

from __future__ import annotations

import datetime as dt

import pytest

from shotline.domain.calendar import BusinessCalendar
from shotline.domain.errors import ShotlineError
from shotline.domain.policy import Policy
from shotline.domain.sla import (
    STAGES,
    WORKING_STATES,
    needed_skills,
    resolve_stage,
    skill_facts,
    sla_state,
    stage_of,
    stage_roles,
)

UTC = dt.UTC
# Friday 2026-11-27 18:00 in New York: the end of the working day.
DUE = dt.datetime(2026, 11, 27, 23, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def cal(default_policy: Policy) -> BusinessCalendar:
    return BusinessCalendar(default_policy.calendar)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Wednesday 10:00: 8 h on Wednesday + 9 h on Friday left, more than 25% of 16 h.
        (dt.datetime(2026, 11, 25, 15, 0, tzinfo=UTC), "on_track"),
        # Friday 14:00: exactly 4 h left is 25%: not yet at risk.
        (dt.datetime(2026, 11, 27, 19, 0, tzinfo=UTC), "on_track"),
        # Friday 14:01: less than 4 h left.
        (dt.datetime(2026, 11, 27, 19, 1, tzinfo=UTC), "at_risk"),
        # Exactly due: nothing left, but not late yet.
        (DUE, "at_risk"),
        (DUE + dt.timedelta(seconds=1), "late"),
    ],
)
def test_sla_state(cal: BusinessCalendar, now: dt.datetime, expected: str) -> None:
    assert sla_state(now, DUE, 16, cal, 0.25) == expected


def test_sla_state_counts_business_hours_not_wall_clock(cal: BusinessCalendar) -> None:
    # Thanksgiving evening: 24 wall-clock hours to the due time but only 9 business hours.
    now = dt.datetime(2026, 11, 26, 23, 0, tzinfo=UTC)
    assert sla_state(now, DUE, 40, cal, 0.25) == "at_risk"
    assert sla_state(now, DUE, 40, cal, 0.2) == "on_track"


@pytest.mark.parametrize(
    ("state", "gate", "stage"),
    [
        ("requested", None, "capture"),
        ("in_capture", None, "capture"),
        ("in_generation", None, "capture"),
        ("in_retouch", None, "retouch"),
        ("in_review", "technical", "technical"),
        ("in_review", "final_qc", "final_qc"),
        ("approved", None, "delivery"),
        ("blocked", None, "blocked"),
        ("on_hold", None, "blocked"),
        ("delivered", None, None),
        ("live", None, None),
        ("cancelled", None, None),
    ],
)
def test_stage_of(state: str, gate: str | None, stage: str | None) -> None:
    assert stage_of(state, gate) == stage


def test_every_stage_is_named_and_working_states_exclude_finished_work() -> None:
    assert list(STAGES) == [
        "capture", "retouch", "technical", "styling_fit", "brand_merch", "final_qc",
        "delivery", "blocked",
    ]  # fmt: skip
    assert STAGES["styling_fit"].gate == "styling_fit"
    assert not {"delivered", "live", "cancelled"} & set(WORKING_STATES)


def test_resolve_stage_knows_the_policy_gates(default_policy: Policy) -> None:
    assert resolve_stage("retouch", default_policy.gates).states == ("in_retouch",)
    assert resolve_stage("final_qc", default_policy.gates).gate == "final_qc"
    assert resolve_stage("colour_check", ["colour_check"]).gate == "colour_check"
    with pytest.raises(ShotlineError, match="unknown stage 'styling_fit'; expected one of"):
        resolve_stage("styling_fit", ["technical"])
    with pytest.raises(ShotlineError, match="capture, retouch, delivery, blocked, technical"):
        resolve_stage("shipping", ["technical"])


def test_stage_roles(default_policy: Policy) -> None:
    assert stage_roles(default_policy, "capture", "catalog") == ("photographer", "studio_manager")
    assert stage_roles(default_policy, "capture", "ai_generated") == (
        "ai_operator",
        "ai_workflow_owner",
    )
    assert stage_roles(default_policy, "retouch", "hero") == ("retoucher", "retouching_lead")
    assert stage_roles(default_policy, "technical", "hero") == ("qc_lead", "retouching_lead")
    assert stage_roles(default_policy, "delivery", "hero") == ("dam_manager", "producer")
    assert stage_roles(default_policy, "blocked", "hero") == ()


def _facts(**fields: str | list[str]) -> dict[str, str]:
    base: dict[str, str | list[str]] = {"production_path": "catalog", "views": ["front", "back"]}
    return skill_facts({**base, **fields}, "catalog", "C1", "apparel", "front")


def test_skill_facts_join_lists_and_add_the_asset() -> None:
    facts = _facts(ghost_mannequin="yes")
    assert facts["views"] == "front|back"
    assert (facts["view"], facts["track"], facts["category"]) == ("front", "catalog", "apparel")
    assert facts["ghost_mannequin"] == "yes"


@pytest.mark.parametrize(
    ("facts", "skills"),
    [
        (_facts(), []),
        (_facts(ghost_mannequin="yes", color_priority="critical"),
         ["ghost_mannequin", "color_texture"]),
        (skill_facts({}, "marketplace", "C1", "jewelry", "main"),
         ["jewelry_reflective", "marketplace_formatting"]),
        (skill_facts({"production_path": "ai_generated"}, "ai_generated", "C3", "apparel",
                     "on_model"), ["skin_beauty", "ai_model_shots"]),
    ],
)  # fmt: skip
def test_needed_skills(default_policy: Policy, facts: dict[str, str], skills: list[str]) -> None:
    assert needed_skills(default_policy, facts) == skills
