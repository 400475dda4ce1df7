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
    VERSION_UPLOADED = "version_uploaded"
    SUBMITTED = "submitted"
    GATE_PASSED = "gate_passed"
    GATE_FAILED = "gate_failed"
    GATE_BYPASSED = "gate_bypassed"
    APPROVED = "approved"
    REWORK = "rework"
    ASSIGNED = "assigned"
    BLOCKED = "blocked"
    UNBLOCKED = "unblocked"
    ON_HOLD = "on_hold"
    RESUMED = "resumed"
    CANCELLED = "cancelled"
    DELIVERED = "delivered"
    LIVE = "live"
    TRACK_CHANGED = "track_changed"
    SKILL_GRANTED = "skill_granted"
    EXCEPTION_REQUESTED = "exception_requested"
    EXCEPTION_GRANTED = "exception_granted"
    EXCEPTION_REFUSED = "exception_refused"
    REPLAY_LINE_FAILED = "replay_line_failed"
    ESCALATED = "escalated"
    NOTIFICATION_SENT = "notification_sent"
    NOTIFICATION_FAILED = "notification_failed"
    TOKEN_CREATED = "token_created"
    TOKEN_REVOKED = "token_revoked"
    AI_WORKFLOW_REGISTERED = "ai_workflow_registered"
    AI_WORKFLOW_APPROVED = "ai_workflow_approved"
    AI_WORKFLOW_RETIRED = "ai_workflow_retired"
    AI_FILES_DELETED = "ai_files_deleted"
    RIGHTS_SET = "rights_set"
    QC_CHECKED = "qc_checked"
    QC_FAILED = "qc_failed"
    LOGGED_IN = "logged_in"
    LOGIN_FAILED = "login_failed"
    LOGGED_OUT = "logged_out"
    PASSWORD_SET = "password_set"


@dataclass(frozen=True)
class NewEvent:
    """An event about to be appended; the unit of work stamps workspace, actor and time."""

    kind: EventKind
    payload: dict[str, Any] = field(default_factory=dict)
    request_id: int | None = None
    asset_id: int | None = None
