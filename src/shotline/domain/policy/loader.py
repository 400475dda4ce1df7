"""Turn policy text into a validated `Policy`, or a `PolicyError` listing every problem."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import yaml
from pydantic import ValidationError

from shotline.domain.errors import PolicyError, PolicyIssue
from shotline.domain.policy.checks import cross_check
from shotline.domain.policy.model import Policy

_MESSAGES = {
    "missing": "required",
    "extra_forbidden": "unknown key (not part of the policy format)",
}


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).startswith("function-") or part == "[key]":
            continue  # pydantic names validator wrappers in the location; users don't care
        else:
            out += f".{part}" if out else str(part)
    return out


def _message(error: Any) -> str:
    if error["type"] in _MESSAGES:
        return _MESSAGES[error["type"]]
    message = str(error["msg"])
    if message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    if error["type"] not in ("hours", "code", "clock", "sla", "aspect", "colour"):
        message += f", got {json.dumps(error.get('input'), default=str)[:60]}"
    return message


def policy_from_mapping(data: Any, source: str = "policy") -> Policy:
    """Validate already-parsed policy data; raise `PolicyError` with every issue."""
    if not isinstance(data, dict):
        raise PolicyError([PolicyIssue("", "a policy must be a mapping at the top level")], source)
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        issues = [PolicyIssue(_path(tuple(e["loc"])), _message(e)) for e in exc.errors()]
        raise PolicyError(issues, source) from None
    issues = cross_check(policy)
    if issues:
        raise PolicyError(issues, source)
    return policy


class _UniqueKeys:
    """Refuses a key given twice in one mapping: in a written standard the second value
    silently winning is a typo nobody would find."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[attr-defined]
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} is given twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc,no-any-return]


class _UniqueKeyLoader(_UniqueKeys, yaml.SafeLoader):
    """The pure-Python safe loader: its error messages are the ones users read."""


# libyaml's parser is about ten times faster (the default policy is a few hundred lines, and
# every new workspace and test parses it); PyYAML wheels ship it, but a source build may not.
_FastLoader: type[Any] = (
    type("_FastLoader", (_UniqueKeys, yaml.CSafeLoader), {})
    if hasattr(yaml, "CSafeLoader")
    else _UniqueKeyLoader
)


def parse_policy(text: str, source: str = "policy") -> Policy:
    """Parse YAML policy text; syntax errors name their line. The result is immutable, so
    the same text is parsed once per process."""
    return _parse(text, source)


@lru_cache(maxsize=16)
def _parse(text: str, source: str) -> Policy:
    try:
        try:
            data = yaml.load(text, Loader=_FastLoader)
        except yaml.YAMLError:
            # Parse again with the Python loader, whose messages (and marks) users are shown.
            data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        problem = getattr(exc, "problem", None) or str(exc)
        issue = PolicyIssue("", f"YAML syntax error at {where}: {problem}")
        raise PolicyError([issue], source) from None
    except ValueError as exc:  # e.g. an impossible date such as 2027-02-30
        raise PolicyError([PolicyIssue("", f"bad value: {exc}")], source) from None
    return policy_from_mapping(data, source)
