"""Complexity classes C1..C4 from a SKU's intake fields, by the policy's rules."""

from __future__ import annotations

from collections.abc import Mapping

from shotline.domain.policy.model import COMPLEXITY_CLASSES, Complexity, Condition


def condition_holds(condition: Condition, fields: Mapping[str, str]) -> bool:
    """Every field matcher in the condition accepts the line's value."""
    return all(matcher.matches(fields.get(name)) for name, matcher in condition.items())


def classify(rules: Complexity, fields: Mapping[str, str]) -> tuple[str, list[str]]:
    """The highest class any matching rule demands, with the names of the rules that matched."""
    level = COMPLEXITY_CLASSES.index(rules.default)
    reasons: list[str] = []
    for rule in rules.rules:
        if condition_holds(rule.when, fields):
            reasons.append(rule.name)
            level = max(level, COMPLEXITY_CLASSES.index(rule.at_least))
    return COMPLEXITY_CLASSES[level], reasons
