"""Routing by the default policy: first matching rule wins, catalog is the default."""

from __future__ import annotations

import pytest

from shotline.domain.complexity import classify
from shotline.domain.policy import Policy
from shotline.domain.routing import route


def routed(policy: Policy, fields: dict[str, str]) -> tuple[str, str]:
    """(complexity, track) the way intake computes them."""
    complexity, _ = classify(policy.complexity, fields)
    return complexity, route(policy, {**fields, "complexity": complexity})


def test_plain_cotton_tee_goes_to_catalog(default_policy: Policy) -> None:
    fields = {
        "category": "apparel",
        "production_path": "catalog",
        "fabric": "cotton",
        "ghost_mannequin": "no",
        "color_priority": "standard",
        "views": "front|back|detail",
    }
    assert routed(default_policy, fields) == ("C1", "catalog")


def test_ghost_mannequin_tee_stays_in_catalog(default_policy: Policy) -> None:
    fields = {"category": "apparel", "production_path": "catalog", "ghost_mannequin": "yes"}
    assert routed(default_policy, fields) == ("C2", "catalog")


def test_sequin_dress_goes_to_high_complexity(default_policy: Policy) -> None:
    fields = {"category": "apparel", "production_path": "catalog", "fabric": "sequin"}
    assert routed(default_policy, fields) == ("C3", "high_complexity")


def test_diamond_on_gold_goes_to_high_complexity(default_policy: Policy) -> None:
    fields = {
        "category": "jewelry",
        "production_path": "catalog",
        "metal_type": "gold",
        "stone_type": "diamond",
    }
    assert routed(default_policy, fields) == ("C4", "high_complexity")


@pytest.mark.parametrize("complexity", ["C1", "C2", "C3", "C4"])
def test_ai_generated_path_wins_regardless_of_complexity(
    default_policy: Policy, complexity: str
) -> None:
    fields = {"production_path": "ai_generated", "complexity": complexity}
    assert route(default_policy, fields) == "ai_generated"


@pytest.mark.parametrize("complexity", ["C1", "C4"])
def test_ai_experimental_path(default_policy: Policy, complexity: str) -> None:
    fields = {"production_path": "ai_experimental", "complexity": complexity}
    assert route(default_policy, fields) == "ai_experimental"


@pytest.mark.parametrize("complexity", ["C1", "C4"])
def test_hero_path_goes_to_hero(default_policy: Policy, complexity: str) -> None:
    assert route(default_policy, {"production_path": "hero", "complexity": complexity}) == "hero"


@pytest.mark.parametrize("complexity", ["C1", "C4"])
def test_marketplace_path_goes_to_marketplace(default_policy: Policy, complexity: str) -> None:
    fields = {"production_path": "marketplace", "complexity": complexity}
    assert route(default_policy, fields) == "marketplace"


@pytest.mark.parametrize(("complexity", "track"), [("C1", "catalog"), ("C2", "catalog")])
def test_catalog_path_low_complexity(default_policy: Policy, complexity: str, track: str) -> None:
    assert route(default_policy, {"production_path": "catalog", "complexity": complexity}) == track


@pytest.mark.parametrize("complexity", ["C3", "c4"])
def test_catalog_path_high_complexity(default_policy: Policy, complexity: str) -> None:
    fields = {"production_path": "catalog", "complexity": complexity}
    assert route(default_policy, fields) == "high_complexity"


def test_nothing_known_falls_through_to_catalog(default_policy: Policy) -> None:
    assert route(default_policy, {}) == "catalog"
