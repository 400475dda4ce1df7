"""Complexity classes from the default policy's rules: the highest matching rule wins."""

from __future__ import annotations

import pytest

from shotline.domain.complexity import classify
from shotline.domain.policy import Policy

PLAIN_TEE = {
    "category": "apparel",
    "production_path": "catalog",
    "fabric": "100% cotton jersey",
    "ghost_mannequin": "no",
    "color_priority": "standard",
    "views": "front|back|detail",
}


def test_plain_cotton_tee_is_c1(default_policy: Policy) -> None:
    assert classify(default_policy.complexity, PLAIN_TEE) == ("C1", [])


def test_no_fields_at_all_is_the_default(default_policy: Policy) -> None:
    assert classify(default_policy.complexity, {}) == ("C1", [])


def test_on_model_view_makes_tee_c2(default_policy: Policy) -> None:
    fields = {**PLAIN_TEE, "views": "front|on_model"}
    assert classify(default_policy.complexity, fields) == ("C2", ["on-model or on-foot views"])


def test_ghost_mannequin_is_c2(default_policy: Policy) -> None:
    fields = {**PLAIN_TEE, "ghost_mannequin": "yes"}
    assert classify(default_policy.complexity, fields) == ("C2", ["ghost mannequin"])


def test_high_colour_priority_is_c2(default_policy: Policy) -> None:
    fields = {**PLAIN_TEE, "color_priority": "high"}
    assert classify(default_policy.complexity, fields) == ("C2", ["high colour priority"])


def test_critical_colour_is_c3(default_policy: Policy) -> None:
    fields = {**PLAIN_TEE, "color_priority": "critical"}
    assert classify(default_policy.complexity, fields) == ("C3", ["critical colour"])


def test_sequin_dress_is_c3(default_policy: Policy) -> None:
    fields = {**PLAIN_TEE, "fabric": "Sequin mesh overlay"}
    assert classify(default_policy.complexity, fields) == ("C3", ["complex fabric"])


def test_highest_rule_wins_and_every_match_is_named(default_policy: Policy) -> None:
    fields = {**PLAIN_TEE, "ghost_mannequin": "yes", "fabric": "lace"}
    assert classify(default_policy.complexity, fields) == (
        "C3",
        ["ghost mannequin", "complex fabric"],
    )


def test_diamond_on_gold_is_c4(default_policy: Policy) -> None:
    fields = {
        "category": "jewelry",
        "production_path": "catalog",
        "metal_type": "18k yellow gold",
        "stone_type": "diamond",
        "views": "main|macro",
    }
    assert classify(default_policy.complexity, fields) == (
        "C4",
        ["reflective metal", "stones", "stones on reflective metal"],
    )


@pytest.mark.parametrize("stone", ["none", "No", "N/A", ""])
def test_plain_gold_band_without_stones_is_c2(default_policy: Policy, stone: str) -> None:
    fields = {"category": "jewelry", "metal_type": "gold", "stone_type": stone}
    assert classify(default_policy.complexity, fields) == ("C2", ["reflective metal"])


def test_ai_generated_is_at_least_c3(default_policy: Policy) -> None:
    fields = {**PLAIN_TEE, "production_path": "ai_generated", "anatomy_risk": "low"}
    assert classify(default_policy.complexity, fields) == ("C3", ["AI model shot"])


def test_ai_on_sheer_fabric_is_c4(default_policy: Policy) -> None:
    fields = {**PLAIN_TEE, "production_path": "ai_experimental", "fabric": "sheer chiffon"}
    assert classify(default_policy.complexity, fields) == (
        "C4",
        ["complex fabric", "AI model shot", "AI on complex fabric"],
    )


def test_high_anatomy_risk_is_c4(default_policy: Policy) -> None:
    fields = {**PLAIN_TEE, "production_path": "ai_generated", "anatomy_risk": "high"}
    assert classify(default_policy.complexity, fields) == (
        "C4",
        ["AI model shot", "high anatomy risk"],
    )
