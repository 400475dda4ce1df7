"""The dashboard document (services.dashboard.dashboard)."""

from __future__ import annotations

import datetime as dt

from shotline.entrypoints.api.schemas.common import Document


class InProduction(Document):
    total: int
    by_track_and_state: dict[str, dict[str, int]]


class SlaCounts(Document):
    overdue: int
    at_risk: int


class FailedQc(Document):
    versions_failing_checks: int
    failed_decisions: int
    by_category: dict[str, int]


class TeamScore(Document):
    team: str
    decisions: int
    pass_rate: float


class AiWorkflowScore(Document):
    workflow: str | None
    versions: int
    rejection_rate: float


class Dashboard(Document):
    """What is in production, waiting for review, blocked, at risk; what failed QC; how
    teams, vendors and AI workflows do over the last `window_days`."""

    at: dt.datetime
    window_days: int
    in_production: InProduction
    waiting_for_review: dict[str, int]
    blocked: int
    sla: SlaCounts
    failed_qc: FailedQc
    teams: list[TeamScore]
    ai_workflows: list[AiWorkflowScore]
