"""Domain errors. Each carries a message written for the person who caused it."""

from __future__ import annotations

from dataclasses import dataclass


class ShotlineError(Exception):
    """Base of every error a user may see; `str(err)` is the message to show."""


class NotFound(ShotlineError):
    """A named thing (workspace, request, asset, user) does not exist in this workspace."""


class PermissionDenied(ShotlineError):
    """The actor lacks the role the action needs."""


class Conflict(ShotlineError):
    """The action clashes with existing state (duplicate, concurrent change)."""


class IntakeFileError(ShotlineError):
    """An intake file cannot be read at all (as opposed to rows that fail validation)."""


@dataclass(frozen=True)
class PolicyIssue:
    """One problem in a policy file, located by its dotted path."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class PolicyError(ShotlineError):
    """A policy failed validation; carries every issue found, not just the first."""

    def __init__(self, issues: list[PolicyIssue], source: str = "policy") -> None:
        self.issues = issues
        self.source = source
        lines = "\n".join(f"  {issue}" for issue in issues)
        super().__init__(f"{source} has {len(issues)} problem(s):\n{lines}")
