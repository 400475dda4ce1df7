"""The transition table: every allowed move, and a refusal for every other."""

from __future__ import annotations

import itertools

import pytest

from shotline.domain.lifecycle import (
    CLOSED_STATES,
    TRANSITIONS,
    AssetState,
    IllegalTransition,
    check_transition,
)

ALLOWED = [(a, b) for a, targets in TRANSITIONS.items() for b in targets]
REFUSED = [(a, b) for a in AssetState for b in AssetState if b not in TRANSITIONS[a]]


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_every_listed_move_is_allowed(source: AssetState, target: AssetState) -> None:
    assert check_transition(source, target) == target


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_every_other_move_is_refused(source: AssetState, target: AssetState) -> None:
    with pytest.raises(IllegalTransition, match=f"from {source.value} to {target.value}"):
        check_transition(source, target)


def test_the_happy_path_exists() -> None:
    path = ["requested", "in_capture", "in_retouch", "in_review", "approved", "delivered", "live"]
    for a, b in itertools.pairwise(path):
        check_transition(a, b)
    check_transition("requested", "in_generation")


def test_closed_states_go_nowhere() -> None:
    for state in CLOSED_STATES:
        assert TRANSITIONS[state] == frozenset()


@pytest.mark.parametrize("paused", ["blocked", "on_hold"])
def test_a_paused_asset_resumes_only_to_where_it_paused(paused: str) -> None:
    assert check_transition(paused, "in_retouch", resume_to="in_retouch") == "in_retouch"
    with pytest.raises(IllegalTransition, match="it can go to cancelled, in_retouch"):
        check_transition(paused, "in_capture", resume_to="in_retouch")
    assert check_transition(paused, "cancelled", resume_to="in_retouch") == "cancelled"


def test_the_refusal_names_the_allowed_moves() -> None:
    with pytest.raises(IllegalTransition, match="from requested it can go to blocked, cancelled"):
        check_transition("requested", "approved")
