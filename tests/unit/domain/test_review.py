"""Gate decisions: binary checklists, defect codes, routes back, decision rights, AI final QC."""

from __future__ import annotations

from typing import Any

import pytest

from shotline.domain.errors import PermissionDenied
from shotline.domain.lifecycle import AssetState
from shotline.domain.policy import Policy
from shotline.domain.review import (
    ItemAnswer,
    ReviewError,
    answers_from_defects,
    check_reviewer,
    gates_for,
    judge,
)


def _answers(
    policy: Policy, gate: str, fail: dict[str, tuple[str, ...]] | None = None
) -> list[ItemAnswer]:
    fail = fail or {}
    return [
        ItemAnswer(i.code, i.code not in fail, fail.get(i.code, ()))
        for i in policy.gates[gate].checklist
    ]


def test_a_pass_moves_to_the_next_gate_and_the_last_approves(default_policy: Policy) -> None:
    verdict = judge(
        default_policy, "catalog", "technical", "retouch", _answers(default_policy, "technical")
    )
    assert (verdict.passed, verdict.next_gate, verdict.next_state) == (
        True,
        "styling_fit",
        AssetState.IN_REVIEW,
    )
    final = judge(
        default_policy, "catalog", "final_qc", "retouch", _answers(default_policy, "final_qc")
    )
    assert (final.next_gate, final.next_state) == (None, AssetState.APPROVED)


def test_marketplace_uses_fewer_gates(default_policy: Policy) -> None:
    verdict = judge(
        default_policy, "marketplace", "technical", "retouch", _answers(default_policy, "technical")
    )
    assert verdict.next_gate == "final_qc"


@pytest.mark.parametrize(
    ("gate", "item", "defect", "kind", "route", "state"),
    [
        ("technical", "focus", "focus", "capture", "reshoot", AssetState.IN_CAPTURE),
        (
            "technical",
            "background",
            "background",
            "retouch",
            "technical_correction",
            AssetState.IN_RETOUCH,
        ),
        ("technical", "capture_defects", "ai_artifact", "ai", "ai_rerun", AssetState.IN_GENERATION),
        (
            "technical",
            "capture_defects",
            "ai_artifact",
            "retouch",
            "technical_correction",
            AssetState.IN_RETOUCH,
        ),
        (
            "styling_fit",
            "sleeve_length",
            "fit_distortion",
            "retouch",
            "retouch",
            AssetState.IN_RETOUCH,
        ),
        (
            "styling_fit",
            "product_details",
            "product_detail_error",
            "retouch",
            "reshoot",
            AssetState.IN_CAPTURE,
        ),
        ("brand_merch", "angle", "incorrect_angle", "retouch", "reshoot", AssetState.IN_CAPTURE),
        ("brand_merch", "crop", "wrong_crop", "retouch", "retouch", AssetState.IN_RETOUCH),
        (
            "final_qc",
            "color_accuracy",
            "color_mismatch",
            "retouch",
            "retouch",
            AssetState.IN_RETOUCH,
        ),
    ],
)
def test_a_fail_goes_back_along_the_policy_route(
    default_policy: Policy,
    gate: str,
    item: str,
    defect: str,
    kind: str,
    route: str,
    state: AssetState,
) -> None:
    verdict = judge(
        default_policy, "catalog", gate, kind, _answers(default_policy, gate, {item: (defect,)})
    )
    assert (verdict.passed, verdict.route, verdict.next_state) == (False, route, state)
    assert verdict.defects == (defect,)


def test_the_most_disruptive_route_wins_and_preventability_needs_all(
    default_policy: Policy,
) -> None:
    fail = {"focus": ("focus",), "file_format": ("file_naming",)}
    verdict = judge(
        default_policy,
        "catalog",
        "technical",
        "capture",
        _answers(default_policy, "technical", fail),
    )
    assert verdict.route == "reshoot"
    assert verdict.preventable is False  # focus is not preventable, file naming is
    only_naming = judge(
        default_policy,
        "catalog",
        "technical",
        "capture",
        _answers(default_policy, "technical", {"file_format": ("file_naming",)}),
    )
    assert only_naming.preventable is True


@pytest.mark.parametrize(
    ("answers_change", "message"),
    [
        ({"drop": "focus"}, "checklist item 'focus' is not answered"),
        ({"extra": "vibes"}, "'vibes' is not on the technical checklist"),
        ({"fail_without": "focus"}, "failed item 'focus' needs a defect code"),
        ({"fail_with": ("focus", "no_such_code")}, "unknown defect code 'no_such_code'"),
        (
            {"fail_with": ("focus", "off_brand_styling")},
            "defect 'off_brand_styling' is not used at the technical gate",
        ),
    ],
)
def test_incomplete_or_wrong_checklists_are_refused(
    default_policy: Policy, answers_change: dict[str, Any], message: str
) -> None:
    answers = _answers(default_policy, "technical")
    if "drop" in answers_change:
        answers = [a for a in answers if a.item != answers_change["drop"]]
    if "extra" in answers_change:
        answers.append(ItemAnswer(answers_change["extra"], True))
    if "fail_without" in answers_change:
        answers = [ItemAnswer(a.item, a.item != answers_change["fail_without"]) for a in answers]
    if "fail_with" in answers_change:
        item, code = answers_change["fail_with"]
        answers = [
            ItemAnswer(a.item, a.item != item, (code,) if a.item == item else ()) for a in answers
        ]
    with pytest.raises(ReviewError, match=message):
        judge(default_policy, "catalog", "technical", "retouch", answers)


def test_only_the_gate_roles_decide_and_four_eyes_on_final_qc(default_policy: Policy) -> None:
    check_reviewer(default_policy, "technical", frozenset({"qc_lead"}), 1, 1)
    with pytest.raises(PermissionDenied, match="decided by qc_lead, retouching_lead"):
        check_reviewer(default_policy, "technical", frozenset({"merchandiser"}), 1, 2)
    with pytest.raises(PermissionDenied, match="four eyes"):
        check_reviewer(default_policy, "final_qc", frozenset({"qc_lead"}), 7, 7)
    check_reviewer(default_policy, "final_qc", frozenset({"qc_lead"}), 7, 8)


def test_ai_output_always_ends_at_human_final_qc_whatever_the_policy(
    default_policy: Policy,
) -> None:
    data = default_policy.model_dump()
    data["tracks"]["ai_generated"]["gates"] = ("technical",)
    # Built without the loader's cross-checks, as a careless or hostile policy could be.
    lax = Policy.model_validate(data)
    assert gates_for(lax, "ai_generated", "ai") == ("technical", "final_qc")
    assert gates_for(lax, "ai_generated", "retouch") == ("technical",)
    verdict = judge(lax, "ai_generated", "technical", "ai", _answers(lax, "technical"))
    assert (verdict.next_gate, verdict.next_state) == ("final_qc", AssetState.IN_REVIEW)
    approved = judge(lax, "ai_generated", "final_qc", "ai", _answers(lax, "final_qc"))
    assert approved.next_state == AssetState.APPROVED


def test_answers_from_defects_fail_the_matching_item(default_policy: Policy) -> None:
    answers = answers_from_defects(default_policy, "technical", ["exposure", "file_naming"])
    failed = {a.item: a.defects for a in answers if not a.passed}
    # exposure has an item of its own; file_naming has none at this gate, so it lands on
    # the first item of the checklist.
    assert failed == {"exposure": ("exposure",), "focus": ("file_naming",)}
    assert all(a.passed for a in answers_from_defects(default_policy, "technical", []))
