"""Event kinds and the event value object. Metrics are computed from these, so kinds are
part of the public contract: add new ones, never rename."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    WORKSPACE_CREATED = "workspace_created"
    POLICY_ACTIVATED = "policy_activated"
    USER_ADDED = "user_added"
    TEAM_ADDED = "team_added"
    REQUEST_RECEIVED = "request_received"
    LINE_ACCEPTED = "line_accepted"
    LINE_REJECTED = "line_rejected"


@dataclass(frozen=True)
class NewEvent:
    """An event about to be appended; the unit of work stamps workspace, actor and time."""

    kind: EventKind
    payload: dict[str, Any] = field(default_factory=dict)
    request_id: int | None = None
    asset_id: int | None = None
