"""Routing: which production track an intake line goes to."""

from __future__ import annotations

from collections.abc import Mapping

from shotline.domain.complexity import condition_holds
from shotline.domain.policy.model import Policy


def route(policy: Policy, fields: Mapping[str, str]) -> str:
    """The track of the first routing rule whose conditions hold (the last rule always does)."""
    for rule in policy.routing:
        if condition_holds(rule.when, fields):
            return rule.track
    return policy.routing[-1].track
