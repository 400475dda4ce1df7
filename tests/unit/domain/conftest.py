"""Shared fixtures for the pure domain tests: the packaged default policy, loaded once."""

from __future__ import annotations

import copy
from importlib.resources import files
from typing import Any

import pytest
import yaml

from shotline.domain.policy import Policy, parse_policy


@pytest.fixture(scope="session")
def default_policy_text() -> str:
    """The packaged default policy, as text."""
    return files("shotline.policies").joinpath("default.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def default_policy(default_policy_text: str) -> Policy:
    """The default policy, validated (a frozen model, safe to share across tests)."""
    return parse_policy(default_policy_text, source="default.yaml")


@pytest.fixture(scope="session")
def _default_policy_data(default_policy_text: str) -> dict[str, Any]:
    return yaml.safe_load(default_policy_text)


@pytest.fixture
def policy_data(_default_policy_data: dict[str, Any]) -> dict[str, Any]:
    """A fresh, mutable copy of the default policy's parsed YAML, for building broken policies."""
    return copy.deepcopy(_default_policy_data)
